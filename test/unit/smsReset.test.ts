import { expect } from 'chai';
import { DEFAULT_LIMITS, type Locale } from '../../src/config.js';
import { createTexts } from '../../src/i18n.js';
import { AccountService } from '../../src/recovery/accounts.js';
import type { AccountNotifier } from '../../src/recovery/notifications.js';
import { PasswordPolicy } from '../../src/recovery/passwordPolicy.js';
import { ResetRequestLimits, type RequestOrigin } from '../../src/recovery/requestLimits.js';
import { ResetService } from '../../src/recovery/resetService.js';
import {
  MAX_CODE_TRIES,
  SmsResetService,
  newSmsCode,
  readCode,
  type CodeNotifier,
} from '../../src/recovery/smsReset.js';
import { FileAuditTrail } from '../../src/security/audit.js';
import { createLogger } from '../../src/security/logger.js';
import { RateLimits } from '../../src/security/rateLimits.js';
import {
  JsonAccountRepository,
  JsonResetRequestRepository,
  JsonSmsChallengeRepository,
} from '../../src/store/jsonRepositories.js';
import { BackgroundTasks } from '../../src/tasks.js';
import { EMMA } from '../helpers/accounts.js';
import { makeTempDir } from '../helpers/tempDir.js';

class RecordingTexts implements CodeNotifier {
  sent: Array<{ phone: string; code: string; locale: Locale }> = [];
  failNext = false;
  async sendCode(phone: string, locale: Locale, code: string): Promise<void> {
    if (this.failNext) throw Object.assign(new Error('down'), { failure: 'unavailable' });
    this.sent.push({ phone, code, locale });
  }
}

const mailedLinks: string[] = [];
const mail: AccountNotifier = {
  resetLink: async (_to, _locale, link) => void mailedLinks.push(link),
  passwordChanged: async () => undefined,
  phoneChanged: async () => undefined,
};
const origin = (conversationId: string): RequestOrigin & { conversationId: string } => ({
  via: 'chat',
  conversationId,
  locale: 'en',
});

describe('SMS codes', function () {
  this.timeout(20_000);
  let temp: ReturnType<typeof makeTempDir>;
  let clock: Date;
  let texts: RecordingTexts;
  let tasks: BackgroundTasks;
  let sms: SmsResetService;
  let reset: ResetService;

  beforeEach(async () => {
    temp = makeTempDir();
    clock = new Date('2026-11-25T10:00:00Z');
    const logger = createLogger('silent');
    const accounts = new JsonAccountRepository(temp.dir);
    const requests = new JsonResetRequestRepository(temp.dir);
    const challenges = new JsonSmsChallengeRepository(temp.dir);
    await Promise.all([accounts.init(), requests.init(), challenges.init()]);
    const audit = new FileAuditTrail(temp.dir, logger);
    tasks = new BackgroundTasks(logger);
    texts = new RecordingTexts();
    const limits = new ResetRequestLimits(new RateLimits({ ...DEFAULT_LIMITS }), audit);
    await new AccountService(accounts, 'k'.repeat(32), audit, 'NL').importAccounts([EMMA]);
    const now = () => clock;
    sms = new SmsResetService(accounts, requests, challenges, texts, limits, audit, tasks, {
      codeTtlMs: 20 * 60_000,
      defaultRegion: 'NL',
      secretKey: 'k'.repeat(32),
      now,
    });
    reset = new ResetService(accounts, requests, new PasswordPolicy(8, 'StreamFlix'), mail, limits, audit, tasks, {
      linkTtlMs: 86_400_000,
      passwordHistory: 3,
      publicBaseUrl: 'https://help.example',
      now,
    });
  });

  afterEach(() => temp.remove());

  async function requestCode(conversationId = 'conv-1', number = '06 12345678'): Promise<string | undefined> {
    expect((await sms.requestCode(number, origin(conversationId))).kind).to.equal('accepted');
    await tasks.idle();
    return texts.sent.at(-1)?.code;
  }

  it('makes six-digit codes, uniformly, leading zeros included', () => {
    const codes = Array.from({ length: 2000 }, newSmsCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).to.equal(true);
    expect(new Set(codes).size).to.be.greaterThan(1990);
    expect(codes.some((code) => code.startsWith('0'))).to.equal(true);
  });

  it('reads a code typed with spaces or dashes, and nothing else', () => {
    expect(readCode(' 123 456 ')).to.equal('123456');
    expect(readCode('123-456')).to.equal('123456');
    for (const text of ['12345', '1234567', 'abcdef', '12345a', '１２３４５６'])
      expect(readCode(text), text).to.equal(undefined);
  });

  it('accepts the right code once, in the conversation that asked for it', async () => {
    const code = (await requestCode('conv-1'))!;
    const check = await sms.checkCode('conv-1', code);
    expect(check.kind).to.equal('valid');
    expect((await sms.checkCode('conv-1', code)).kind).to.equal('expired');
  });

  it('refuses the right code in another conversation', async () => {
    const code = (await requestCode('conv-1'))!;
    await requestCode('conv-2', '06 55512345');
    expect((await sms.checkCode('conv-2', code)).kind).to.equal('wrong');
    expect((await sms.checkCode('conv-3', code)).kind).to.equal('noCode');
  });

  it('expires after the code lifetime', async () => {
    const code = (await requestCode())!;
    clock = new Date(clock.getTime() + 20 * 60_000 - 1);
    const stillValid = await sms.checkCode('conv-1', code === '000000' ? '000001' : '000000');
    expect(stillValid.kind).to.equal('wrong');
    clock = new Date(clock.getTime() + 1);
    expect((await sms.checkCode('conv-1', code)).kind).to.equal('expired');
  });

  it(`dies after ${MAX_CODE_TRIES} wrong tries, even for the right code after that`, async () => {
    const code = (await requestCode())!;
    const wrong = code === '111111' ? '222222' : '111111';
    const answers = [];
    for (let i = 0; i < MAX_CODE_TRIES; i++) answers.push(await sms.checkCode('conv-1', wrong));
    expect(answers.slice(0, 4)).to.deep.equal([4, 3, 2, 1].map((triesLeft) => ({ kind: 'wrong', triesLeft })));
    expect(answers[4]).to.deep.equal({ kind: 'tooManyTries' });
    expect(await sms.checkCode('conv-1', code)).to.deep.equal({ kind: 'tooManyTries' });
  });

  it('does not count a mistyped code as a try', async () => {
    await requestCode();
    expect(await sms.checkCode('conv-1', '12 34')).to.deep.equal({ kind: 'malformed' });
    expect(await sms.checkCode('conv-1', '000000')).to.deep.include({ kind: 'wrong', triesLeft: 4 });
  });

  it('voids an older code when a newer one is sent', async () => {
    const old = (await requestCode('conv-1'))!;
    const fresh = (await requestCode('conv-2'))!;
    expect((await sms.checkCode('conv-1', old)).kind).to.equal('expired');
    expect((await sms.checkCode('conv-2', fresh)).kind).to.equal('valid');
  });

  it('voids a code once the password changed another way', async () => {
    const code = (await requestCode('conv-1'))!;
    await reset.requestEmailReset(EMMA.email, { via: 'chat', locale: 'en' });
    await tasks.idle();
    const token = new URL(mailedLinks.at(-1)!).searchParams.get('token')!;
    const link = await reset.checkLink(token);
    if (link.kind !== 'valid') throw new Error('expected a valid link');
    const changed = await reset.setPassword(link.grant, 'ember-quiet-falcon-road', 'ember-quiet-falcon-road', {
      via: 'web',
      locale: 'en',
    });
    expect(changed.kind).to.equal('changed');
    expect((await sms.checkCode('conv-1', code)).kind).to.equal('expired');
  });

  it('never sends to, and never accepts a code for, a number without an account', async () => {
    await requestCode('conv-1', '06 55512345');
    expect(texts.sent).to.deep.equal([]);
    for (let i = 0; i < 1000; i += 250) {
      expect((await sms.checkCode('conv-1', String(i).padStart(6, '0'))).kind).not.to.equal('valid');
    }
  });

  it("sends in the account holder's language", async () => {
    await requestCode();
    expect(texts.sent.at(-1)).to.include({ phone: '+31612345678', locale: 'nl' });
  });

  it('refuses landlines and non-numbers before counting anything', async () => {
    expect(await sms.requestCode('020 123 4567', origin('c'))).to.deep.equal({ kind: 'notMobile' });
    expect(await sms.requestCode('hello', origin('c'))).to.deep.equal({ kind: 'invalidPhone' });
  });

  it('limits codes per number to five an hour, known or not', async () => {
    for (const number of ['06 12345678', '06 55512345']) {
      const kinds = [];
      for (let i = 0; i < 6; i++) kinds.push((await sms.requestCode(number, origin(`c-${number}-${i}`))).kind);
      expect(kinds, number).to.deep.equal(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rateLimited']);
    }
  });

  it('fits the text message in one segment of the GSM alphabet, and never says "password"', () => {
    const all = createTexts('StreamFlix');
    const gsm = /^[A-Za-z0-9 @£$¥èéùìòÇØøÅå_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n]*$/;
    for (const locale of ['en', 'nl'] as const) {
      const body = all.t(locale, 'sms.code', { code: '123456', ttl: all.formatDuration(locale, 20 * 60_000) });
      expect(body.length, locale).to.be.at.most(160);
      expect(body, locale).to.match(gsm);
      expect(body.toLowerCase()).not.to.match(/password|wachtwoord/);
    }
  });
});
