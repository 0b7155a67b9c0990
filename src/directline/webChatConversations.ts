import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ShardedCollection } from '../store/shardedCollection.js';

/** Who a web chat conversation was opened for by the site's backend; none for an anonymous visitor. */
export interface WebChatSession {
  accountId: string;
  /** The profile in use, as the site named it. */
  profile?: string;
}

export interface WebChatConversation {
  id: string;
  createdAt: string;
  session?: WebChatSession;
  /** Set once the bot was told the conversation started, so it greets once. */
  startedAt?: string;
}

/** The conversations of the bot's own Direct Line endpoint; the session is kept here, never in a token. */
export class WebChatConversations {
  private readonly records: ShardedCollection<WebChatConversation>;

  constructor(dataDir: string) {
    this.records = new ShardedCollection(path.join(dataDir, 'webchat-conversations'));
  }

  init(): Promise<void> {
    return this.records.init();
  }

  async create(session?: WebChatSession): Promise<WebChatConversation> {
    const conversation: WebChatConversation = {
      id: `wc-${randomBytes(18).toString('base64url')}`,
      createdAt: new Date().toISOString(),
      ...(session ? { session } : {}),
    };
    await this.records.set(conversation.id, conversation);
    return conversation;
  }

  get(id: string): Promise<WebChatConversation | undefined> {
    return this.records.get(id);
  }

  /** True the first time only: the caller then tells the bot that the conversation started. */
  async markStarted(id: string): Promise<boolean> {
    let first = false;
    await this.records.update(id, (record) => {
      if (!record || record.startedAt) return record;
      first = true;
      return { ...record, startedAt: new Date().toISOString() };
    });
    return first;
  }
}
