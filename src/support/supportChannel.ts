import type { Escalation } from './escalations.js';
import type { PostedCard, Ticket } from './tickets.js';

/** What a card in the support channel shows: a ticket, or an escalation support started without one. */
export type DeskCardView = { kind: 'ticket'; ticket: Ticket } | { kind: 'escalation'; escalation: Escalation };

/**
 * Where support meets the bot: the support team's channel, where tickets and outcomes are
 * posted, and the customers' conversations, which support hands back to the bot. The Teams
 * implementation (`src/teamsSupportChannel.ts`) owns the proactive turns and the cards; the
 * ticket and escalation services and the desk only speak to this interface.
 */
export interface SupportChannel {
  /** Posts a new ticket's card: where it went, or undefined when no support channel is registered. */
  postTicket(ticket: Ticket): Promise<PostedCard | undefined>;
  /** Replaces a card posted in the support channel with its latest state. */
  showCard(card: PostedCard, view: DeskCardView): Promise<void>;
  /** Posts an escalation's outcome as a message of its own; false when no support channel is registered. */
  postOutcome(escalation: Escalation): Promise<boolean>;
  /** Whether the bot can reach this customer's conversation (it has talked there before). */
  knowsConversation(conversationId: string): Promise<boolean>;
  /** Tells the customer that support is done and the bot answers again; false when the conversation is unknown. */
  handBack(conversationId: string): Promise<boolean>;
  /** Starts the escalation's journey in the customer's conversation; false when the conversation is unknown. */
  startJourney(escalation: Escalation): Promise<boolean>;
}

/** No support channel: tickets go to the outbox, and no conversation can be reached (the dialog tests, the CLI). */
export const NO_SUPPORT_CHANNEL: SupportChannel = {
  postTicket: async () => undefined,
  showCard: async () => undefined,
  postOutcome: async () => false,
  knowsConversation: async () => false,
  handBack: async () => false,
  startJourney: async () => false,
};

/** The support team's channel as an admin registered it. `reference` is opaque here. */
export interface SupportChannelRegistration {
  reference: unknown;
  /** The admin who registered it (Microsoft Entra object id). */
  registeredBy: string;
  registeredAt: string;
}

/** One support channel per bot. */
export interface SupportChannelRepository {
  get(): Promise<SupportChannelRegistration | undefined>;
  register(channel: SupportChannelRegistration): Promise<void>;
}
