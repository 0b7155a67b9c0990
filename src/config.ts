import { isIPv4 } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { projectPath } from './paths.js';

/** Every setting the bot reads from its environment, parsed and validated once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL for everything that lasts, when several instances share it; else the JSON store under dataDir. */
  databaseUrl: string | undefined;
  /** Bring the database schema up to date at start (`DB_MIGRATE=auto`); else `npm run db:migrate` does. */
  migrateAtStart: boolean;
  /** Redis for what instances share for a short while: limits, the duplicate filter, web chat activities. */
  redisUrl: string | undefined;
  /** How long a promised task stays with the instance that took it before another may take it over. */
  taskLeaseMs: number;
  /** Put before every Redis key, so that several bots (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  publicBaseUrl: string;
  serviceName: string;
  defaultLocale: Locale;
  defaultRegion: string;
  resetLinkTtlMs: number;
  smsCodeTtlMs: number;
  /** The wait for a person that the bot announces when it hands someone to support. */
  supportWaitMs: number;
  passwordMinLength: number;
  passwordHistory: number;
  emailFrom: string;
  /** Where people reach human customer support. */
  supportUrl: string;
  /** Microsoft Entra object ids (lower case) allowed to register the support team's Teams channel. */
  supportAdmins: string[];
  /** Support's key for the escalation API; unset: the API refuses every request. */
  supportApiKey: string | undefined;
  /** The site backend's key for opening signed-in web chat sessions; unset: no sessions. */
  websiteApiKey: string | undefined;
  /** Azure Bot Service Direct Line instead of the bot's own endpoint, for the web chat page. */
  directLine: { secret: string; domain: string } | undefined;
  /** Countries where billing recovery is offered; undefined means everywhere. */
  billingRecoveryRegions: readonly string[] | undefined;
  partnersFile: string;
  smtpUrl: string | undefined;
  cardHmacKey: string | undefined;
  /** Unset: text messages go to the outbox. */
  twilio: TwilioSettings | undefined;
  seedDemoAccounts: boolean;
  logLevel: LogLevel;
  production: boolean;
  /** No MicrosoftAppId: the Emulator talks to the bot without authentication. */
  emulatorMode: boolean;
  bot: {
    appType: string;
    appId: string;
    appPassword: string;
    appTenantId: string;
    /** Where the channel's token signing keys are published; the Bot Framework's own when unset. */
    channelOpenIdMetadataUrl: string | undefined;
  };
  limits: RateLimitSettings;
  /** How many proxies in front of the bot append to X-Forwarded-For; 0: the socket's peer is the client. */
  trustProxy: number;
  /** Signed-in web chat sessions: how long without activity, and how long at most. */
  webChatSession: { idleMs: number; maxMs: number };
  /** Where times in mails are shown when the person's own time zone is not known (IANA name). */
  defaultTimeZone: string;
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  /** Another API base URL for the official client, for tests against a local stand-in. */
  apiBaseUrl: string | undefined;
  timeoutMs: number;
}

export type Locale = 'en' | 'nl';
export const LOCALES: readonly Locale[] = ['en', 'nl'];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The security limits' numbers. Not environment variables; tests and operators adjust them in code. */
export interface RateLimitSettings {
  /** Card lookups, tight so the lookup cannot be used to test card numbers. */
  billingPerConversationHour: number;
  billingPerCardHour: number;
  billingPerCardDay: number;
  perIdentifierHour: number;
  perIdentifierDay: number;
  perAccountHour: number;
  perAccountDay: number;
  perConversationHour: number;
  /** Per route family of the bot's own pages and APIs (see RouteFamily). */
  perClientAddressHour: number;
  /** Requests with the site's or support's API key, per key. */
  perApiKeyMinute: number;
  /** Activities one web chat conversation may post. */
  directLinePostsPerConversationMinute: number;
  /** Password change: failed current-password checks per account before the journey locks for an hour. */
  currentPasswordFailuresHour: number;
  /** Handover: tickets one conversation may open, so nobody can flood the support channel. */
  ticketsPerConversationHour: number;
  /** Handover: from one client address (web chat), whatever the conversation. */
  ticketsPerClientAddressHour: number;
  /** Handover: from everyone together: support is a team of people, not a queue without end. */
  ticketsOverallHour: number;
}

export const DEFAULT_LIMITS: RateLimitSettings = {
  billingPerConversationHour: 5,
  billingPerCardHour: 5,
  billingPerCardDay: 10,
  perIdentifierHour: 5,
  perIdentifierDay: 10,
  perAccountHour: 5,
  perAccountDay: 10,
  perConversationHour: 20,
  perClientAddressHour: 20,
  perApiKeyMinute: 600,
  directLinePostsPerConversationMinute: 30,
  currentPasswordFailuresHour: 10,
  ticketsPerConversationHour: 3,
  ticketsPerClientAddressHour: 6,
  ticketsOverallHour: 300,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `24h`, `20m`, `3s`, `500ms`, `2d`; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = DURATION_UNITS_MS[match[2]!.toLowerCase()]!;
  return amount > 0 ? amount * unit : undefined;
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as 24h, 20m or 3s (got "${text}")` });
        return z.NEVER;
      }
      return ms;
    });

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const value = Number(text);
      if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max} (got "${text}")` });
        return z.NEVER;
      }
      return value;
    });

const flag = (fallback: boolean) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const normalized = text.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(normalized)) return true;
      if (['false', '0', 'no'].includes(normalized)) return false;
      ctx.addIssue({ code: 'custom', message: `must be true or false (got "${text}")` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((text) => (text && text.trim() !== '' ? text.trim() : undefined));

const httpUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL such as https://help.example.com');

const envSchema = z.object({
  PORT: wholeNumber(3978, 1, 65535),
  TRUST_PROXY: wholeNumber(0, 0, 10),
  HOST: optionalText,
  DATA_DIR: z.string().default('./data'),
  PUBLIC_BASE_URL: httpUrl.optional(),
  SERVICE_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(60, 'must be at most 60 characters')
    .default('StreamFlix'),
  DEFAULT_LOCALE: z
    .enum(LOCALES as [Locale, ...Locale[]], { message: `must be one of ${LOCALES.join(', ')}` })
    .default('en'),
  DEFAULT_TIMEZONE: z
    .string()
    .default('Europe/Amsterdam')
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Amsterdam'),
  DEFAULT_REGION: z
    .string()
    .default('NL')
    .transform((text) => text.trim().toUpperCase())
    .refine((text) => /^[A-Z]{2}$/.test(text), 'must be a two-letter country code such as NL'),
  RESET_LINK_TTL: duration('24h'),
  SMS_CODE_TTL: duration('20m'),
  SUPPORT_WAIT: duration('15m'),
  WEBCHAT_SESSION_IDLE: duration('30m').refine(
    (ms) => ms >= 15 * 60_000,
    'must be at least 15m: web chat renews its token every 15 minutes, also while the person reads',
  ),
  WEBCHAT_SESSION_MAX: duration('8h'),
  PASSWORD_MIN_LENGTH: wholeNumber(8, 8, 64),
  PASSWORD_HISTORY: wholeNumber(3, 0, 24),
  EMAIL_FROM: optionalText,
  SUPPORT_URL: httpUrl.optional(),
  DIRECTLINE_SECRET: optionalText,
  DIRECTLINE_DOMAIN: httpUrl.optional(),
  SUPPORT_ADMINS: optionalText,
  SUPPORT_API_KEY: z.string().min(24, 'must be at least 24 characters (a random secret)').optional(),
  WEBSITE_API_KEY: z.string().min(24, 'must be at least 24 characters (a random secret)').optional(),
  BILLING_RECOVERY_REGIONS: optionalText
    .transform((text) =>
      text
        ?.split(',')
        .map((region) => region.trim().toUpperCase())
        .filter(Boolean),
    )
    .refine(
      (regions) => regions === undefined || regions.every((region) => /^[A-Z]{2}$/.test(region)),
      'must be two-letter country codes separated by commas, such as NL,BE',
    ),
  PARTNERS_FILE: optionalText,
  DATABASE_URL: optionalText.refine(
    (text) => text === undefined || /^postgres(ql)?:\/\//i.test(text),
    'must start with postgres:// or postgresql://',
  ),
  DB_MIGRATE: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('off'),
  REDIS_URL: optionalText.refine(
    (text) => text === undefined || /^rediss?:\/\//i.test(text),
    'must start with redis:// or rediss://',
  ),
  TASK_LEASE: duration('1m').refine((ms) => ms >= 1000, 'must be at least 1s'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1 to 64 letters, digits, colons, dashes or underscores')
    .default('pwbot:'),
  SMTP_URL: optionalText.refine(
    (text) => text === undefined || /^smtps?:\/\//i.test(text),
    'must start with smtp:// or smtps://',
  ),
  CARD_HMAC_KEY: optionalText.refine(
    (text) => text === undefined || text.length >= 32,
    'must be at least 32 characters (a random secret)',
  ),
  TWILIO_ACCOUNT_SID: optionalText.refine(
    (text) => text === undefined || /^AC[0-9a-fA-F]{32}$/.test(text),
    'must be AC followed by 32 hexadecimal characters',
  ),
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_FROM: optionalText,
  TWILIO_MESSAGING_SERVICE_SID: optionalText.refine(
    (text) => text === undefined || /^MG[0-9a-fA-F]{32}$/.test(text),
    'must be MG followed by 32 hexadecimal characters',
  ),
  TWILIO_API_BASE_URL: httpUrl.optional(),
  SEED_DEMO_ACCOUNTS: optionalText,
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'], { message: 'must be one of debug, info, warn, error, silent' })
    .default('info'),
  NODE_ENV: optionalText,
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'must be MultiTenant, SingleTenant or UserAssignedMSI',
    })
    .default('MultiTenant'),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppTenantId: optionalText,
  ToBotFromChannelOpenIdMetadataUrl: httpUrl.optional(),
});

/** Reads the configuration from an environment; throws ConfigError listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const production = values.NODE_ENV?.toLowerCase() === 'production';
  const emulatorMode = values.MicrosoftAppId === undefined;
  const problems: string[] = [];

  if (emulatorMode && production) {
    problems.push(
      'MicrosoftAppId: must be set when NODE_ENV=production (without it the bot runs unauthenticated, for the Emulator only)',
    );
  }
  if (emulatorMode && values.HOST !== undefined && !isLoopback(values.HOST)) {
    problems.push(`HOST: without MicrosoftAppId the bot listens on 127.0.0.1 only (got "${values.HOST}")`);
  }
  if (!emulatorMode && values.MicrosoftAppType !== 'UserAssignedMSI' && values.MicrosoftAppPassword === undefined) {
    problems.push('MicrosoftAppPassword: must be set together with MicrosoftAppId');
  }
  if (!emulatorMode && values.MicrosoftAppType === 'SingleTenant' && values.MicrosoftAppTenantId === undefined) {
    problems.push('MicrosoftAppTenantId: must be set for a SingleTenant bot');
  }
  if (values.DATABASE_URL !== undefined && values.CARD_HMAC_KEY === undefined) {
    problems.push(
      'CARD_HMAC_KEY: must be set when DATABASE_URL is set, so that every instance hashes cards, codes and tokens with the same key',
    );
  }
  if (values.DATABASE_URL !== undefined && values.REDIS_URL === undefined) {
    problems.push(
      'REDIS_URL: must be set when DATABASE_URL is set: the instances share their limits and web chats there',
    );
  }
  if (values.WEBCHAT_SESSION_MAX < values.WEBCHAT_SESSION_IDLE) {
    problems.push('WEBCHAT_SESSION_MAX: must be at least WEBCHAT_SESSION_IDLE');
  }
  if (production && values.CARD_HMAC_KEY === undefined) {
    problems.push('CARD_HMAC_KEY: must be set when NODE_ENV=production');
  }
  if (values.TWILIO_ACCOUNT_SID !== undefined) {
    if (values.TWILIO_AUTH_TOKEN === undefined)
      problems.push('TWILIO_AUTH_TOKEN: must be set together with TWILIO_ACCOUNT_SID');
    if (values.TWILIO_FROM === undefined && values.TWILIO_MESSAGING_SERVICE_SID === undefined) {
      problems.push('TWILIO_FROM: set it, or TWILIO_MESSAGING_SERVICE_SID, together with TWILIO_ACCOUNT_SID');
    }
  }
  const seedDemo = flag(!production).safeParse(values.SEED_DEMO_ACCOUNTS);
  if (!seedDemo.success) problems.push(`SEED_DEMO_ACCOUNTS: ${seedDemo.error.issues[0]?.message}`);
  if (problems.length > 0) throw new ConfigError(problems);

  const port = values.PORT;
  return {
    port,
    host: values.HOST ?? (emulatorMode ? '127.0.0.1' : '0.0.0.0'),
    dataDir: path.resolve(values.DATA_DIR),
    databaseUrl: values.DATABASE_URL,
    migrateAtStart: values.DB_MIGRATE === 'auto',
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    taskLeaseMs: values.TASK_LEASE,
    publicBaseUrl: (values.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    serviceName: values.SERVICE_NAME,
    defaultLocale: values.DEFAULT_LOCALE,
    defaultRegion: values.DEFAULT_REGION,
    resetLinkTtlMs: values.RESET_LINK_TTL,
    smsCodeTtlMs: values.SMS_CODE_TTL,
    supportWaitMs: values.SUPPORT_WAIT,
    passwordMinLength: values.PASSWORD_MIN_LENGTH,
    passwordHistory: values.PASSWORD_HISTORY,
    emailFrom: values.EMAIL_FROM ?? `${values.SERVICE_NAME} <no-reply@streamflix.example>`,
    supportUrl: values.SUPPORT_URL ?? 'https://help.streamflix.example/contact',
    websiteApiKey: values.WEBSITE_API_KEY,
    supportApiKey: values.SUPPORT_API_KEY,
    supportAdmins: (values.SUPPORT_ADMINS ?? '')
      .split(',')
      .map((id) => id.trim().toLowerCase())
      .filter(Boolean),
    directLine: values.DIRECTLINE_SECRET
      ? {
          secret: values.DIRECTLINE_SECRET,
          domain: (values.DIRECTLINE_DOMAIN ?? 'https://directline.botframework.com/v3/directline').replace(/\/+$/, ''),
        }
      : undefined,
    billingRecoveryRegions: values.BILLING_RECOVERY_REGIONS,
    partnersFile: values.PARTNERS_FILE ? path.resolve(values.PARTNERS_FILE) : projectPath('config/partners.json'),
    smtpUrl: values.SMTP_URL,
    cardHmacKey: values.CARD_HMAC_KEY,
    twilio:
      values.TWILIO_ACCOUNT_SID === undefined
        ? undefined
        : {
            accountSid: values.TWILIO_ACCOUNT_SID,
            authToken: values.TWILIO_AUTH_TOKEN ?? '',
            from: values.TWILIO_FROM,
            messagingServiceSid: values.TWILIO_MESSAGING_SERVICE_SID,
            apiBaseUrl: values.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
            timeoutMs: 10_000,
          },
    seedDemoAccounts: seedDemo.success ? seedDemo.data : false,
    logLevel: values.LOG_LEVEL,
    production,
    emulatorMode,
    bot: {
      appType: values.MicrosoftAppType,
      appId: values.MicrosoftAppId ?? '',
      appPassword: values.MicrosoftAppPassword ?? '',
      appTenantId: values.MicrosoftAppTenantId ?? '',
      channelOpenIdMetadataUrl: values.ToBotFromChannelOpenIdMetadataUrl,
    },
    limits: { ...DEFAULT_LIMITS },
    trustProxy: values.TRUST_PROXY,
    webChatSession: { idleMs: values.WEBCHAT_SESSION_IDLE, maxMs: values.WEBCHAT_SESSION_MAX },
    defaultTimeZone: values.DEFAULT_TIMEZONE,
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Exactly a loopback address or name: `127.0.0.1` is, `127.example.com` is not. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** An empty value means unset, as in the Bot Framework samples' `.env` files (`MicrosoftAppType=`). */
function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}
