import { DeliveryModes, type Middleware, type TurnContext } from 'botbuilder';

/**
 * Shows "typing…" while a message turn takes longer than `delayMs`, repeating every `periodMs`.
 * In Teams and web chat (Direct Line) it shows at once: people there expect an immediate sign of life.
 * Unlike the SDK's ShowTypingMiddleware it never touches the turn context after the turn ended,
 * which under load crashed the process with "a proxy that has been revoked".
 */
const IMMEDIATE_CHANNELS = new Set(['msteams', 'directline']);

export class TypingIndicator implements Middleware {
  constructor(
    private readonly delayMs = 500,
    private readonly periodMs = 2000,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // With "expect replies" every reply reaches the client at once, in the answer to its request,
    // when the turn ends: a typing sign would come with the reply it announces.
    if (context.activity.type !== 'message' || context.activity.deliveryMode === DeliveryModes.ExpectReplies)
      return next();
    let running = true;
    let timer: NodeJS.Timeout | undefined;
    const tick = async (): Promise<void> => {
      if (!running) return;
      try {
        await context.sendActivity({ type: 'typing' });
      } catch {
        // The turn may have ended while the indicator was on its way; nothing is lost.
      }
      if (running) timer = setTimeout(() => void tick(), this.periodMs);
    };
    const delay = IMMEDIATE_CHANNELS.has(context.activity.channelId) ? 0 : this.delayMs;
    if (delay === 0) await tick();
    else timer = setTimeout(() => void tick(), delay);
    try {
      await next();
    } finally {
      running = false;
      clearTimeout(timer);
    }
  }
}
