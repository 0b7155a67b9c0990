import { randomUUID } from 'node:crypto';
import type { Locale } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import { SerialQueue } from '../store/serialQueue.js';
import type { BackgroundTasks } from '../tasks.js';
import { isPlausibleEmail, normalizeEmail, personalWordsOf } from './accounts.js';
import type { AccountNotifier } from './notifications.js';
import { hashPassword, verifyPassword } from './passwordHasher.js';
import type { RateLimited, RequestOrigin, ResetRequestLimits } from './requestLimits.js';
import { linkProblemOf, type LinkProblem } from './requestRules.js';
import type { PasswordPolicy, PasswordRefusal } from './passwordPolicy.js';
import { hashSecret, isWellFormedLinkToken, newLinkToken } from './secrets.js';
import type { Account, AccountRepository, ResetGrant, ResetRequest, ResetRequestRepository } from './types.js';

/** Who is setting a password: for the audit trail and the language of the notice. */
export interface PasswordOrigin {
  via: 'chat' | 'web';
  locale: Locale;
  /** Where the person is (an IANA time zone), when the channel says: times in mails are shown there. */
  timeZone?: string;
}

export type ResetRequestOutcome = { kind: 'accepted' } | { kind: 'invalidEmail' } | RateLimited;

export type { LinkProblem };

export type LinkCheck =
  | { kind: 'valid'; grant: ResetGrant; locale: Locale | undefined }
  /** A known link that no longer works: the grant lets the person ask for a new one in one step. */
  | { kind: 'expired' | 'used'; grant: ResetGrant; locale: Locale | undefined }
  | { kind: 'invalid' };

/** The link behind a grant stopped working while the person was choosing a password. */
export type GrantProblem = { kind: 'linkProblem'; problem: LinkProblem; grant: ResetGrant };

export type PasswordOutcome = { kind: 'changed' } | { kind: 'refused'; refusal: PasswordRefusal } | GrantProblem;

/** `pendingHash` is the first entry in the history form, which the second entry is checked against. */
export type ProposalOutcome =
  { kind: 'acceptable'; pendingHash: string } | { kind: 'refused'; refusal: PasswordRefusal } | GrantProblem;

/** A password about to be taken: its hash for signing in, and its history form. */
interface NewPassword {
  hash: string;
  historyHash: string;
}

export interface ResetServiceOptions {
  linkTtlMs: number;
  passwordHistory: number;
  publicBaseUrl: string;
  now?: () => Date;
  /**
   * Runs changes that belong together so that they are stored together or not at all (a database
   * transaction); without it they simply run one after another.
   */
  atomically?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** The account's credentials changed between the grant's check and the write: the grant is spent. */
class CredentialsMoved extends Error {
  override readonly name = 'CredentialsMoved';
}

/**
 * The promised tasks of this service: a link for whoever owns the address, or for a known
 * account, and the notice that the password changed. A link task makes the link and sends it in
 * one go, so a task done again after a crash makes a fresh link (voiding the first) and sends it.
 */
const SEND_LINK_TO_ADDRESS = 'reset.link-to-address';
const SEND_LINK_TO_ACCOUNT = 'reset.link-to-account';
const PASSWORD_CHANGED_NOTICE = 'reset.password-changed-notice';
type LinkForAddress = { email: string; origin: RequestOrigin };
type LinkForAccount = { accountId: string; origin: RequestOrigin };
type ChangedNotice = { accountId: string; locale: Locale; changedAt: string; timeZone?: string };

/**
 * Reset links (the email reset) and the new-password step behind every route: the one place that decides,
 * used alike by the chat and by the web page.
 */
export class ResetService {
  private readonly perAccount = new SerialQueue();
  private readonly now: () => Date;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly requests: ResetRequestRepository,
    private readonly policy: PasswordPolicy,
    private readonly notifier: AccountNotifier,
    private readonly requestLimits: ResetRequestLimits,
    private readonly audit: AuditTrail,
    private readonly tasks: BackgroundTasks,
    private readonly options: ResetServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    tasks.handle<LinkForAddress>(SEND_LINK_TO_ADDRESS, ({ email, origin }) => this.sendLinkToAddress(email, origin));
    tasks.handle<LinkForAccount>(SEND_LINK_TO_ACCOUNT, async ({ accountId, origin }) => {
      const account = await this.accounts.findById(accountId);
      if (account) await this.sendLinkToAccount(account, origin);
    });
    tasks.handle<ChangedNotice>(PASSWORD_CHANGED_NOTICE, async ({ accountId, locale, changedAt, timeZone }) => {
      const account = await this.accounts.findById(accountId);
      if (account) await this.notifier.passwordChanged(account, locale, new Date(changedAt), timeZone);
    });
  }

  /**
   * Asks for a reset email. The answer depends only on the address's shape and on limits that
   * count the address itself, so it is the same, and as fast, for addresses with and without an
   * account; the lookup and the mail happen after the answer.
   */
  async requestEmailReset(emailText: string, origin: RequestOrigin): Promise<ResetRequestOutcome> {
    if (!isPlausibleEmail(emailText)) return { kind: 'invalidEmail' };
    const email = normalizeEmail(emailText);
    const limited = await this.requestLimits.checkVisible(email, origin);
    if (limited) return limited;
    await this.tasks.promise<LinkForAddress>(SEND_LINK_TO_ADDRESS, { email, origin });
    return { kind: 'accepted' };
  }

  /** "Send me a new link" from a dead link: the new email goes to the account's own address. */
  async renewLink(grant: ResetGrant, origin: RequestOrigin): Promise<ResetRequestOutcome> {
    const account = await this.accounts.findById(grant.accountId);
    if (!account) return { kind: 'accepted' };
    const limited = await this.requestLimits.checkVisible(account.email, origin);
    if (limited) return limited;
    await this.tasks.promise<LinkForAccount>(SEND_LINK_TO_ACCOUNT, { accountId: account.id, origin });
    return { kind: 'accepted' };
  }

  async checkLink(token: string): Promise<LinkCheck> {
    if (!isWellFormedLinkToken(token)) return { kind: 'invalid' };
    const request = await this.requests.findBySecretHash(hashSecret(token));
    const account = request ? await this.accounts.findById(request.accountId) : undefined;
    if (!request || !account || request.purpose !== 'email-link') return { kind: 'invalid' };
    const grant: ResetGrant = { requestId: request.id, accountId: account.id, purpose: 'email-link' };
    const problem = linkProblemOf(request, account, this.now());
    if (problem) await this.audit.record({ event: 'reset.link_rejected', accountId: account.id, detail: { problem } });
    return { kind: problem ?? 'valid', grant, locale: account.locale };
  }

  /** The card and the web form: both entries at once. */
  async setPassword(
    grant: ResetGrant,
    password: string,
    confirm: string,
    origin: PasswordOrigin,
  ): Promise<PasswordOutcome> {
    return this.changePassword(grant, origin, async (account) => {
      const check = await this.policy.checkCandidate(password, this.passwordContext(account));
      if (check.kind === 'refused') return check.refusal;
      const mismatch = this.policy.checkConfirmation(password, confirm);
      if (mismatch) return mismatch;
      return { hash: await hashPassword(this.policy.normalize(password)), historyHash: check.historyHash };
    });
  }

  /** Typed in chat, first entry: checked now, kept only as its argon2 hash until it is typed again. */
  async proposePassword(grant: ResetGrant, password: string, origin: PasswordOrigin): Promise<ProposalOutcome> {
    const live = await this.liveGrant(grant);
    if (live.kind === 'linkProblem') return live;
    const check = await this.policy.checkCandidate(password, this.passwordContext(live.account));
    if (check.kind === 'refused') return this.refuse(live.account, check.refusal, origin);
    return { kind: 'acceptable', pendingHash: check.historyHash };
  }

  /** Typed in chat, second entry: it must match the first, whose hash becomes the new password. */
  async confirmPassword(
    grant: ResetGrant,
    pendingHash: string,
    confirm: string,
    origin: PasswordOrigin,
  ): Promise<PasswordOutcome> {
    return this.changePassword(grant, origin, async () => {
      const normalized = this.policy.normalize(confirm);
      if (!(await verifyPassword(pendingHash, normalized)).match) return { reason: 'mismatch' };
      return { hash: await hashPassword(normalized), historyHash: pendingHash };
    });
  }

  /**
   * One change at a time per account: the grant must still be live, then `decide` returns the
   * new password's hashes or why the password is refused.
   */
  private async changePassword(
    grant: ResetGrant,
    origin: PasswordOrigin,
    decide: (account: Account) => Promise<PasswordRefusal | NewPassword>,
  ): Promise<PasswordOutcome> {
    return this.perAccount.run(grant.accountId, async () => {
      const live = await this.liveGrant(grant);
      if (live.kind === 'linkProblem') return live;
      const decision = await decide(live.account);
      if ('reason' in decision) return this.refuse(live.account, decision, origin);
      try {
        await this.applyNewPassword(live.account, live.request, decision, origin);
      } catch (error) {
        // Another instance used this grant (or changed the password) first: this one is spent.
        if (error instanceof CredentialsMoved) return { kind: 'linkProblem', problem: 'used', grant };
        throw error;
      }
      return { kind: 'changed' };
    });
  }

  private async sendLinkToAddress(email: string, origin: RequestOrigin): Promise<void> {
    const account = await this.accounts.findByEmail(email);
    if (account) await this.sendLinkToAccount(account, origin);
  }

  /** The email reset's email for an account found another way (billing details): to its own address, limits applied. */
  async sendLinkToAccount(account: Account, origin: RequestOrigin): Promise<void> {
    if (!(await this.requestLimits.allowAccount(account.id, origin))) return;
    const token = newLinkToken();
    const issuedAt = this.now();
    const request: ResetRequest = {
      id: randomUUID(),
      accountId: account.id,
      purpose: 'email-link',
      secretHash: hashSecret(token),
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + this.options.linkTtlMs).toISOString(),
      credentialVersion: account.credentialVersion,
    };
    await this.requests.replace(request);
    const link = `${this.options.publicBaseUrl}/reset?token=${token}`;
    try {
      await this.notifier.resetLink(account, account.locale ?? origin.locale, link, this.options.linkTtlMs);
      await this.audit.record({ event: 'reset.link_sent', accountId: account.id, via: origin.via });
    } catch (error) {
      await this.audit.record({
        event: 'reset.send_failed',
        accountId: account.id,
        via: origin.via,
        detail: { error: error instanceof Error ? error.message : String(error) },
      });
      throw error;
    }
  }

  private async liveGrant(
    grant: ResetGrant,
  ): Promise<{ kind: 'live'; account: Account; request: ResetRequest } | GrantProblem> {
    const account = await this.accounts.findById(grant.accountId);
    const request = account ? await this.requests.findCurrent(account.id, grant.purpose) : undefined;
    // A newer link replaced this one: it is used up as far as the person is concerned.
    if (!account || !request || request.id !== grant.requestId) return { kind: 'linkProblem', problem: 'used', grant };
    const problem = linkProblemOf(request, account, this.now());
    return problem ? { kind: 'linkProblem', problem, grant } : { kind: 'live', account, request };
  }

  private passwordContext(account: Account) {
    return {
      currentHash: account.passwordHash,
      ...(account.passwordHistoryHash ? { currentHistoryHash: account.passwordHistoryHash } : {}),
      previousHashes: account.previousPasswordHashes,
      personalWords: personalWordsOf(account),
    };
  }

  private async refuse(
    account: Account,
    refusal: PasswordRefusal,
    origin: PasswordOrigin,
  ): Promise<{ kind: 'refused'; refusal: PasswordRefusal }> {
    await this.audit.record({
      event: 'password.refused',
      accountId: account.id,
      via: origin.via,
      detail: { reason: refusal.reason },
    });
    return { kind: 'refused', refusal };
  }

  /** The new hash, the old one kept for the history rule, every link, code and session voided. */
  private async applyNewPassword(
    account: Account,
    request: ResetRequest,
    password: NewPassword,
    origin: PasswordOrigin,
  ): Promise<void> {
    const changedAt = this.now();
    const atomically = this.options.atomically ?? ((work) => work());
    // The new password (whose new credential version voids every other link, code and grant), the
    // used request, the audit event and the promised notice are stored together or not at all.
    await atomically(async () => {
      const updated = await this.accounts.update(account.id, (current) => {
        // The account as it is under the row lock: if its credentials moved since the grant was
        // checked, a change made elsewhere (another instance) came first.
        if (current.credentialVersion !== account.credentialVersion) throw new CredentialsMoved();
        return {
          ...current,
          passwordHash: password.hash,
          passwordHistoryHash: password.historyHash,
          // The old password in its history form where it has one, so the next check costs one computation.
          previousPasswordHashes: [
            current.passwordHistoryHash ?? current.passwordHash,
            ...current.previousPasswordHashes,
          ].slice(0, this.options.passwordHistory),
          credentialVersion: current.credentialVersion + 1,
          updatedAt: changedAt.toISOString(),
        };
      });
      await this.requests.markUsed(request, changedAt);
      await this.audit.record({ event: 'password.changed', accountId: account.id, via: origin.via });
      const recipient = updated ?? account;
      await this.tasks.promise<ChangedNotice>(PASSWORD_CHANGED_NOTICE, {
        accountId: recipient.id,
        locale: recipient.locale ?? origin.locale,
        changedAt: changedAt.toISOString(),
        ...(origin.timeZone ? { timeZone: origin.timeZone } : {}),
      });
    });
  }
}
