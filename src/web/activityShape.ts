import { z } from 'zod';
import { MAX_JSON_DEPTH, withinValueLimits } from './jsonShape.js';

/** The largest activity the Bot Framework endpoint takes (a Teams message with its card is far smaller). */
export const MAX_ACTIVITY_BYTES = 256 * 1024;
/** The most a card's submitted data or an event's value may hold. */
export const MAX_VALUE_BYTES = 16 * 1024;

/** Whether an activity's value (card data, an event's payload) keeps within what the bot holds on to. */
export function valueProblem(value: unknown): string | undefined {
  return value === undefined || withinValueLimits(value, MAX_VALUE_BYTES)
    ? undefined
    : `The value may be at most ${MAX_VALUE_BYTES} bytes, nested at most ${MAX_JSON_DEPTH} levels.`;
}

/** The least an activity needs before the adapter sees it; anything less is a 400, not a crash. */
const activityShape = z.object({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(256),
  serviceUrl: z.string().min(1).max(2048),
  conversation: z.object({ id: z.string().min(1).max(1024) }),
  from: z.object({ id: z.string().min(1).max(1024) }).optional(),
  text: z.string().max(MAX_VALUE_BYTES).optional(),
  locale: z.string().max(64).optional(),
});

/**
 * Why a body is not an activity this bot takes, or undefined when it is. Beyond its shape: its
 * value keeps within the limits card data has, and it does not claim to come from the bot's own
 * Direct Line endpoint, whose conversations only that endpoint may post to (the bot's replies
 * to such an activity would land in a stranger's web chat).
 */
export function activityProblem(
  body: unknown,
  options: { ownServiceUrl: string; isOwnConversation(channelId: string, conversationId: string): boolean },
): string | undefined {
  const parsed = activityShape.safeParse(body);
  if (!parsed.success) return 'The body is not a Bot Framework activity.';
  const tooLarge = valueProblem((body as { value?: unknown }).value);
  if (tooLarge) return tooLarge;
  if (
    sameServiceUrl(parsed.data.serviceUrl, options.ownServiceUrl) ||
    options.isOwnConversation(parsed.data.channelId, parsed.data.conversation.id)
  )
    return "The activity names the bot's own web chat endpoint or one of its conversations.";
  return undefined;
}

function sameServiceUrl(given: string, own: string): boolean {
  const normalized = (url: string) => url.trim().toLowerCase().replace(/\/+$/, '');
  return normalized(given) === normalized(own);
}
