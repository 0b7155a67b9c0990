import { expect } from 'chai';
import { DEFAULT_LIMITS, type Locale } from '../../src/config.js';
import { AccountService } from '../../src/recovery/accounts.js';
import type { AccountNotifier, Recipient } from '../../src/recovery/notifications.js';
import { PasswordPolicy } from '../../src/recovery/passwordPolicy.js';
import { ResetRequestLimits, type RequestOrigin } from '../../src/recovery/requestLimits.js';
import { ResetService, type PasswordOrigin } from '../../src/recovery/resetService.js';
import { saltOf, verifyPassword } from '../../src/recovery/passwordHasher.js';
import { hashSecret } from '../../src/recovery/secrets.js';
import type { ResetGrant } from '../../src/recovery/types.js';
import { FileAuditTrail } from '../../src/security/audit.js';
import { createLogger } from '../../src/security/logger.js';
import { RateLimits } from '../../src/security/rateLimits.js';
import { JsonAccountRepository, JsonResetRequestRepository } from '../../src/store/jsonRepositories.js';
import { BackgroundTasks } from '../../src/tasks.js';
import { LIAM } from '../helpers/accounts.js';
import { makeTempDir } from '../helpers/tempDir.js';

/** Keeps what would have been mailed, so the tests can follow the links. */
class RecordingNotifier implements AccountNotifier {
  links: Array<{ to: string; link: string; locale: Locale }> = [];
  changed: string[] = [];
  async resetLink(to: Recipient, locale: Locale, link: string): Promise<void> {
    this.links.push({ to: to.email, link, locale });
  }
  async passwordChanged(to: Recipient): Promise<void> {
    this.changed.push(to.email);
  }
  async phoneChanged(): Promise<void> {}
}

const ORIGIN: RequestOrigin = { via: 'chat', conversationId: 'conversation-1', locale: 'en' };
const BY_CHAT: PasswordOrigin = { via: 'chat', locale: 'en' };

describe('reset requests and links', function () {
  this.timeout(20_000);
  let temp: ReturnType<typeof makeTempDir>;
  let clock: Date;
  let notifier: RecordingNotifier;
  let tasks: BackgroundTasks;
  let service: ResetService;
  let accounts: AccountService;
  let audit: FileAuditTrail;
  let accountRepo: JsonAccountRepository;

  beforeEach(async () => {
    temp = makeTempDir();
    clock = new Date('2026-11-25T10:00:00Z');
    const logger = createLogger('silent');
    accountRepo = new JsonAccountRepository(temp.dir);
    const requestRepo = new JsonResetRequestRepository(temp.dir);
    await Promise.all([accountRepo.init(), requestRepo.init()]);
    audit = new FileAuditTrail(temp.dir, logger);
    tasks = new BackgroundTasks(logger);
    notifier = new RecordingNotifier();
    accounts = new AccountService(accountRepo, 'k'.repeat(32), audit);
    await accounts.importAccounts([LIAM]);
    service = new ResetService(
      accountRepo,
      requestRepo,
      new PasswordPolicy(8, 'StreamFlix'),
      notifier,
      new ResetRequestLimits(new RateLimits({ ...DEFAULT_LIMITS }), audit),
      audit,
      tasks,
      { linkTtlMs: 24 * 3600_000, passwordHistory: 3, publicBaseUrl: 'https://help.example', now: () => clock },
    );
  });

  afterEach(() => temp.remove());

  async function issueLink(): Promise<string> {
    expect(await service.requestEmailReset(LIAM.email, ORIGIN)).to.deep.equal({ kind: 'accepted' });
    await tasks.idle();
    const link = notifier.links.at(-1)!.link;
    return new URL(link).searchParams.get('token')!;
  }

  async function grantFor(token: string): Promise<ResetGrant> {
    const check = await service.checkLink(token);
    if (check.kind !== 'valid') throw new Error(`link is ${check.kind}`);
    return check.grant;
  }

  it('issues a link with at least 128 bits of randomness and stores only its hash', async () => {
    const token = await issueLink();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url').length * 8).to.be.at.least(128);
    expect(notifier.links.at(-1)!.link).to.equal(`https://help.example/reset?token=${token}`);
    const { readFile, readdir } = await import('node:fs/promises');
    const files = await readdir(`${temp.dir}/resets`);
    const stored = (await Promise.all(files.map((f) => readFile(`${temp.dir}/resets/${f}`, 'utf8')))).join();
    expect(stored).not.to.contain(token);
    expect(stored).to.contain(hashSecret(token));
  });

  it('answers the same for an unknown address, and mails nobody', async () => {
    expect(await service.requestEmailReset('nobody@example.com', ORIGIN)).to.deep.equal({ kind: 'accepted' });
    await tasks.idle();
    expect(notifier.links).to.deep.equal([]);
  });

  it('finds the account whatever the case and spaces of the address', async () => {
    await service.requestEmailReset('  LIAM.Smith@Example.COM ', ORIGIN);
    await tasks.idle();
    expect(notifier.links.map((l) => l.to)).to.deep.equal([LIAM.email]);
  });

  it('refuses text that is not an email address', async () => {
    for (const text of ['', 'liam', 'liam@', '@example.com', 'a b@example.com', `${'x'.repeat(250)}@example.com`]) {
      expect(await service.requestEmailReset(text, ORIGIN), text).to.deep.equal({ kind: 'invalidEmail' });
    }
  });

  it('accepts a link until it expires, then calls it expired', async () => {
    const token = await issueLink();
    clock = new Date(clock.getTime() + 24 * 3600_000 - 1);
    expect((await service.checkLink(token)).kind).to.equal('valid');
    clock = new Date(clock.getTime() + 1);
    expect((await service.checkLink(token)).kind).to.equal('expired');
  });

  it('works once: a used link is refused', async () => {
    const token = await issueLink();
    const grant = await grantFor(token);
    expect(
      await service.setPassword(grant, 'ember-quiet-falcon-road', 'ember-quiet-falcon-road', BY_CHAT),
    ).to.deep.equal({
      kind: 'changed',
    });
    expect((await service.checkLink(token)).kind).to.equal('used');
    const again = await service.setPassword(grant, 'another-fine-phrase-here', 'another-fine-phrase-here', BY_CHAT);
    expect(again).to.include({ kind: 'linkProblem', problem: 'used' });
  });

  it('supersedes an older link when a newer one is sent', async () => {
    const first = await issueLink();
    const grant = await grantFor(first);
    const second = await issueLink();
    expect((await service.checkLink(first)).kind).to.equal('invalid');
    expect((await service.checkLink(second)).kind).to.equal('valid');
    expect(await service.setPassword(grant, 'ember-quiet-falcon-road', 'ember-quiet-falcon-road', BY_CHAT)).to.include({
      kind: 'linkProblem',
    });
  });

  it('voids every outstanding link when the password changes another way', async () => {
    const token = await issueLink();
    const grant = await grantFor(token);
    // A password change through another route raises the account's credential version.
    const pending = await service.proposePassword(grant, 'ember-quiet-falcon-road', BY_CHAT);
    expect(pending.kind).to.equal('acceptable');
    await service.confirmPassword(
      grant,
      (pending as { pendingHash: string }).pendingHash,
      'ember-quiet-falcon-road',
      BY_CHAT,
    );
    expect((await service.checkLink(token)).kind).to.equal('used');
  });

  it('rejects malformed tokens without looking anything up', async () => {
    for (const token of ['', 'short', 'x'.repeat(44), `${'a'.repeat(42)}!`]) {
      expect((await service.checkLink(token)).kind, token).to.equal('invalid');
    }
  });

  it('keeps the refused password, the history and the change in the order of the rules', async () => {
    const grant = await grantFor(await issueLink());
    const reuse = await service.setPassword(grant, LIAM.password!, LIAM.password!, BY_CHAT);
    expect(reuse).to.deep.equal({ kind: 'refused', refusal: { reason: 'sameAsCurrent' } });
    const mismatch = await service.setPassword(grant, 'ember-quiet-falcon-road', 'ember-quiet-falcon-roat', BY_CHAT);
    expect(mismatch).to.deep.equal({ kind: 'refused', refusal: { reason: 'mismatch' } });
    await service.setPassword(grant, 'ember-quiet-falcon-road', 'ember-quiet-falcon-road', BY_CHAT);
    await tasks.idle();
    expect(notifier.changed).to.deep.equal([LIAM.email]);

    // The old password is now history: a later reset refuses it as used before.
    const next = await grantFor(await issueLink());
    expect(await service.setPassword(next, LIAM.password!, LIAM.password!, BY_CHAT)).to.deep.equal({
      kind: 'refused',
      refusal: { reason: 'usedBefore' },
    });
  });

  it('keeps the passwords the bot sets under one history salt, and the imported one as it was', async () => {
    const imported = (await accountRepo.findByEmail(LIAM.email))!.passwordHash;
    await service.setPassword(
      await grantFor(await issueLink()),
      'ember-quiet-falcon-road',
      'ember-quiet-falcon-road',
      BY_CHAT,
    );
    const grant = await grantFor(await issueLink());
    const pending = await service.proposePassword(grant, 'rode fiets onder de brug', BY_CHAT);
    await service.confirmPassword(
      grant,
      (pending as { pendingHash: string }).pendingHash,
      'rode fiets onder de brug',
      BY_CHAT,
    );

    const account = (await accountRepo.findByEmail(LIAM.email))!;
    const salt = saltOf(account.passwordHistoryHash!)!;
    expect(saltOf(account.previousPasswordHashes[0]!)).to.deep.equal(salt);
    expect(account.previousPasswordHashes[1]).to.equal(imported);
    // The sign-in hash has a salt of its own.
    expect(saltOf(account.passwordHash)).not.to.deep.equal(salt);
    expect((await verifyPassword(account.passwordHash, 'rode fiets onder de brug')).match).to.equal(true);
    for (const [password, reason] of [
      ['rode fiets onder de brug', 'sameAsCurrent'],
      ['ember-quiet-falcon-road', 'usedBefore'],
      [LIAM.password!, 'usedBefore'],
    ] as const) {
      expect(
        await service.setPassword(await grantFor(await issueLink()), password, password, BY_CHAT),
        password,
      ).to.deep.equal({
        kind: 'refused',
        refusal: { reason },
      });
    }
  });

  it('limits requests per address to 5 an hour, with the same answer for unknown addresses', async () => {
    for (const email of [LIAM.email, 'nobody@example.com']) {
      const outcomes = [];
      for (let i = 0; i < 6; i++) outcomes.push(await service.requestEmailReset(email, { via: 'chat', locale: 'en' }));
      expect(
        outcomes.slice(0, 5).every((o) => o.kind === 'accepted'),
        email,
      ).to.equal(true);
      expect(outcomes[5]!.kind, email).to.equal('rateLimited');
      expect((outcomes[5] as { retryAfterMs: number }).retryAfterMs).to.be.within(1, 3600_000);
    }
  });

  it('limits a conversation to 20 requests an hour across addresses', async () => {
    const outcomes = [];
    for (let i = 0; i < 21; i++)
      outcomes.push((await service.requestEmailReset(`person${i}@example.com`, ORIGIN)).kind);
    expect(outcomes.filter((kind) => kind === 'accepted')).to.have.length(20);
    expect(outcomes.at(-1)).to.equal('rateLimited');
  });

  it('records security events without secrets', async () => {
    const token = await issueLink();
    const events = (await audit.readAll()) as Array<{ event: string }>;
    expect(events.map((e) => e.event)).to.include.members(['reset.requested', 'reset.link_sent']);
    expect(JSON.stringify(events)).not.to.contain(token);
  });
});
