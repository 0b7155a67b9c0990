import type { Locale } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import type { RateLimits } from '../security/rateLimits.js';

/** Where a request came from, for limits and the audit trail. */
export interface RequestOrigin {
  via: 'chat' | 'web';
  conversationId?: string;
  locale: Locale;
  /** Where the person is (an IANA time zone), when the channel says: times in mails are shown there. */
  timeZone?: string;
}

export type RateLimited = { kind: 'rateLimited'; retryAfterMs: number };

/**
 * The limits on asking for a link or a code, shared by every route. The visible ones
 * count the conversation and the identifier typed, known or not, so the answer never tells
 * whether an account exists; the per-account one is checked out of sight, after the answer.
 */
export class ResetRequestLimits {
  constructor(
    private readonly limits: RateLimits,
    private readonly audit: AuditTrail,
  ) {}

  async checkVisible(identifier: string, origin: RequestOrigin): Promise<RateLimited | undefined> {
    const checks = [
      origin.conversationId === undefined ? undefined : () => this.limits.resetByConversation(origin.conversationId!),
      () => this.limits.resetByIdentifier(identifier),
    ];
    for (const check of checks) {
      if (!check) continue;
      const decision = await check();
      if (!decision.allowed) {
        await this.audit.record({ event: 'reset.rate_limited', via: origin.via });
        return { kind: 'rateLimited', retryAfterMs: decision.retryAfterMs };
      }
    }
    await this.audit.record({ event: 'reset.requested', via: origin.via });
    return undefined;
  }

  /** True when the account may receive another link or code now. */
  async allowAccount(accountId: string, origin: RequestOrigin): Promise<boolean> {
    return (await this.checkAccount(accountId, origin)) === undefined;
  }

  /** The per-account limit, for a signed-in person, to whom it may show. */
  async checkAccount(accountId: string, origin: RequestOrigin): Promise<RateLimited | undefined> {
    const decision = await this.limits.resetByAccount(accountId);
    if (decision.allowed) return undefined;
    await this.audit.record({ event: 'reset.rate_limited', accountId, via: origin.via });
    return { kind: 'rateLimited', retryAfterMs: decision.retryAfterMs };
  }

  /**
   * A text message that could not go out: audited with the class of failure (never the number
   * or the code), and, being our failure rather than the person's, not counted against the account.
   */
  async sendFailed(
    accountId: string,
    origin: RequestOrigin,
    error: unknown,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    const { failure, providerCode } = (error ?? {}) as { failure?: string; providerCode?: number };
    await this.audit.record({
      event: 'reset.send_failed',
      accountId,
      via: origin.via,
      detail: {
        channel: 'sms',
        ...detail,
        failure: failure ?? 'unavailable',
        ...(providerCode ? { providerCode } : {}),
      },
    });
    await this.limits.refundAccount(accountId);
  }
}
