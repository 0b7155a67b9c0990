import { expect } from 'chai';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { OutboxSms } from '../../src/messaging/sms.js';
import { PASSWORD_CHANGE_WINDOW_MS } from '../../src/recovery/passwordChange.js';
import { PASSWORD_PAGE_TTL_MS } from '../../src/recovery/passwordPages.js';
import type { Account } from '../../src/recovery/types.js';
import { createLogger } from '../../src/security/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { EMMA, LIAM, EMMA_TEAMS } from '../helpers/accounts.js';
import { readJsonLines } from '../helpers/testApp.js';
import { makeTempDir } from '../helpers/tempDir.js';

const NEW_PASSWORD = 'ember-quiet-falcon-road';

/** The domain behind the password change, the phone number change and the Teams dialog page, on the real JSON store with a test clock. */
describe('signed-in services', function () {
  this.timeout(20_000);
  let temp: ReturnType<typeof makeTempDir>;
  let services: Services;
  let clock: Date;
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

  beforeEach(async () => {
    temp = makeTempDir();
    clock = new Date('2026-11-25T10:00:00Z');
    services = await createServices(loadConfig({ DATA_DIR: temp.dir, SEED_DEMO_ACCOUNTS: 'false' }), {
      logger: createLogger('silent'),
      now: () => clock,
    });
    await services.accounts.importAccounts([{ ...EMMA, teamsAadObjectId: EMMA_TEAMS }, LIAM]);
  });
  afterEach(async () => {
    await services.tasks.idle();
    temp.remove();
  });

  async function emma(): Promise<Account> {
    const person = await services.dialogServices.identity.signedIn({ kind: 'teams', aadObjectId: EMMA_TEAMS });
    return person!.account;
  }

  describe('identity', () => {
    it('finds the linked account whatever the case of the object id, and nobody for an unknown one', async () => {
      const { identity } = services.dialogServices;
      expect(
        (await identity.signedIn({ kind: 'teams', aadObjectId: EMMA_TEAMS.toUpperCase() }))?.account.email,
      ).to.equal(EMMA.email);
      expect(await identity.signedIn({ kind: 'teams', aadObjectId: 'ffffffff-0000-4000-8000-000000000000' })).to.equal(
        undefined,
      );
      expect(await identity.signedIn(undefined)).to.equal(undefined);
    });
  });

  describe('current password', () => {
    it('opens a new-password step that closes after its window', async () => {
      const { passwordChange } = services.dialogServices;
      const account = await emma();
      const check = await passwordChange.checkCurrentPassword(account.id, EMMA.password!, 'conversation-1');
      expect(check.kind).to.equal('verified');
      if (check.kind !== 'verified') return;
      advance(PASSWORD_CHANGE_WINDOW_MS);
      const late = await services.reset.setPassword(check.grant, NEW_PASSWORD, NEW_PASSWORD, {
        via: 'chat',
        locale: 'en',
      });
      expect(late).to.deep.include({ kind: 'linkProblem', problem: 'expired' });
    });

    it('locks after ten failures in an hour, for an hour from the tenth', async () => {
      const { passwordChange } = services.dialogServices;
      const account = await emma();
      for (let failure = 1; failure <= 9; failure++)
        expect((await passwordChange.checkCurrentPassword(account.id, `wrong-${failure}`, 'c')).kind).to.equal('wrong');
      const tenth = await passwordChange.checkCurrentPassword(account.id, 'wrong-10', 'c');
      expect(tenth).to.deep.equal({ kind: 'locked', retryAfterMs: 3_600_000 });
      expect((await passwordChange.checkCurrentPassword(account.id, EMMA.password!, 'c')).kind).to.equal('locked');
    });
  });

  describe('phone verification', () => {
    const origin = (conversationId: string) => ({ via: 'chat' as const, conversationId, locale: 'en' as const });
    async function lastCode(): Promise<string> {
      await services.tasks.idle();
      const sms = (await readJsonLines<OutboxSms>(path.join(temp.dir, 'outbox', 'sms.jsonl'))).at(-1)!;
      return /\b(\d{6})\b/.exec(sms.body)![1]!;
    }

    it('takes the code only in the conversation that asked for it, and only within its lifetime', async () => {
      const { phoneChange } = services.dialogServices;
      const account = await emma();
      expect((await phoneChange.requestCode(account, '06 11223321', origin('here'))).kind).to.equal('sent');
      const code = await lastCode();
      expect((await phoneChange.checkCode(account.id, code, origin('elsewhere'))).kind).to.equal('expired');
      advance(20 * 60_000);
      expect((await phoneChange.checkCode(account.id, code, origin('here'))).kind).to.equal('expired');
      expect((await emma()).phone).to.equal('+31612345678');
    });

    it('lets only the newest code work', async () => {
      const { phoneChange } = services.dialogServices;
      const account = await emma();
      await phoneChange.requestCode(account, '06 11223321', origin('here'));
      const first = await lastCode();
      await phoneChange.requestCode(account, '06 11223322', origin('here'));
      const second = await lastCode();
      if (first !== second)
        expect((await phoneChange.checkCode(account.id, first, origin('here'))).kind).to.equal('wrong');
      expect(await phoneChange.checkCode(account.id, second, origin('here'))).to.deep.equal({
        kind: 'changed',
        phone: '+31611223322',
      });
    });

    it('counts the account limit, and says when it is reached', async () => {
      const { phoneChange } = services.dialogServices;
      const account = await emma();
      for (let request = 0; request < 5; request++)
        expect((await phoneChange.requestCode(account, `06 1122330${request}`, origin('here'))).kind).to.equal('sent');
      expect((await phoneChange.requestCode(account, '06 11223399', origin('here'))).kind).to.equal('rateLimited');
    });
  });

  describe('Teams dialog page tokens', () => {
    async function offered(): Promise<{ token: string; grant: { requestId: string } }> {
      const account = await emma();
      const check = await services.dialogServices.passwordChange.checkCurrentPassword(
        account.id,
        EMMA.password!,
        'c-1',
      );
      if (check.kind !== 'verified') throw new Error('not verified');
      await services.passwordPages.offer({ conversationId: 'c-1', grant: check.grant, locale: 'nl', reply: {} });
      const page = await services.passwordPages.open('c-1');
      return { token: page!.token, grant: check.grant };
    }

    it('expires a page token after its lifetime', async () => {
      const { token } = await offered();
      expect(await services.passwordPages.check(token)).to.not.equal(undefined);
      advance(PASSWORD_PAGE_TTL_MS);
      expect(await services.passwordPages.check(token)).to.equal(undefined);
      expect((await services.passwordPages.submit(token, NEW_PASSWORD, NEW_PASSWORD)).kind).to.equal('invalid');
    });

    it('keeps only the newest page token of a conversation', async () => {
      const { token } = await offered();
      const newer = (await services.passwordPages.open('c-1'))!.token;
      expect(await services.passwordPages.check(token)).to.equal(undefined);
      expect((await services.passwordPages.submit(newer, NEW_PASSWORD, NEW_PASSWORD)).kind).to.equal('changed');
      expect(await services.passwordPages.check(newer)).to.equal(undefined);
    });

    it('refuses a weak password in the offer language and keeps the page open', async () => {
      const { token } = await offered();
      const refused = await services.passwordPages.submit(token, 'wachtwoord123', 'wachtwoord123');
      expect(refused).to.deep.include({ kind: 'refused', locale: 'nl' });
      expect(await services.passwordPages.check(token)).to.not.equal(undefined);
    });
  });
});
