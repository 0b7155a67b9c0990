import type { AuditTrail } from '../security/audit.js';
import { cardFingerprint, isLuhnValid, normalizeCardNumber } from '../security/cardFingerprint.js';
import type { RateLimits } from '../security/rateLimits.js';
import type { BackgroundTasks } from '../tasks.js';
import type { Partner } from './partners.js';
import type { RateLimited, RequestOrigin } from './requestLimits.js';
import type { ResetService } from './resetService.js';
import type { Account, AccountRepository } from './types.js';

export interface CardDetails {
  firstName: string;
  lastName: string;
  cardNumber: string;
}

export type CardLookupOutcome = { kind: 'accepted' } | { kind: 'invalidCard' } | { kind: 'invalidName' } | RateLimited;

/** Case, accents, punctuation and surrounding spaces do not count: " Dé Vries-Smit " ≈ "de vries smit". */
export function normalizePersonName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A name a person could have: 1 to 100 characters with at least one letter. */
export function isPlausibleName(name: string): boolean {
  return name.trim().length >= 1 && name.trim().length <= 100 && /\p{L}/u.test(name);
}

export function namesMatch(
  account: Pick<Account, 'firstName' | 'lastName'>,
  details: Omit<CardDetails, 'cardNumber'>,
): boolean {
  return (
    normalizePersonName(account.firstName) === normalizePersonName(details.firstName) &&
    normalizePersonName(account.lastName) === normalizePersonName(details.lastName)
  );
}

export interface BillingRecoveryOptions {
  cardHmacKey: string;
  /** Countries where the route is offered; undefined means everywhere. */
  regions: readonly string[] | undefined;
  partners: readonly Partner[];
}

/**
 * Billing recovery: finding an account through how it pays. A card lookup answers the same whether or not it
 * matched; on a match the email reset's mail goes to the account's own address, which the person never
 * learns. The card number is used for its keyed fingerprint and dropped.
 */
export class BillingRecoveryService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly reset: ResetService,
    private readonly limits: RateLimits,
    private readonly audit: AuditTrail,
    private readonly tasks: BackgroundTasks,
    private readonly options: BillingRecoveryOptions,
  ) {}

  isAvailableIn(region: string): boolean {
    return this.options.regions === undefined || this.options.regions.includes(region.toUpperCase());
  }

  async recoverByCard(
    details: CardDetails,
    origin: RequestOrigin & { conversationId: string },
  ): Promise<CardLookupOutcome> {
    if (!isPlausibleName(details.firstName) || !isPlausibleName(details.lastName)) return { kind: 'invalidName' };
    const digits = normalizeCardNumber(details.cardNumber);
    if (!digits || !isLuhnValid(digits)) return { kind: 'invalidCard' };
    const fingerprint = cardFingerprint(this.options.cardHmacKey, digits);

    for (const decision of [
      await this.limits.billingByConversation(origin.conversationId),
      await this.limits.billingByCard(fingerprint),
    ]) {
      if (!decision.allowed) {
        await this.audit.record({ event: 'billing.rate_limited', via: origin.via });
        return { kind: 'rateLimited', retryAfterMs: decision.retryAfterMs };
      }
    }
    const names = { firstName: details.firstName, lastName: details.lastName };
    this.tasks.run('billing lookup', () => this.mailMatches(fingerprint, names, origin));
    return { kind: 'accepted' };
  }

  /** The partner a person named, by id, name or alias. */
  findPartner(text: string): Partner | undefined {
    const wanted = normalizePersonName(text);
    if (wanted === '') return undefined;
    return this.options.partners.find((partner) =>
      [partner.id, partner.name, ...partner.aliases].some((name) => normalizePersonName(name) === wanted),
    );
  }

  get partners(): readonly Partner[] {
    return this.options.partners;
  }

  private async mailMatches(
    fingerprint: string,
    names: Omit<CardDetails, 'cardNumber'>,
    origin: RequestOrigin,
  ): Promise<void> {
    const matches = (await this.accounts.findByCardFingerprint(fingerprint)).filter((account) =>
      namesMatch(account, names),
    );
    await this.audit.record({
      event: 'billing.lookup',
      via: origin.via,
      detail: { matched: matches.length },
      ...(matches.length === 1 ? { accountId: matches[0]!.id } : {}),
    });
    for (const account of matches) await this.reset.sendLinkToAccount(account, origin);
  }
}
