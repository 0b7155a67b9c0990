import { randomUUID } from 'node:crypto';
import type { AuditTrail } from '../security/audit.js';
import type { LimitDecision } from '../security/rateLimits.js';
import { redactText } from '../security/redact.js';
import { stepIs } from '../steps.js';
import type { Logger } from '../security/logger.js';
import { CardUpdates, type PromisedTasks } from './cardUpdates.js';
import type { SupportChannel } from './supportChannel.js';

/** One line of what the person said, as the ticket may show it. */
export interface SummaryLine {
  /** The step the bot was at (a prompt id such as `email` or `password`). */
  step: string;
  text: string;
}

/** What the person said at a step, and the choice the bot understood it as, if any. */
export interface SaidLine extends SummaryLine {
  choice?: string;
}

export type TicketState = 'open' | 'completed' | 'cancelled';

/** Why the person was handed to an agent: they asked, or the journey could not go on. */
export type HandoffReason = 'asked' | 'noCardPayment' | 'regionUnavailable' | 'limitsReached' | 'repeatedFailure';

/** A card the bot posted in the support channel, kept to update it in place. `reference` is opaque here. */
export interface PostedCard {
  reference: unknown;
  activityId: string;
}

/** The latest journey support handed the person to from a ticket, as its card shows it. */
export interface TicketEscalation {
  id: string;
  journey: string;
  state: string;
}

export interface Ticket {
  id: string;
  conversationId: string;
  locale: string;
  /** The journey and step the person had reached when they asked for a person. */
  journey: string | undefined;
  step: string | undefined;
  /** Absent on tickets opened before reasons were recorded. */
  reason?: HandoffReason;
  /** Only when the person is signed in (or support matched them): never guessed from what was typed. */
  accountId?: string;
  summary: SummaryLine[];
  state: TicketState;
  /** Who closed it: the agent, `api`, `channel` (its hand-off service) or `person`. */
  settledBy?: string;
  escalation?: TicketEscalation;
  /** The ticket's card in the support channel, when it was posted there. */
  card?: PostedCard;
  createdAt: string;
  updatedAt: string;
}

export interface TicketRepository {
  put(ticket: Ticket): Promise<void>;
  /** The conversation's open ticket, if any. */
  openFor(conversationId: string): Promise<Ticket | undefined>;
  get(id: string): Promise<Ticket | undefined>;
  update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | undefined>;
}

/** Where a ticket goes when no support channel takes it (the outbox file). */
export interface TicketSink {
  deliver(ticket: Ticket): Promise<void>;
}

/**
 * How tickets reach support: the support team's channel when one is registered and reachable,
 * else the outbox, so no ticket is ever lost (it is stored before it is delivered). Delivery and
 * card updates are promised tasks, done after the person's answer (a slow or unreachable channel
 * never holds up the chat) and, on PostgreSQL, by any instance.
 */
export interface TicketDelivery {
  channel: Pick<SupportChannel, 'postTicket' | 'showCard'>;
  outbox: TicketSink;
  tasks: PromisedTasks;
}

const DELIVER_TICKET = 'support.deliver-ticket';
const SHOW_TICKET_CARD = 'support.show-ticket-card';
type TicketTask = { ticketId: string };

/**
 * The person's recent messages, made safe for a ticket. Free text can hold a password in any
 * shape ("my password is …"), which no pattern can be sure to catch, so only what the bot
 * understood is kept: the choice made, and at the address and number steps the masked identifier.
 * Anything else shows as withheld, with its length; secret steps show nothing at all.
 */
export function redactedSummary(lines: readonly SaidLine[]): SummaryLine[] {
  return lines.map(({ step, text, choice }) => {
    // A secret step's answer: the ticket says something was typed there, never what.
    if (stepIs(step, 'secret')) return { step, text: '[hidden: typed at a secret step]' };
    if (choice) return { step, text: `[chose: ${choice}]` };
    const identifiers = stepIs(step, 'identifier') ? maskedIdentifiersIn(text) : [];
    if (identifiers.length > 0) return { step, text: identifiers.join(' ') };
    return { step, text: `[free text withheld: ${[...text].length} characters]` };
  });
}

/** The masked email addresses and phone numbers in a text, and nothing else of it. */
function maskedIdentifiersIn(text: string): string[] {
  return redactText(text).match(/[A-Za-z0-9]\*\*\*@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\[phone …\d{2}\]/g) ?? [];
}

/**
 * Bot → person (the handover): a ticket with a redacted summary for an agent, and its life until support
 * completes it or the person withdraws it. States only move from open.
 */
export class TicketService {
  private readonly cards: CardUpdates;

  constructor(
    private readonly tickets: TicketRepository,
    private readonly delivery: TicketDelivery,
    private readonly audit: AuditTrail,
    private readonly limits: {
      ticket(from: { conversationId: string; clientAddress?: string }): Promise<LimitDecision>;
    },
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cards = new CardUpdates();
    delivery.tasks.handle<TicketTask>(DELIVER_TICKET, ({ ticketId }) => this.deliver(ticketId));
    delivery.tasks.handle<TicketTask>(SHOW_TICKET_CARD, ({ ticketId }) => this.showCard(ticketId));
  }

  /** The new ticket, or undefined when the conversation, its address or everyone together opened their share this hour. */
  async open(request: {
    conversationId: string;
    locale: string;
    journey?: string;
    step?: string;
    reason: HandoffReason;
    accountId?: string;
    /** Already made safe by redactedSummary. */
    recent: readonly SummaryLine[];
    /** Where the person writes from, when the bot knows (its own web chat); only counted, never kept. */
    clientAddress?: string;
  }): Promise<Ticket | undefined> {
    const { conversationId, clientAddress } = request;
    if (!(await this.limits.ticket({ conversationId, ...(clientAddress ? { clientAddress } : {}) })).allowed) {
      await this.audit.record({
        event: 'support.handoff_limited',
        via: 'chat',
        detail: { conversationId: request.conversationId, reason: request.reason },
      });
      return undefined;
    }
    const at = this.now().toISOString();
    const ticket: Ticket = {
      id: `T-${randomUUID().slice(0, 8).toUpperCase()}`,
      conversationId: request.conversationId,
      locale: request.locale,
      journey: request.journey,
      step: request.step,
      reason: request.reason,
      ...(request.accountId ? { accountId: request.accountId } : {}),
      // Redacted once more on the way out, in case a caller ever passes something unprepared.
      summary: request.recent.map(({ step, text }) => ({ step, text: redactText(text) })),
      state: 'open',
      createdAt: at,
      updatedAt: at,
    };
    await this.tickets.put(ticket);
    await this.delivery.tasks.promise<TicketTask>(DELIVER_TICKET, { ticketId: ticket.id });
    await this.audit.record({
      event: 'support.handoff_requested',
      ...(ticket.accountId ? { accountId: ticket.accountId } : {}),
      via: 'chat',
      detail: {
        ticketId: ticket.id,
        conversationId: ticket.conversationId,
        journey: ticket.journey ?? null,
        reason: ticket.reason ?? null,
      },
    });
    return ticket;
  }

  get(id: string): Promise<Ticket | undefined> {
    return this.tickets.get(id);
  }

  openFor(conversationId: string): Promise<Ticket | undefined> {
    return this.tickets.openFor(conversationId);
  }

  /** Support is done with the person; undefined when no open ticket has that id. */
  complete(id: string, by: string): Promise<Ticket | undefined> {
    return this.settle(id, 'completed', by);
  }

  /** The person no longer waits. */
  cancel(id: string): Promise<Ticket | undefined> {
    return this.settle(id, 'cancelled', 'person');
  }

  /**
   * Support handed the person to a journey from this ticket, or that journey moved on: the ticket
   * keeps its state. True when the ticket has a card in the support channel, which will show it.
   */
  async noteEscalation(id: string, escalation: TicketEscalation): Promise<boolean> {
    const ticket = await this.tickets.update(id, (current) => ({
      ...current,
      escalation,
      updatedAt: this.now().toISOString(),
    }));
    if (!ticket?.card) return false;
    await this.refreshCard(ticket.id);
    return true;
  }

  /** To the support channel, else to the outbox; once posted, the ticket knows its card. */
  private async deliver(ticketId: string): Promise<void> {
    const ticket = await this.tickets.get(ticketId);
    if (!ticket || ticket.card) return;
    const card = await this.delivery.channel.postTicket(ticket).catch((error: unknown) => {
      this.logger.warn('ticket not posted to the support channel; it goes to the outbox', { ticketId, error });
      return undefined;
    });
    if (!card) return this.delivery.outbox.deliver(ticket);
    await this.tickets.update(ticketId, (current) => ({ ...current, card }));
  }

  /** The ticket's card shows it again, with its latest state (after the caller's answer). */
  private refreshCard(ticketId: string): Promise<void> {
    return this.delivery.tasks.promise<TicketTask>(SHOW_TICKET_CARD, { ticketId });
  }

  /**
   * Shows the ticket on its card as it is when the update runs. The ticket's state does not
   * depend on its card: the operator learns why the card did not follow.
   */
  private showCard(ticketId: string): Promise<void> {
    return this.cards.run(ticketId, async () => {
      const ticket = await this.tickets.get(ticketId);
      if (!ticket?.card) return;
      await this.delivery.channel
        .showCard(ticket.card, { kind: 'ticket', ticket })
        .catch((error: unknown) => this.logger.warn('ticket card not updated', { ticketId, error }));
    });
  }

  private async settle(id: string, state: Exclude<TicketState, 'open'>, by: string): Promise<Ticket | undefined> {
    let changed = false;
    const ticket = await this.tickets.update(id, (current) => {
      if (current.state !== 'open') return current;
      changed = true;
      return { ...current, state, settledBy: by, updatedAt: this.now().toISOString() };
    });
    if (!ticket || !changed) return undefined;
    await this.audit.record({
      event: state === 'completed' ? 'support.handoff_completed' : 'support.handoff_cancelled',
      via: by,
      detail: { ticketId: id, conversationId: ticket.conversationId, by },
    });
    // A settled ticket's card says so and loses its button.
    if (ticket.card) await this.refreshCard(ticket.id);
    return ticket;
  }
}
