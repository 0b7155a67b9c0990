import type { Activity, Middleware, ResourceResponse, TurnContext } from 'botbuilder';
import { randomBytes } from 'node:crypto';
import type { ActivityLog } from './activityLog.js';
import type { LoggedActivity } from './conversationLog.js';

/**
 * Delivers what the bot sends in a conversation of its own Direct Line endpoint (recognised by
 * the serviceUrl it gave those activities) into the conversation's log, in-process, instead of
 * over HTTP: replies, typing and proactive messages alike. Other channels are untouched.
 */
export class DirectLineDelivery implements Middleware {
  private sequence = 0;
  /** Ids stay unique across instances appending to the same conversation. */
  private readonly instance = randomBytes(3).toString('hex');

  constructor(
    private readonly serviceUrl: string,
    private readonly log: ActivityLog,
    /** Whether, after the turn, the bot waits for a secret: the person's next text is then logged as a placeholder. */
    private readonly awaitsSecret: (context: TurnContext) => Promise<boolean>,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.serviceUrl !== this.serviceUrl) return next();
    context.onSendActivities(async (_context, activities) => {
      const responses: ResourceResponse[] = [];
      // One after another: the log keeps the order the bot said them in.
      for (const activity of activities) responses.push(await this.deliver(activity));
      return responses;
    });
    await next();
    await this.log.expectSecret(context.activity.conversation.id, await this.awaitsSecret(context));
  }

  private async deliver(activity: Partial<Activity>): Promise<ResourceResponse> {
    const conversationId = activity.conversation?.id ?? '';
    const id = `${conversationId}|b${this.instance}${(++this.sequence).toString(36)}`;
    const logged: LoggedActivity = {
      ...(JSON.parse(JSON.stringify(activity)) as Record<string, unknown>),
      id,
      timestamp: new Date().toISOString(),
    };
    delete logged.serviceUrl;
    await this.log.append(conversationId, logged);
    return { id };
  }
}
