import { randomUUID } from 'node:crypto';
import type { Logger } from '../security/logger.js';
import type { AuditTrail } from '../security/audit.js';
import { CardUpdates, type PromisedTasks } from './cardUpdates.js';
import type { SupportChannel } from './supportChannel.js';
import type { PostedCard, TicketService } from './tickets.js';

/** The journeys support can hand a customer to (the escalation API's `journey`). */
export const ESCALATION_JOURNEYS = ['reset', 'billing', 'change-password', 'phone'] as const;
export type EscalationJourney = (typeof ESCALATION_JOURNEYS)[number];

export type EscalationState = 'started' | 'completed' | 'abandoned' | 'failed';

/** The promised task that tells support how a journey it started ended. */
const REPORT_OUTCOME = 'support.report-outcome';

/** An agent handed a customer's conversation to the bot for one journey. No personal data. */
export interface Escalation {
  id: string;
  conversationId: string;
  journey: EscalationJourney;
  state: EscalationState;
  /** Who asked: 'api', or the agent in the support channel. */
  by: string;
  /** The ticket it came from, when support named one. */
  ticketId?: string;
  /** Its own card in the support channel (an agent's command there), updated with the outcome. */
  card?: PostedCard;
  createdAt: string;
  updatedAt: string;
}

export interface EscalationRepository {
  put(escalation: Escalation): Promise<void>;
  get(id: string): Promise<Escalation | undefined>;
  update(id: string, change: (escalation: Escalation) => Escalation): Promise<Escalation | undefined>;
}

export function isEscalationJourney(value: unknown): value is EscalationJourney {
  return typeof value === 'string' && (ESCALATION_JOURNEYS as readonly string[]).includes(value);
}

/**
 * Support → bot: an escalation starts a journey in a conversation the bot knows and follows it
 * to its end. States only move forward: started → completed | abandoned; failed when the
 * conversation could not be reached at all.
 */
export class EscalationService {
  private readonly cards: CardUpdates;

  constructor(
    private readonly escalations: EscalationRepository,
    /** The tickets escalations come from, which show their outcome on the ticket's card. */
    private readonly tickets: Pick<TicketService, 'noteEscalation'>,
    private readonly channel: Pick<SupportChannel, 'startJourney' | 'showCard' | 'postOutcome'>,
    private readonly audit: AuditTrail,
    private readonly logger: Pick<Logger, 'warn'>,
    /** Reports outcomes after the caller's answer: promised, so any instance may do it. */
    private readonly tasks: PromisedTasks,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cards = new CardUpdates();
    tasks.handle<{ escalationId: string }>(REPORT_OUTCOME, ({ escalationId }) => this.reportNow(escalationId));
  }

  /** Started, or failed when the conversation could not be reached: the caller tells whoever asked. */
  async start(request: {
    conversationId: string;
    journey: EscalationJourney;
    by: string;
    ticketId?: string;
  }): Promise<Escalation> {
    const at = this.now().toISOString();
    const escalation: Escalation = { id: randomUUID(), ...request, state: 'started', createdAt: at, updatedAt: at };
    await this.escalations.put(escalation);
    const reached = await this.channel.startJourney(escalation).catch((error: unknown) => {
      this.logger.warn('escalation could not reach the conversation', { escalationId: escalation.id, error });
      return false;
    });
    await this.record(escalation, reached ? 'support.escalation_started' : 'support.escalation_failed');
    const current = reached ? escalation : ((await this.settle(escalation.id, 'failed')) ?? escalation);
    await this.noteOnTicket(current);
    return current;
  }

  get(id: string): Promise<Escalation | undefined> {
    return this.escalations.get(id);
  }

  /** The escalation's card was posted in the support channel. */
  async attachCard(id: string, card: PostedCard): Promise<void> {
    await this.escalations.update(id, (current) => ({ ...current, card }));
  }

  /** The journey ended in the conversation: completed when it ran to its end, else abandoned. */
  async finish(id: string, outcome: 'completed' | 'abandoned'): Promise<void> {
    const settled = await this.settle(id, outcome);
    if (!settled) return;
    await this.record(settled, `support.escalation_${outcome}`);
    await this.report(settled);
  }

  /**
   * Tells support how a journey it started ended: on the ticket's card, else on the
   * escalation's own card, else (an API call with neither) in the channel as a message.
   */
  private async report(escalation: Escalation): Promise<void> {
    if (await this.noteOnTicket(escalation)) return;
    await this.tasks.promise(REPORT_OUTCOME, { escalationId: escalation.id });
  }

  private reportNow(escalationId: string): Promise<void> {
    return this.cards.run(escalationId, async () => {
      const escalation = await this.escalations.get(escalationId);
      if (!escalation) return;
      const { card } = escalation;
      await (
        card
          ? this.channel.showCard(card, { kind: 'escalation', escalation })
          : this.channel.postOutcome(escalation).then(() => undefined)
      ).catch((error: unknown) => this.logger.warn('escalation outcome not reported', { escalationId, error }));
    });
  }

  /** Keeps the escalation's state on the ticket it came from; true when that ticket's card shows it. */
  private async noteOnTicket(escalation: Escalation): Promise<boolean> {
    if (!escalation.ticketId) return false;
    const { id, journey, state } = escalation;
    return this.tickets.noteEscalation(escalation.ticketId, { id, journey, state });
  }

  /**
   * Moves a started escalation to its final state; a settled one stays as it is. Returns the
   * escalation in its final state when this call moved it there, undefined otherwise.
   */
  private async settle(id: string, state: Exclude<EscalationState, 'started'>): Promise<Escalation | undefined> {
    let moved = false;
    const escalation = await this.escalations.update(id, (current) => {
      if (current.state !== 'started') return current;
      moved = true;
      return { ...current, state, updatedAt: this.now().toISOString() };
    });
    return moved ? escalation : undefined;
  }

  private record(
    escalation: Escalation,
    event:
      | 'support.escalation_started'
      | 'support.escalation_failed'
      | 'support.escalation_completed'
      | 'support.escalation_abandoned',
  ): Promise<void> {
    return this.audit.record({
      event,
      via: escalation.by === 'api' ? 'api' : 'teams',
      detail: {
        escalationId: escalation.id,
        conversationId: escalation.conversationId,
        journey: escalation.journey,
        by: escalation.by,
        ticketId: escalation.ticketId ?? null,
      },
    });
  }
}
