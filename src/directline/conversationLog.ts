/** An activity as the Direct Line client receives it (the Bot Framework schema, as plain JSON). */
export type LoggedActivity = Record<string, unknown> & { id: string };

/** How much the log keeps, in activities and in bytes of their JSON. */
export interface LogLimits {
  activitiesPerConversation: number;
  bytesPerActivity: number;
  bytesPerConversation: number;
  bytesInAll: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  activitiesPerConversation: 500,
  bytesPerActivity: 64 * 1024,
  bytesPerConversation: 256 * 1024,
  bytesInAll: 64 * 1024 * 1024,
};

interface Entry {
  activity: LoggedActivity;
  bytes: number;
}

interface Conversation {
  /** Watermark of entries[0]: older ones were dropped to bound memory. */
  base: number;
  entries: Entry[];
  bytes: number;
  lastUsed: number;
  listeners: Set<() => void>;
  /** The bot asked for something secret: what the person types next is kept only as a placeholder. */
  awaitsSecret: boolean;
}

/**
 * What each Direct Line conversation has seen, in order, so a client can read from its
 * watermark: the person's own activities (Web Chat waits for its echo) and the bot's. Kept in
 * memory, bounded per activity, per conversation and in all, in count and in bytes; the least
 * recently used conversations go first, and idle ones are dropped. A client that comes back
 * later simply starts a new conversation view.
 */
export class ConversationLog {
  /** In order of last use, oldest first. */
  private readonly conversations = new Map<string, Conversation>();
  private bytes = 0;
  private lastSweep = 0;

  constructor(
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
    private readonly idleMs = 2 * 60 * 60_000,
  ) {}

  /** The size an activity takes in the log; over `bytesPerActivity` it is not taken. */
  static sizeOf(activity: LoggedActivity): number {
    return Buffer.byteLength(JSON.stringify(activity));
  }

  fits(activity: LoggedActivity): boolean {
    return ConversationLog.sizeOf(activity) <= this.limits.bytesPerActivity;
  }

  /** Appends an activity; false (and nothing kept) when it alone is over the per-activity limit. */
  append(conversationId: string, activity: LoggedActivity): boolean {
    const bytes = ConversationLog.sizeOf(activity);
    if (bytes > this.limits.bytesPerActivity) return false;
    const conversation = this.conversation(conversationId);
    conversation.entries.push({ activity, bytes });
    conversation.bytes += bytes;
    this.bytes += bytes;
    this.trim(conversation);
    this.evictBeyondTotal(conversationId);
    for (const listener of conversation.listeners) {
      try {
        listener();
      } catch {
        // One reader's failure (a socket gone) must not stop the others, nor the append.
      }
    }
    return true;
  }

  /** Activities after the watermark, and the watermark to ask from next. */
  read(conversationId: string, watermark: number | undefined): { activities: LoggedActivity[]; watermark: number } {
    const conversation = this.conversation(conversationId);
    const end = conversation.base + conversation.entries.length;
    const from = Math.min(Math.max(watermark ?? conversation.base, conversation.base), end);
    return {
      activities: conversation.entries.slice(from - conversation.base).map((entry) => entry.activity),
      watermark: end,
    };
  }

  /** Calls `listener` after each append to the conversation, until the returned function is called. */
  subscribe(conversationId: string, listener: () => void): () => void {
    const conversation = this.conversation(conversationId);
    conversation.listeners.add(listener);
    return () => conversation.listeners.delete(listener);
  }

  /** Records whether the bot now waits for a secret (a password, a code, a link) in the conversation. */
  expectSecret(conversationId: string, secret: boolean): void {
    const conversation = this.conversations.get(conversationId);
    if (conversation) conversation.awaitsSecret = secret;
    else if (secret) this.conversation(conversationId).awaitsSecret = true;
  }

  awaitsSecret(conversationId: string): boolean {
    return this.conversations.get(conversationId)?.awaitsSecret ?? false;
  }

  /** Bytes held in all, for tests and monitoring. */
  get size(): number {
    return this.bytes;
  }

  private conversation(conversationId: string): Conversation {
    const now = Date.now();
    let conversation = this.conversations.get(conversationId);
    if (conversation) this.conversations.delete(conversationId);
    else {
      this.forgetIdle(now);
      conversation = { base: 0, entries: [], bytes: 0, lastUsed: now, listeners: new Set(), awaitsSecret: false };
    }
    conversation.lastUsed = now;
    // Re-inserted, so the map stays in order of last use.
    this.conversations.set(conversationId, conversation);
    return conversation;
  }

  /** Drops a conversation's oldest activities beyond its count and byte limits. */
  private trim(conversation: Conversation): void {
    let drop = 0;
    let bytes = conversation.bytes;
    while (
      drop < conversation.entries.length - 1 &&
      (conversation.entries.length - drop > this.limits.activitiesPerConversation ||
        bytes > this.limits.bytesPerConversation)
    ) {
      bytes -= conversation.entries[drop]!.bytes;
      drop++;
    }
    if (drop === 0) return;
    conversation.entries.splice(0, drop);
    conversation.base += drop;
    this.bytes -= conversation.bytes - bytes;
    conversation.bytes = bytes;
  }

  /** Past the limit in all, the least recently used conversations go, never the one just written. */
  private evictBeyondTotal(keep: string): void {
    for (const [id, conversation] of this.conversations) {
      if (this.bytes <= this.limits.bytesInAll) return;
      if (id === keep) continue;
      this.forget(id, conversation);
    }
  }

  /** Drops a conversation's activities; one that a socket still reads keeps its place, empty. */
  private forget(id: string, conversation: Conversation): void {
    this.bytes -= conversation.bytes;
    if (conversation.listeners.size === 0) {
      this.conversations.delete(id);
      return;
    }
    conversation.base += conversation.entries.length;
    conversation.entries = [];
    conversation.bytes = 0;
  }

  /** At most once a minute, so starting a conversation stays cheap however many there are. */
  private forgetIdle(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, conversation] of this.conversations) {
      if (now - conversation.lastUsed > this.idleMs && conversation.listeners.size === 0) this.forget(id, conversation);
    }
  }
}
