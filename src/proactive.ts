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
 * Starts a turn in a saved conversation (work that finished outside the chat, such as the
 * Teams dialog page) and runs the bot on it as an event, so the dialogs decide what to say.
 */
export class ProactiveTurns {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly run: (context: TurnContext) => Promise<void>,
    private readonly references: ConversationReferenceStore,
  ) {}

  /** Into a conversation by id, from its saved reference; false when the bot never saw it. */
  async sendToConversation(conversationId: string, event: ProactiveEvent): Promise<boolean> {
    const reference = await this.references.get(conversationId);
    if (!reference) return false;
    await this.send(reference, event);
    return true;
  }

  /** Throws when the turn failed (the channel unreachable, say), after the adapter's own error handling. */
  async send(reference: unknown, event: ProactiveEvent): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(
      this.appId,
      reference as Partial<ConversationReference>,
      async (context) => {
        Object.assign(context.activity, { name: event.name, value: event.value });
        if (event.locale) context.activity.locale = event.locale;
        // Only turns this class starts may carry the bot's own events: a client can send an event
        // activity with any name, but never this mark.
        turnOf(context).proactive = true;
        try {
          await this.run(context);
        } catch (error) {
          failure = error;
          throw error;
        }
      },
    );
    if (failure) throw failure;
  }
}
