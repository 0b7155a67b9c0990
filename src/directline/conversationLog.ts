/** An activity as the Direct Line client receives it (the Bot Framework schema, as plain JSON). */
export type LoggedActivity = Record<string, unknown> & { id: string };

interface Conversation {
  /** Watermark of activities[0]: older ones were dropped to bound memory. */
  base: number;
  activities: LoggedActivity[];
  lastUsed: number;
  listeners: Set<() => void>;
}

/**
 * What each Direct Line conversation has seen, in order, so a client can read from its
 * watermark: the person's own activities (Web Chat waits for its echo) and the bot's. Kept in
 * memory, bounded per conversation and dropped after an idle time; a client that comes back
 * later simply starts a new conversation view.
 */
export class ConversationLog {
  private readonly conversations = new Map<string, Conversation>();
  private lastSweep = 0;

  constructor(
    private readonly maxPerConversation = 500,
    private readonly idleMs = 2 * 60 * 60_000,
  ) {}

  append(conversationId: string, activity: LoggedActivity): void {
    const conversation = this.conversation(conversationId);
    conversation.activities.push(activity);
    const excess = conversation.activities.length - this.maxPerConversation;
    if (excess > 0) {
      conversation.activities.splice(0, excess);
      conversation.base += excess;
    }
    for (const listener of conversation.listeners) listener();
  }

  /** Activities after the watermark, and the watermark to ask from next. */
  read(conversationId: string, watermark: number | undefined): { activities: LoggedActivity[]; watermark: number } {
    const conversation = this.conversation(conversationId);
    const end = conversation.base + conversation.activities.length;
    const from = Math.min(Math.max(watermark ?? conversation.base, conversation.base), end);
    return { activities: conversation.activities.slice(from - conversation.base), watermark: end };
  }

  /** Calls `listener` after each append to the conversation, until the returned function is called. */
  subscribe(conversationId: string, listener: () => void): () => void {
    const conversation = this.conversation(conversationId);
    conversation.listeners.add(listener);
    return () => conversation.listeners.delete(listener);
  }

  private conversation(conversationId: string): Conversation {
    const now = Date.now();
    let conversation = this.conversations.get(conversationId);
    if (!conversation) {
      this.forgetIdle(now);
      conversation = { base: 0, activities: [], lastUsed: now, listeners: new Set() };
      this.conversations.set(conversationId, conversation);
    }
    conversation.lastUsed = now;
    return conversation;
  }

  /** At most once a minute, so starting a conversation stays cheap however many there are. */
  private forgetIdle(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, conversation] of this.conversations) {
      if (now - conversation.lastUsed > this.idleMs && conversation.listeners.size === 0) this.conversations.delete(id);
    }
  }
}
