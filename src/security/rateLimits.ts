import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config.js';

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One counter with a window; an implementation may keep it in memory or in a shared store. */
export interface Counter {
  consume(key: string): Promise<LimitDecision>;
  /** Gives back one point taken earlier. */
  refund(key: string): Promise<void>;
  /** Points used in the current window, without using one. */
  used(key: string): Promise<{ points: number; resetsInMs: number }>;
  /** Uses up every point of the key for `seconds`, whatever the window had left. */
  block(key: string, seconds: number): Promise<void>;
}

const HOUR_S = 3600;
const DAY_S = 86_400;

class MemoryCounter implements Counter {
  private readonly limiter: RateLimiterMemory;

  constructor(points: number, durationSeconds: number, keyPrefix: string) {
    this.limiter = new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix });
  }

  async consume(key: string): Promise<LimitDecision> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
      throw rejection;
    }
  }

  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async used(key: string): Promise<{ points: number; resetsInMs: number }> {
    const state = await this.limiter.get(key);
    return state ? { points: state.consumedPoints, resetsInMs: state.msBeforeNext } : { points: 0, resetsInMs: 0 };
  }

  async block(key: string, seconds: number): Promise<void> {
    await this.limiter.block(key, seconds);
  }
}

/** Every counter must allow; the answer waits for the one that frees up last. */
async function consumeAll(counters: readonly Counter[], key: string): Promise<LimitDecision> {
  let retryAfterMs = 0;
  for (const counter of counters) {
    const decision = await counter.consume(key);
    if (!decision.allowed) retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
  }
  return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
}

export type FailureLockState = { locked: false; failuresLeft: number } | { locked: true; retryAfterMs: number };

export type CounterFactory = (points: number, durationSeconds: number, name: string) => Counter;

export const memoryCounters: CounterFactory = (points, durationSeconds, name) =>
  new MemoryCounter(points, durationSeconds, name);

/** The limits of SPEC §4, by what they count. */
export class RateLimits {
  private readonly identifier: Counter[];
  private readonly account: Counter[];
  private readonly conversation: Counter[];
  private readonly clientAddress: Counter[];
  private readonly billingConversation: Counter[];
  private readonly billingCard: Counter[];
  private readonly currentPasswordFailures: Counter;
  private readonly ticketConversation: Counter[];
  private readonly currentPasswordMax: number;

  constructor(settings: RateLimitSettings, counters: CounterFactory = memoryCounters) {
    this.identifier = [
      counters(settings.perIdentifierHour, HOUR_S, 'reset-id-h'),
      counters(settings.perIdentifierDay, DAY_S, 'reset-id-d'),
    ];
    this.account = [
      counters(settings.perAccountHour, HOUR_S, 'reset-acct-h'),
      counters(settings.perAccountDay, DAY_S, 'reset-acct-d'),
    ];
    this.conversation = [counters(settings.perConversationHour, HOUR_S, 'reset-conv-h')];
    this.clientAddress = [counters(settings.perClientAddressHour, HOUR_S, 'web-ip-h')];
    this.billingConversation = [counters(settings.billingPerConversationHour, HOUR_S, 'billing-conv-h')];
    this.billingCard = [
      counters(settings.billingPerCardHour, HOUR_S, 'billing-card-h'),
      counters(settings.billingPerCardDay, DAY_S, 'billing-card-d'),
    ];
    this.currentPasswordMax = settings.currentPasswordFailuresHour;
    this.currentPasswordFailures = counters(settings.currentPasswordFailuresHour, HOUR_S, 'current-pw-h');
    this.ticketConversation = [counters(settings.ticketsPerConversationHour, HOUR_S, 'ticket-conv-h')];
  }

  /** A support ticket opened in a conversation (J9). */
  ticketsByConversation(conversationId: string): Promise<LimitDecision> {
    return consumeAll(this.ticketConversation, conversationId);
  }

  /**
   * J6's lock: failed current-password checks per account. The check that reaches the limit
   * locks the journey for a full hour from then.
   */
  async currentPasswordLock(accountId: string): Promise<FailureLockState> {
    const { points, resetsInMs } = await this.currentPasswordFailures.used(accountId);
    return points >= this.currentPasswordMax
      ? { locked: true, retryAfterMs: resetsInMs }
      : { locked: false, failuresLeft: this.currentPasswordMax - points };
  }

  async currentPasswordFailed(accountId: string): Promise<FailureLockState> {
    await this.currentPasswordFailures.consume(accountId);
    const state = await this.currentPasswordLock(accountId);
    if (!state.locked) return state;
    await this.currentPasswordFailures.block(accountId, HOUR_S);
    return { locked: true, retryAfterMs: HOUR_S * 1000 };
  }

  /** A reset asked for an email address or phone number, known or not. */
  resetByIdentifier(identifier: string): Promise<LimitDecision> {
    return consumeAll(this.identifier, identifier);
  }

  resetByAccount(accountId: string): Promise<LimitDecision> {
    return consumeAll(this.account, accountId);
  }

  async refundAccount(accountId: string): Promise<void> {
    await Promise.all(this.account.map((counter) => counter.refund(accountId)));
  }

  resetByConversation(conversationId: string): Promise<LimitDecision> {
    return consumeAll(this.conversation, conversationId);
  }

  billingByConversation(conversationId: string): Promise<LimitDecision> {
    return consumeAll(this.billingConversation, conversationId);
  }

  /** By the card's keyed fingerprint, never the number. */
  billingByCard(fingerprint: string): Promise<LimitDecision> {
    return consumeAll(this.billingCard, fingerprint);
  }

  /** The bot's own web pages and APIs; never /api/messages, whose traffic all comes from the channel. */
  webRequest(address: string): Promise<LimitDecision> {
    return consumeAll(this.clientAddress, address);
  }
}
