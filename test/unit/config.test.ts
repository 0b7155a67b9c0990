import { expect } from 'chai';
import { parse as parseDotenv } from 'dotenv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs with no settings at all, in Emulator mode on 127.0.0.1', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3978);
    expect(config.host).to.equal('127.0.0.1');
    expect(config.emulatorMode).to.equal(true);
    expect(config.dataDir).to.equal(path.resolve('./data'));
    expect(config.publicBaseUrl).to.equal('http://localhost:3978');
    expect(config.serviceName).to.equal('StreamFlix');
    expect(config.defaultLocale).to.equal('en');
    expect(config.defaultRegion).to.equal('NL');
    expect(config.resetLinkTtlMs).to.equal(24 * 3600_000);
    expect(config.smsCodeTtlMs).to.equal(20 * 60_000);
    expect(config.passwordMinLength).to.equal(8);
    expect(config.passwordHistory).to.equal(3);
    expect(config.smtpUrl).to.equal(undefined);
    expect(config.seedDemoAccounts).to.equal(true);
  });

  it('takes .env.example as it is, and it names every setting the bot reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const config = loadConfig(parseDotenv(example));
    expect(config.emailFrom).to.equal('StreamFlix <no-reply@streamflix.example>');
    expect(config.resetLinkTtlMs).to.equal(24 * 3600_000);
    const documented = new Set([...example.matchAll(/^#?\s*([A-Za-z_]+)=/gm)].map((match) => match[1]));
    const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/^\s{2}([A-Z][A-Za-z_]+): /gm)]
      .map((match) => match[1]!)
      .filter((name) => name !== 'NODE_ENV');
    expect(read.filter((name) => !documented.has(name))).to.deep.equal([]);
  });

  it('parses durations like 24h, 20m, 3s and 500ms', () => {
    expect(parseDuration('24h')).to.equal(86_400_000);
    expect(parseDuration('20m')).to.equal(1_200_000);
    expect(parseDuration('3s')).to.equal(3000);
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('2d')).to.equal(172_800_000);
    for (const bad of ['', '24', 'h', '-3s', '0s', '1.5h', '3 weeks'])
      expect(parseDuration(bad), bad).to.equal(undefined);
  });

  it('names every bad value in one message, each with what it expects', () => {
    const problems = problemsOf({
      PORT: 'abc',
      RESET_LINK_TTL: 'forever',
      DEFAULT_LOCALE: 'fr',
      PASSWORD_MIN_LENGTH: '4',
      PUBLIC_BASE_URL: 'ftp://x',
      SMTP_URL: 'mail.example.com',
      LOG_LEVEL: 'loud',
      DEFAULT_REGION: 'Netherlands',
    });
    expect(problems).to.have.length(8);
    expect(problems.join('\n'))
      .to.contain('PORT: must be a whole number from 1 to 65535 (got "abc")')
      .and.contain('RESET_LINK_TTL: must be a duration such as 24h, 20m or 3s (got "forever")')
      .and.contain('DEFAULT_LOCALE: must be one of en, nl')
      .and.contain('PASSWORD_MIN_LENGTH: must be a whole number from 8 to 64')
      .and.contain('PUBLIC_BASE_URL: must be an http(s) URL')
      .and.contain('SMTP_URL: must start with smtp:// or smtps://')
      .and.contain('DEFAULT_REGION: must be a two-letter country code');
  });

  it('refuses to run unauthenticated in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', CARD_HMAC_KEY: 'k'.repeat(32) }).join()).to.contain(
      'MicrosoftAppId: must be set',
    );
  });

  it('refuses to listen beyond loopback without an app id', () => {
    expect(problemsOf({ HOST: '0.0.0.0' }).join()).to.contain(
      'HOST: without MicrosoftAppId the bot listens on 127.0.0.1 only',
    );
  });

  it('needs the app password, tenant for single-tenant bots, and a card key in production', () => {
    const problems = problemsOf({
      MicrosoftAppId: 'app',
      MicrosoftAppType: 'SingleTenant',
      NODE_ENV: 'production',
    }).join('\n');
    expect(problems)
      .to.contain('MicrosoftAppPassword')
      .and.contain('MicrosoftAppTenantId')
      .and.contain('CARD_HMAC_KEY');
  });

  it('sends text messages to the outbox unless a Twilio account is configured', () => {
    expect(loadConfig({}).twilio).to.equal(undefined);
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`,
      TWILIO_API_BASE_URL: 'http://127.0.0.1:4010/',
    });
    expect(config.twilio).to.deep.include({
      accountSid: `AC${'a'.repeat(32)}`,
      messagingServiceSid: `MG${'b'.repeat(32)}`,
      from: undefined,
      apiBaseUrl: 'http://127.0.0.1:4010',
    });
  });

  it('names what a Twilio configuration lacks', () => {
    const problems = problemsOf({ TWILIO_ACCOUNT_SID: 'SK123' }).join('\n');
    expect(problems).to.contain('TWILIO_ACCOUNT_SID: must be AC followed by 32 hexadecimal characters');
    const incomplete = problemsOf({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}` }).join('\n');
    expect(incomplete)
      .to.contain('TWILIO_AUTH_TOKEN: must be set')
      .and.contain('TWILIO_FROM: set it, or TWILIO_MESSAGING_SERVICE_SID');
  });

  it('listens on every interface with an app id, and seeds no demo accounts in production', () => {
    const config = loadConfig({
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'secret',
      NODE_ENV: 'production',
      CARD_HMAC_KEY: 'k'.repeat(32),
    });
    expect(config.host).to.equal('0.0.0.0');
    expect(config.emulatorMode).to.equal(false);
    expect(config.seedDemoAccounts).to.equal(false);
  });

  it('reads NODE_ENV without regard to case', () => {
    expect(problemsOf({ NODE_ENV: 'Production' }).join('\n')).to.contain('MicrosoftAppId: must be set');
    expect(problemsOf({ NODE_ENV: 'PRODUCTION' }).join('\n')).to.contain('MicrosoftAppId: must be set');
  });

  it('takes only exact loopback names and addresses as loopback', () => {
    for (const host of ['127.0.0.1', '127.5.6.7', 'localhost', '::1'])
      expect(problemsOf({ HOST: host }), host).to.deep.equal([]);
    for (const host of ['127.evil.example', '127.0.0.1.nip.io', 'localhost.example', '0.0.0.0'])
      expect(problemsOf({ HOST: host }).join('\n'), host).to.contain('HOST: without MicrosoftAppId');
  });

  it('takes an empty value as unset, as the Bot Framework samples write them', () => {
    const config = loadConfig({ MicrosoftAppType: '', MicrosoftAppId: '', SUPPORT_API_KEY: '', PORT: ' ' });
    expect(config.bot.appType).to.equal('MultiTenant');
    expect(config.emulatorMode).to.equal(true);
    expect(config.supportApiKey).to.equal(undefined);
    expect(config.port).to.equal(3978);
  });

  it('reads the trusted proxies and the web chat session lifetimes, and checks them', () => {
    const config = loadConfig({ TRUST_PROXY: '2', WEBCHAT_SESSION_IDLE: '20m', WEBCHAT_SESSION_MAX: '2h' });
    expect(config.trustProxy).to.equal(2);
    expect(config.webChatSession).to.deep.equal({ idleMs: 20 * 60_000, maxMs: 2 * 3600_000 });
    expect(loadConfig({}).trustProxy).to.equal(0);
    const problems = problemsOf({ TRUST_PROXY: 'yes', WEBCHAT_SESSION_IDLE: '5m' }).join('\n');
    expect(problems).to.contain('TRUST_PROXY: must be a whole number from 0 to 10');
    expect(problems).to.contain('WEBCHAT_SESSION_IDLE: must be at least 15m');
    expect(problemsOf({ WEBCHAT_SESSION_IDLE: '1h', WEBCHAT_SESSION_MAX: '30m' }).join('\n')).to.contain(
      'WEBCHAT_SESSION_MAX: must be at least WEBCHAT_SESSION_IDLE',
    );
  });
});
