import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ConversationReferenceStore } from './conversationReferences.js';
import { turnOf } from '../dialogs/turn.js';

/** An event the bot handles in a conversation it is not answering right now. */
export interface ProactiveEvent {
  name: string;
  value: unknown;
  /** The conversation's language, when the saved reference does not carry it. */
  locale?: string;
}

/**
 * Turns the app starts itself in a saved conversation: work that finished outside the chat (the
 * Teams dialog page, a text that could not be sent, support handing a person back) reaches the
 * person's conversation as an event the bot handles, so the dialogs decide what to say; the
 * support channel's posts run their own logic.
 */
export class ProactiveTurns {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly references: Pick<ConversationReferenceStore, 'get'>,
    /** The bot's turn, for the events of the person's own conversation. */
    private readonly runBot: (context: TurnContext) => Promise<void>,
  ) {}

  /** Whether the bot has a saved reference for the conversation (it has talked there). */
  async knows(conversationId: string): Promise<boolean> {
    return (await this.references.get(conversationId)) !== undefined;
  }

  /** Into a conversation by id, from its saved reference; false when the bot never saw it. */
  async sendToConversation(conversationId: string, event: ProactiveEvent): Promise<boolean> {
    const reference = await this.references.get(conversationId);
    if (!reference) return false;
    await this.send(reference, event);
    return true;
  }

  /** Runs the bot on the event. Throws when the turn failed (the channel unreachable, say). */
  send(reference: unknown, event: ProactiveEvent): Promise<void> {
    return this.run(reference, async (context) => {
      Object.assign(context.activity, { name: event.name, value: event.value });
      if (event.locale) context.activity.locale = event.locale;
      // Only turns this class starts may carry the bot's own events: a client can send an event
      // activity with any name, but never this mark.
      turnOf(context).proactive = true;
      await this.runBot(context);
    });
  }

  /**
   * Runs `logic` on a turn in the conversation. The adapter would hand a failure to its turn error
   * handler, which answers the person; here it is thrown to the caller instead, who knows what failed.
   */
  async run(reference: unknown, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(
      this.appId,
      reference as Partial<ConversationReference>,
      async (context) => {
        try {
          await logic(context);
        } catch (error) {
          failure = error;
          throw error;
        }
      },
    );
    if (failure) throw failure;
  }
}
