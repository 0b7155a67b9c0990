import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';

/** An event the bot handles in a conversation it is not answering right now. */
export interface ProactiveEvent {
  name: string;
  value: unknown;
  /** The conversation's language, since a proactive turn carries none of its own. */
  locale: string;
}

/**
 * Starts a turn in a saved conversation (work that finished outside the chat, such as the
 * Teams dialog page) and runs the bot on it as an event, so the dialogs decide what to say.
 */
export class ProactiveTurns {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly run: (context: TurnContext) => Promise<void>,
  ) {}

  async send(reference: unknown, event: ProactiveEvent): Promise<void> {
    await this.adapter.continueConversationAsync(
      this.appId,
      reference as Partial<ConversationReference>,
      async (context) => {
        Object.assign(context.activity, { name: event.name, value: event.value, locale: event.locale });
        await this.run(context);
      },
    );
  }
}
