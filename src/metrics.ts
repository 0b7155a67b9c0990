import type { Middleware, TurnContext } from 'botbuilder';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { turnOf } from '../dialogs/turn.js';
import type { AuditEvent, AuditTrail } from './security/audit.js';

let processMetrics: Registry | undefined;

/** The process's own metrics, collected once per process however many apps it runs (the tests run many). */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** Label values a client cannot choose freely: anything else counts as `other`, so no label grows without end. */
const CHANNELS = new Set(['msteams', 'directline', 'webchat', 'emulator', 'test']);
const ACTIVITY_TYPES = new Set(['message', 'event', 'invoke', 'conversationUpdate', 'typing']);
const LANGUAGES = new Set(['en', 'nl']);

function bounded(value: string | undefined, known: ReadonlySet<string>): string {
  return value !== undefined && known.has(value) ? value : 'other';
}

/** Events of the audit trail that are a limit refusing someone. */
const LIMIT_EVENTS = new Set([
  'reset.rate_limited',
  'billing.rate_limited',
  'support.handoff_limited',
  'password.current_locked',
]);

/**
 * What `GET /metrics` tells Prometheus: turns and their latency, journeys started and ended per
 * journey, channel and language, hand-offs, limit refusals, mail and texts sent and failed, and
 * the promised tasks not done yet. Labels never carry an id or anything a person typed.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly turns = new Counter({
    name: 'bot_turns_total',
    help: 'Turns the bot ran, by channel and activity type.',
    labelNames: ['channel', 'type'],
    registers: [this.registry],
  });
  private readonly turnSeconds = new Histogram({
    name: 'bot_turn_duration_seconds',
    help: 'How long a turn took, from the activity to the last reply.',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly journeys = new Counter({
    name: 'bot_journeys_total',
    help: 'Journeys started, and ended (completed or stopped), by journey, channel and language.',
    labelNames: ['journey', 'stage', 'channel', 'language'],
    registers: [this.registry],
  });
  private readonly handoffs = new Counter({
    name: 'bot_handoffs_total',
    help: 'Tickets opened for a person, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly limitRefusals = new Counter({
    name: 'bot_limit_refusals_total',
    help: 'Requests a security limit refused, by limit.',
    labelNames: ['limit'],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'bot_messages_total',
    help: 'Mail and text messages sent or failed.',
    labelNames: ['medium', 'result'],
    registers: [this.registry],
  });

  constructor(pendingTasks: () => Promise<number>) {
    new Gauge({
      name: 'bot_pending_tasks',
      help: 'Promised tasks (mail, texts, lookups) not done yet: the outbox depth.',
      registers: [this.registry],
      async collect() {
        this.set(await pendingTasks());
      },
    });
  }

  /** The text Prometheus scrapes: these metrics and the process's own (memory, CPU, event loop). */
  async text(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([processRegistry(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  /** Counts turns and their latency, and the journeys each turn began or ended. */
  middleware(): Middleware {
    return {
      onTurn: async (context: TurnContext, next: () => Promise<void>) => {
        const channel = bounded(context.activity.channelId, CHANNELS);
        const stop = this.turnSeconds.startTimer({ channel });
        try {
          await next();
        } finally {
          stop();
          this.turns.inc({ channel, type: bounded(context.activity.type, ACTIVITY_TYPES) });
          const turn = turnOf(context);
          const language = bounded(turn.locale ?? context.activity.locale?.slice(0, 2), LANGUAGES);
          if (turn.journeyBegun) this.journeys.inc({ journey: turn.journeyBegun, stage: 'started', channel, language });
          if (turn.journeyEnded)
            this.journeys.inc({
              journey: turn.journeyEnded.journey,
              stage: turn.journeyEnded.outcome,
              channel,
              language,
            });
        }
      },
    };
  }

  /** Counts what an audit event says: a hand-off, a limit refusal, a message sent or failed. */
  count({ event, detail }: AuditEvent): void {
    if (event === 'support.handoff_requested') this.handoffs.inc({ reason: String(detail?.reason ?? 'unknown') });
    if (LIMIT_EVENTS.has(event)) this.limitRefusals.inc({ limit: event });
    if (event === 'reset.link_sent') this.messages.inc({ medium: 'mail', result: 'sent' });
    if (event === 'reset.code_sent' || event === 'phone.code_sent')
      this.messages.inc({ medium: 'sms', result: 'sent' });
    if (event === 'reset.send_failed')
      this.messages.inc({ medium: detail?.channel === 'sms' ? 'sms' : 'mail', result: 'failed' });
  }
}

/** The audit trail, counted into the metrics as each event is recorded. */
export class CountedAuditTrail<T extends AuditTrail & { readAll(): Promise<object[]> }> implements AuditTrail {
  constructor(
    private readonly trail: T,
    private readonly metrics: Pick<Metrics, 'count'>,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    this.metrics.count(event);
    await this.trail.record(event);
  }

  readAll(): Promise<object[]> {
    return this.trail.readAll();
  }
}
