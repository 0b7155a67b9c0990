import { TurnContext, type ConversationReference, type Middleware } from 'botbuilder';
import type { ConversationReferenceRepository } from './store/conversationReferenceRepository.js';

/**
 * Where to reach each conversation later (serviceUrl, ids), for messages the bot sends outside
 * a turn. Saved from every incoming activity, written only when it changed.
 */
export class ConversationReferenceStore implements Middleware {
  private readonly lastWritten = new Map<string, string>();

  constructor(private readonly references: ConversationReferenceRepository) {}

  async get(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    return (await this.references.get(conversationId)) as Partial<ConversationReference> | undefined;
  }

  /**
   * The reference is saved while the turn runs (on PostgreSQL a round trip and a commit that a
   * new conversation's first turn need not wait for), and the turn ends only once it is saved:
   * a turn whose reference could not be saved fails as it did when the save came first.
   */
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    // A proactive turn is made from a saved reference; there is nothing new to save.
    if (!activity.conversation?.id || activity.type === 'event') return next();
    const saving = this.save(activity.conversation.id, context).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    await next();
    const failed = await saving;
    if (failed) throw failed.error;
  }

  private async save(conversationId: string, context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    delete reference.activityId;
    const text = JSON.stringify(reference);
    if (this.lastWritten.get(conversationId) === text) return;
    await this.references.put(conversationId, reference);
    this.lastWritten.set(conversationId, text);
    if (this.lastWritten.size > 10_000) this.lastWritten.delete(this.lastWritten.keys().next().value!);
  }
}
