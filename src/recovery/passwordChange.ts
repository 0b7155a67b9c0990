import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../security/audit.js';
import type { RateLimits } from '../security/rateLimits.js';
import { checkAccountPassword } from './accounts.js';
import { hashSecret, newLinkToken } from './secrets.js';
import type { Account, AccountRepository, ResetGrant, ResetRequestRepository } from './types.js';

/** How long the new-password step stays open after the current password was confirmed. */
export const PASSWORD_CHANGE_WINDOW_MS = 15 * 60_000;

export type CurrentPasswordCheck =
  | { kind: 'verified'; grant: ResetGrant }
  | { kind: 'wrong'; triesLeft: number }
  | { kind: 'locked'; retryAfterMs: number };

export type CurrentPasswordFailure = Exclude<CurrentPasswordCheck, { kind: 'verified' }>;

export interface PasswordChangeOptions {
  now?: () => Date;
}

/**
 * The password change for a signed-in person: the current password opens the same new-password step that a
 * reset link or code opens, through a grant bound to the conversation, so the change has the
 * same rules and after-effects as a reset. Ten failed checks in an hour lock the journey.
 */
export class PasswordChangeService {
  private readonly now: () => Date;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly requests: ResetRequestRepository,
    private readonly limits: RateLimits,
    private readonly audit: AuditTrail,
    options: PasswordChangeOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Locked before anything is asked, so a locked person is not made to type the password. */
  async lockOf(accountId: string): Promise<{ kind: 'locked'; retryAfterMs: number } | undefined> {
    const state = await this.limits.currentPasswordLock(accountId);
    return state.locked ? { kind: 'locked', retryAfterMs: state.retryAfterMs } : undefined;
  }

  /**
   * The current password of a signed-in person, before a change that needs it (the phone number,
   * the phone number change): failures count towards the same lock as the password change's.
   */
  async verifyCurrentPassword(
    accountId: string,
    password: string,
  ): Promise<CurrentPasswordFailure | { kind: 'verified' }> {
    const outcome = await this.verify(accountId, password);
    return outcome.kind === 'verified' ? { kind: 'verified' } : outcome;
  }

  /** Password change: the current password, then a grant that opens the new-password step for this conversation. */
  async checkCurrentPassword(
    accountId: string,
    password: string,
    conversationId: string,
  ): Promise<CurrentPasswordCheck> {
    const outcome = await this.verify(accountId, password);
    if (outcome.kind !== 'verified') return outcome;
    const issuedAt = this.now();
    const request = {
      id: randomUUID(),
      accountId,
      purpose: 'password-change' as const,
      conversationId,
      // Nothing is ever redeemed with it; a random hash keeps the secret index unambiguous.
      secretHash: hashSecret(newLinkToken()),
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + PASSWORD_CHANGE_WINDOW_MS).toISOString(),
      credentialVersion: outcome.account.credentialVersion,
    };
    await this.requests.replace(request);
    return { kind: 'verified', grant: { requestId: request.id, accountId, purpose: request.purpose } };
  }

  private async verify(
    accountId: string,
    password: string,
  ): Promise<CurrentPasswordFailure | { kind: 'verified'; account: Account }> {
    const locked = await this.lockOf(accountId);
    if (locked) return locked;
    const account = await this.accounts.findById(accountId);
    if (account && (await checkAccountPassword(this.accounts, account, password))) {
      await this.audit.record({ event: 'password.current_verified', accountId, via: 'chat' });
      return { kind: 'verified', account };
    }
    return this.failed(accountId);
  }

  private async failed(accountId: string): Promise<CurrentPasswordFailure> {
    const state = await this.limits.currentPasswordFailed(accountId);
    await this.audit.record({
      event: state.locked ? 'password.current_locked' : 'password.current_failed',
      accountId,
      via: 'chat',
    });
    return state.locked
      ? { kind: 'locked', retryAfterMs: state.retryAfterMs }
      : { kind: 'wrong', triesLeft: state.failuresLeft };
  }
}
