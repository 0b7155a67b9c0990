import type { Middleware, TurnContext } from 'botbuilder';
import type { SharedCache } from './store/redis.js';

/** Remembers which activities were taken, for a while. */
export interface SeenActivities {
  /** True the first time a key is offered within the window; false for a repeat. */
  firstTime(key: string): Promise<boolean>;
}

/** In this process's memory: enough for one instance. */
export class SeenInMemory implements SeenActivities {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    private readonly capacity = 50_000,
  ) {}

  async firstTime(key: string): Promise<boolean> {
    const now = Date.now();
    this.forgetOld(now);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs && this.seen.size <= this.capacity) break;
      this.seen.delete(key);
    }
  }
}

/** In Redis, shared by every instance: a retry that reaches another instance is still a repeat. */
export class SeenInRedis implements SeenActivities {
  constructor(
    private readonly cache: SharedCache,
    private readonly windowMs = 10 * 60_000,
  ) {}

  async firstTime(key: string): Promise<boolean> {
    return (await this.cache.client.set(this.cache.key(`seen:${key}`), '1', 'PX', this.windowMs, 'NX')) === 'OK';
  }
}

/**
 * Processes a retried delivery of the same activity once. Channels (Teams among them) resend an
 * activity when the bot's answer was slow or lost; the second copy must not start a second reset.
 */
export class DuplicateActivityFilter implements Middleware {
  constructor(private readonly seen: SeenActivities = new SeenInMemory()) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { id, channelId, conversation } = context.activity;
    if (!id) return next();
    if (await this.seen.firstTime(`${channelId}\u0000${conversation?.id}\u0000${id}`)) await next();
  }
}
