import type { Escalation, EscalationJourney, EscalationService } from './escalations.js';
import type { Logger } from '../security/logger.js';
import type { SupportChannel } from './supportChannel.js';
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
    private readonly channel: Pick<SupportChannel, 'knowsConversation' | 'handBack'>,
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
    if (!(await this.channel.knowsConversation(conversationId))) return { kind: 'unknownConversation' };
    // Handing the person back to the bot ends the wait for an agent.
    if (ticket?.state === 'open') await this.tickets.complete(ticket.id, by);
    const escalation = await this.escalations.start({
      conversationId,
      journey,
      by,
      ...(ticket ? { ticketId: ticket.id } : {}),
    });
    return { kind: 'started', escalation };
  }

  /** Undefined when no open ticket has that id. */
  async completeTicket(ticketId: string, by: string): Promise<Ticket | undefined> {
    const ticket = await this.tickets.complete(ticketId, by);
    // The ticket is done whatever the chat hears; the operator learns when it did not.
    if (ticket)
      await this.channel
        .handBack(ticket.conversationId)
        .catch((error: unknown) => this.logger.warn('customer not told support is done', { ticketId, error }));
    return ticket;
  }
}
