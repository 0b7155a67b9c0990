import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedCache } from '../store/redis.js';
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

const MINUTE_S = 60;
const HOUR_S = 3600;
const DAY_S = 86_400;

/** A counter on one of rate-limiter-flexible's limiters: in this process's memory, or in Redis. */
class LimiterCounter implements Counter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

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
  new LimiterCounter(new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix: name }));

/**
 * Counters in Redis, shared by every instance: a limit counts across all of them. Should Redis
 * not answer, each instance counts in its own memory meanwhile (the limiter's insurance), so
 * limits still hold per instance rather than fail open or fail every request.
 */
export function redisCounters(cache: SharedCache): CounterFactory {
  return (points, durationSeconds, name) =>
    new LimiterCounter(
      new RateLimiterRedis({
        storeClient: cache.client,
        points,
        duration: durationSeconds,
        keyPrefix: cache.key(`limit:${name}`),
        insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix: name }),
      }),
    );
}

/**
 * The bot's own pages and APIs, each limited on its own, so that a flood of one (anonymous
 * token requests, say) never locks another out for the same address.
 */
export type RouteFamily = 'pages' | 'webchatToken' | 'webchatSession' | 'support' | 'twilio';

/** Families whose callers hold an API key: limited per key once the key is right. */
export type KeyedFamily = Extract<RouteFamily, 'webchatSession' | 'support'>;

const ROUTE_FAMILIES: readonly RouteFamily[] = ['pages', 'webchatToken', 'webchatSession', 'support', 'twilio'];

/** The security limits, by what they count (README, "Security in short"). */
export class RateLimits {
  private readonly identifier: Counter[];
  private readonly account: Counter[];
  private readonly conversation: Counter[];
  private readonly clientAddress: ReadonlyMap<RouteFamily, Counter>;
  private readonly apiKey: ReadonlyMap<KeyedFamily, Counter>;
  private readonly directLinePosts: Counter;
  private readonly billingConversation: Counter[];
  private readonly billingCard: Counter[];
  private readonly currentPasswordFailures: Counter;
  private readonly ticketConversation: Counter;
  private readonly ticketAddress: Counter;
  private readonly ticketOverall: Counter;
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
    this.clientAddress = new Map(
      ROUTE_FAMILIES.map((family) => [family, counters(settings.perClientAddressHour, HOUR_S, `web-ip-h-${family}`)]),
    );
    this.apiKey = new Map(
      (['webchatSession', 'support'] as const).map((family) => [
        family,
        counters(settings.perApiKeyMinute, MINUTE_S, `api-key-m-${family}`),
      ]),
    );
    this.directLinePosts = counters(settings.directLinePostsPerConversationMinute, MINUTE_S, 'dl-post-m');
    this.billingConversation = [counters(settings.billingPerConversationHour, HOUR_S, 'billing-conv-h')];
    this.billingCard = [
      counters(settings.billingPerCardHour, HOUR_S, 'billing-card-h'),
      counters(settings.billingPerCardDay, DAY_S, 'billing-card-d'),
    ];
    this.currentPasswordMax = settings.currentPasswordFailuresHour;
    this.currentPasswordFailures = counters(settings.currentPasswordFailuresHour, HOUR_S, 'current-pw-h');
    this.ticketConversation = counters(settings.ticketsPerConversationHour, HOUR_S, 'ticket-conv-h');
    this.ticketAddress = counters(settings.ticketsPerClientAddressHour, HOUR_S, 'ticket-ip-h');
    this.ticketOverall = counters(settings.ticketsOverallHour, HOUR_S, 'ticket-all-h');
  }

  /**
   * A support ticket opened in a conversation (the handover): per conversation, per client address when
   * the bot knows it (its own web chat), and for the whole bot, so that nobody floods support.
   */
  async ticket(from: { conversationId: string; clientAddress?: string }): Promise<LimitDecision> {
    const counted: Array<[Counter, string]> = [
      [this.ticketConversation, from.conversationId],
      ...(from.clientAddress !== undefined ? [[this.ticketAddress, from.clientAddress] as [Counter, string]] : []),
      [this.ticketOverall, 'all'],
    ];
    // Narrowest first, and a refusal stops there: one conversation or address that is over its
    // share never uses up what everyone else shares.
    for (const [counter, key] of counted) {
      const decision = await counter.consume(key);
      if (!decision.allowed) return decision;
    }
    return { allowed: true };
  }

  /**
   * The password change's lock: failed current-password checks per account. The check that reaches the limit
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

  /**
   * A request to one of the bot's own web pages or APIs from a client address (anonymous, or
   * with a wrong key); never /api/messages, whose traffic all comes from the channel.
   */
  webRequest(family: RouteFamily, address: string): Promise<LimitDecision> {
    return this.clientAddress.get(family)!.consume(address);
  }

  /** A request with the right API key: counted per key, never by the address it shares with others. */
  keyedRequest(family: KeyedFamily): Promise<LimitDecision> {
    return this.apiKey.get(family)!.consume(family);
  }

  /** An activity posted to a web chat conversation of the bot's own Direct Line endpoint. */
  directLinePost(conversationId: string): Promise<LimitDecision> {
    return this.directLinePosts.consume(conversationId);
  }
}
