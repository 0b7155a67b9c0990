import type { Escalation, EscalationJourney, EscalationService, JourneyStarter } from './escalations.js';
import type { Logger } from '../security/logger.js';
import type { PostedCard, Ticket, TicketService } from './tickets.js';

export type EscalateOutcome =
  { kind: 'started'; escalation: Escalation } | { kind: 'unknownTicket' } | { kind: 'unknownConversation' };

/** What a card in the support channel shows: a ticket, or an escalation support started without one. */
export type DeskCardView = { kind: 'ticket'; ticket: Ticket } | { kind: 'escalation'; escalation: Escalation };

/** How the desk reaches conversations and the support channel; bound by the host, which knows the adapter. */
export interface DeskHost {
  knowsConversation(conversationId: string): Promise<boolean>;
  startJourney: JourneyStarter;
  /** Tells the person's conversation that support is done. */
  release(conversationId: string): Promise<unknown>;
  /** Replaces a card posted in the support channel with its latest state. */
  showCard(card: PostedCard, view: DeskCardView): Promise<unknown>;
  /** Posts an escalation's outcome in the support channel as a message of its own. */
  postOutcome(escalation: Escalation): Promise<unknown>;
  /** Runs work on the channel after the caller has had its answer (failures are logged there). */
  later(name: string, task: () => Promise<void>): void;
}

/**
 * What support can do, the same from the HTTP API and from the support team's Teams channel:
 * hand a customer to a journey (by conversation or by the ticket the bot opened), and complete
 * a ticket so the bot answers the person again. It keeps the cards in the channel up to date.
 */
export class SupportDesk {
  /** The last update queued for each card, so updates to one card run in order. */
  private readonly cardUpdates = new Map<string, Promise<void>>();

  constructor(
    private readonly tickets: TicketService,
    private readonly escalations: EscalationService,
    private readonly host: DeskHost,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async escalate(
    target: { ticketId: string } | { conversationId: string },
    journey: EscalationJourney,
    by: string,
  ): Promise<EscalateOutcome> {
    let ticket: Ticket | undefined;
    let conversationId: string;
    if ('ticketId' in target) {
      ticket = await this.tickets.get(target.ticketId);
      if (!ticket) return { kind: 'unknownTicket' };
      conversationId = ticket.conversationId;
    } else {
      conversationId = target.conversationId;
      // A person waiting for an agent is handed to the bot all the same: that ticket is the one.
      ticket = await this.tickets.openFor(conversationId);
    }
    if (!(await this.host.knowsConversation(conversationId))) return { kind: 'unknownConversation' };
    // Handing the person back to the bot ends the wait for an agent.
    if (ticket?.state === 'open') await this.tickets.complete(ticket.id, by);
    const escalation = await this.escalations.start(
      { conversationId, journey, by, ...(ticket ? { ticketId: ticket.id } : {}) },
      this.host.startJourney,
    );
    if (ticket) await this.noteOnTicket(escalation);
    return { kind: 'started', escalation };
  }

  /** Undefined when no open ticket has that id. */
  async completeTicket(ticketId: string, by: string): Promise<Ticket | undefined> {
    const ticket = await this.tickets.complete(ticketId, by);
    // The ticket is done whatever the chat hears; the operator learns when it did not.
    if (ticket)
      await this.host
        .release(ticket.conversationId)
        .catch((error: unknown) => this.logger.warn('customer not told support is done', { ticketId, error }));
    return ticket;
  }

  /** A ticket was completed or withdrawn: its card says so and loses its button. */
  ticketSettled(ticket: Ticket): void {
    if (ticket.card) this.refreshTicketCard(ticket.id);
  }

  /**
   * A journey support started has ended: the outcome goes on the ticket's card, else on the
   * escalation's own card, else (an API call with neither) into the channel as a message.
   */
  async escalationSettled(escalation: Escalation): Promise<void> {
    if (await this.noteOnTicket(escalation)) return;
    const { card } = escalation;
    if (card) this.updateCard(escalation.id, () => this.host.showCard(card, { kind: 'escalation', escalation }));
    else this.host.later('support outcome', async () => void (await this.host.postOutcome(escalation)));
  }

  /** Keeps the escalation's state on its ticket; true when that ticket has a card to show it on. */
  private async noteOnTicket(escalation: Escalation): Promise<boolean> {
    if (!escalation.ticketId) return false;
    const { id, journey, state } = escalation;
    const ticket = await this.tickets.noteEscalation(escalation.ticketId, { id, journey, state });
    if (!ticket?.card) return false;
    this.refreshTicketCard(ticket.id);
    return true;
  }

  /** Shows the ticket as it is when the update runs, so the last update always shows the latest state. */
  private refreshTicketCard(ticketId: string): void {
    this.updateCard(ticketId, async () => {
      const ticket = await this.tickets.get(ticketId);
      if (ticket?.card) await this.host.showCard(ticket.card, { kind: 'ticket', ticket });
    });
  }

  /** Card updates run later, one after another per card. */
  private updateCard(key: string, update: () => Promise<unknown>): void {
    const previous = this.cardUpdates.get(key) ?? Promise.resolve();
    const queued = previous.then(async () => void (await update()));
    // Only keeps the chain going: the failure itself is logged by the background task below.
    const settled = queued.catch(() => undefined);
    this.cardUpdates.set(key, settled);
    this.host.later('support card', async () => {
      try {
        await queued;
      } finally {
        if (this.cardUpdates.get(key) === settled) this.cardUpdates.delete(key);
      }
    });
  }
}
