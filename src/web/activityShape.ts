import { z } from 'zod';

/** The least an activity needs before the adapter sees it; anything less is a 400, not a crash. */
const activityShape = z.object({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(256),
  serviceUrl: z.string().min(1).max(2048),
  conversation: z.object({ id: z.string().min(1).max(1024) }),
  from: z.object({ id: z.string().min(1).max(1024) }).optional(),
  text: z.string().optional(),
  locale: z.string().max(64).optional(),
});

export function isActivityShaped(body: unknown): boolean {
  return activityShape.safeParse(body).success;
}
