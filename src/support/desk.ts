import type { Escalation, EscalationJourney, EscalationService, JourneyStarter } from './escalations.js';
import type { Ticket, TicketService } from './tickets.js';

export type EscalateOutcome =
  { kind: 'started'; escalation: Escalation } | { kind: 'unknownTicket' } | { kind: 'unknownConversation' };

/**
 * What support can do, the same from the HTTP API and from the support team's Teams channel:
 * hand a customer to a journey (by conversation or by the ticket the bot opened), and complete
 * a ticket so the bot answers the person again.
 */
export class SupportDesk {
  constructor(
    private readonly tickets: TicketService,
    private readonly escalations: EscalationService,
    private readonly host: {
      knowsConversation(conversationId: string): Promise<boolean>;
      startJourney: JourneyStarter;
      /** Tells the person's conversation that support is done. */
      release(conversationId: string): Promise<unknown>;
    },
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
    } else conversationId = target.conversationId;
    if (!(await this.host.knowsConversation(conversationId))) return { kind: 'unknownConversation' };
    // Handing the person back to the bot ends the wait for an agent.
    if (ticket?.state === 'open') await this.tickets.complete(ticket.id, by);
    return {
      kind: 'started',
      escalation: await this.escalations.start(conversationId, journey, by, this.host.startJourney),
    };
  }

  /** Undefined when no open ticket has that id. */
  async completeTicket(ticketId: string, by: string): Promise<Ticket | undefined> {
    const ticket = await this.tickets.complete(ticketId, by);
    if (ticket) await this.host.release(ticket.conversationId).catch(() => undefined);
    return ticket;
  }
}
