import type { Locale } from '../config.js';
import type { PasswordRefusal } from './passwordPolicy.js';
import type { GrantProblem, ResetService } from './resetService.js';
import { hashSecret, isWellFormedLinkToken, newLinkToken } from './secrets.js';
import type { ResetGrant } from './types.js';

/** How long a page opened from the chat stays usable. */
export const PASSWORD_PAGE_TTL_MS = 15 * 60_000;

/**
 * A new-password step the chat offered as a page (the Teams dialog): the grant it finishes, and
 * where to tell the chat when it is done. `reply` is the channel's conversation reference, kept
 * as opaque data: the domain never reads it.
 */
export interface PasswordPageOffer {
  conversationId: string;
  grant: ResetGrant;
  locale: Locale;
  reply: unknown;
  /** SHA-256 of the page's one-time token, once the page was opened. */
  ticketHash?: string;
  ticketExpiresAt?: string;
}

export interface PasswordPageRepository {
  /** One offer per conversation; a newer one replaces it. */
  putOffer(offer: PasswordPageOffer): Promise<void>;
  getOffer(conversationId: string): Promise<PasswordPageOffer | undefined>;
  /** Stores the opened page's ticket on the offer and indexes it. */
  openTicket(conversationId: string, ticketHash: string, expiresAt: string): Promise<void>;
  findByTicket(ticketHash: string): Promise<PasswordPageOffer | undefined>;
  deleteOffer(conversationId: string): Promise<void>;
}

export type PageSubmitOutcome =
  | { kind: 'changed'; offer: PasswordPageOffer }
  | { kind: 'refused'; refusal: PasswordRefusal; locale: Locale }
  | { kind: 'invalid' }
  | (GrantProblem & { locale: Locale });

/**
 * The new-password step on a page opened from the chat: the chat offers its grant, opening the page makes a
 * one-time token for it, and the password posted with that token goes through the same
 * ResetService.setPassword as a card. Tokens are 256-bit, stored hashed, short-lived and bound
 * to one conversation's offer; a finished change deletes the offer, so a token works once.
 */
export class PasswordPageService {
  private readonly now: () => Date;

  constructor(
    private readonly pages: PasswordPageRepository,
    private readonly reset: ResetService,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  offer(offer: Omit<PasswordPageOffer, 'ticketHash' | 'ticketExpiresAt'>): Promise<void> {
    return this.pages.putOffer(offer);
  }

  /** The token for a page that finishes this conversation's offer; undefined when nothing is offered. */
  async open(conversationId: string): Promise<{ token: string; locale: Locale } | undefined> {
    const offer = await this.pages.getOffer(conversationId);
    if (!offer) return undefined;
    const token = newLinkToken();
    const expiresAt = new Date(this.now().getTime() + PASSWORD_PAGE_TTL_MS).toISOString();
    await this.pages.openTicket(conversationId, hashSecret(token), expiresAt);
    return { token, locale: offer.locale };
  }

  /** The live offer behind a token, for showing the page. */
  async check(token: string): Promise<PasswordPageOffer | undefined> {
    if (!isWellFormedLinkToken(token)) return undefined;
    const offer = await this.pages.findByTicket(hashSecret(token));
    if (!offer?.ticketExpiresAt || this.now().getTime() >= Date.parse(offer.ticketExpiresAt)) return undefined;
    return offer;
  }

  async submit(token: string, password: string, confirm: string): Promise<PageSubmitOutcome> {
    const offer = await this.check(token);
    if (!offer) return { kind: 'invalid' };
    const outcome = await this.reset.setPassword(offer.grant, password, confirm, { via: 'web', locale: offer.locale });
    switch (outcome.kind) {
      case 'changed':
        await this.pages.deleteOffer(offer.conversationId);
        return { kind: 'changed', offer };
      case 'refused':
        return { kind: 'refused', refusal: outcome.refusal, locale: offer.locale };
      case 'linkProblem':
        await this.pages.deleteOffer(offer.conversationId);
        return { ...outcome, locale: offer.locale };
    }
  }

  /** The chat finished or left the step: its page no longer works. */
  withdraw(conversationId: string): Promise<void> {
    return this.pages.deleteOffer(conversationId);
  }
}
