import { randomUUID } from 'node:crypto';
import type { Logger } from '../security/logger.js';
import type { AuditTrail } from '../security/audit.js';
import type { PostedCard } from './tickets.js';

/** The journeys support can hand a customer to (the escalation API's `journey`). */
export const ESCALATION_JOURNEYS = ['reset', 'billing', 'change-password', 'phone'] as const;
export type EscalationJourney = (typeof ESCALATION_JOURNEYS)[number];

export type EscalationState = 'started' | 'completed' | 'abandoned' | 'failed';

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

/** Starts the journey in the customer's conversation; false when the bot cannot reach it. */
export type JourneyStarter = (escalation: Escalation) => Promise<boolean>;

export function isEscalationJourney(value: unknown): value is EscalationJourney {
  return typeof value === 'string' && (ESCALATION_JOURNEYS as readonly string[]).includes(value);
}

/**
 * Support → bot: an escalation starts a journey in a conversation the bot knows and follows it
 * to its end. States only move forward: started → completed | abandoned; failed when the
 * conversation could not be reached at all.
 */
export class EscalationService {
  /** Told when an escalation reaches its final state, to report the outcome to the agent. */
  onSettled: ((escalation: Escalation) => Promise<void>) | undefined;

  constructor(
    private readonly escalations: EscalationRepository,
    private readonly audit: AuditTrail,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Started, or failed when the conversation could not be reached: the caller tells whoever asked. */
  async start(
    request: { conversationId: string; journey: EscalationJourney; by: string; ticketId?: string },
    startJourney: JourneyStarter,
  ): Promise<Escalation> {
    const at = this.now().toISOString();
    const escalation: Escalation = { id: randomUUID(), ...request, state: 'started', createdAt: at, updatedAt: at };
    await this.escalations.put(escalation);
    const reached = await startJourney(escalation).catch((error: unknown) => {
      this.logger.warn('escalation could not reach the conversation', { escalationId: escalation.id, error });
      return false;
    });
    await this.record(escalation, reached ? 'support.escalation_started' : 'support.escalation_failed');
    if (reached) return escalation;
    return (await this.settle(escalation.id, 'failed')) ?? escalation;
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
    await this.onSettled?.(settled).catch((error: unknown) =>
      this.logger.warn('escalation outcome not reported', { escalationId: settled.id, error }),
    );
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
