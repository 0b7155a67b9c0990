import type { Activity, Middleware, ResourceResponse, TurnContext } from 'botbuilder';
import type { ConversationLog, LoggedActivity } from './conversationLog.js';

/**
 * Delivers what the bot sends in a conversation of its own Direct Line endpoint (recognised by
 * the serviceUrl it gave those activities) into the conversation's log, in-process, instead of
 * over HTTP: replies, typing and proactive messages alike. Other channels are untouched.
 */
export class DirectLineDelivery implements Middleware {
  private sequence = 0;

  constructor(
    private readonly serviceUrl: string,
    private readonly log: ConversationLog,
    /** Whether, after the turn, the bot waits for a secret: the person's next text is then logged as a placeholder. */
    private readonly awaitsSecret: (context: TurnContext) => Promise<boolean>,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.serviceUrl !== this.serviceUrl) return next();
    context.onSendActivities(async (_context, activities) => activities.map((activity) => this.deliver(activity)));
    await next();
    this.log.expectSecret(context.activity.conversation.id, await this.awaitsSecret(context));
  }

  private deliver(activity: Partial<Activity>): ResourceResponse {
    const conversationId = activity.conversation?.id ?? '';
    const id = `${conversationId}|b${(++this.sequence).toString(36)}`;
    const logged: LoggedActivity = {
      ...(JSON.parse(JSON.stringify(activity)) as Record<string, unknown>),
      id,
      timestamp: new Date().toISOString(),
    };
    delete logged.serviceUrl;
    this.log.append(conversationId, logged);
    return { id };
  }
}
