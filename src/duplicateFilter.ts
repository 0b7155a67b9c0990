import type { Middleware, TurnContext } from 'botbuilder';

/**
 * Processes a retried delivery of the same activity once. Channels (Teams among them) resend an
 * activity when the bot's answer was slow or lost; the second copy must not start a second reset.
 * Kept in memory for this process, which is the only one serving its conversations.
 */
export class DuplicateActivityFilter implements Middleware {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 10 * 60_000,
    private readonly capacity = 50_000,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { id, channelId, conversation } = context.activity;
    if (!id) return next();
    const key = `${channelId}\u0000${conversation?.id}\u0000${id}`;
    const now = Date.now();
    this.forgetOld(now);
    if (this.seen.has(key)) return;
    this.seen.set(key, now);
    await next();
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs && this.seen.size <= this.capacity) break;
      this.seen.delete(key);
    }
  }
}
