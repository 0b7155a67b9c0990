import { randomBytes } from 'node:crypto';

/** Who a web chat conversation was opened for by the site's backend; none for an anonymous visitor. */
export interface WebChatSession {
  accountId: string;
  /** The profile in use, as the site named it. */
  profile?: string;
  /** The absolute end of the session, however active the person is. */
  expiresAt: string;
  /** The person's last activity in the session (kept to the minute), for the idle lifetime. */
  activeAt: string;
  /** Set when the site's backend ended the session. */
  revokedAt?: string;
}

export interface WebChatConversation {
  id: string;
  createdAt: string;
  session?: WebChatSession;
  /** Set once the bot was told the conversation started, so it greets once. */
  startedAt?: string;
}

/** Where the conversations are kept (the JSON store's JsonWebChatConversationRepository by default). */
export interface WebChatConversationRepository {
  put(conversation: WebChatConversation): Promise<void>;
  get(id: string): Promise<WebChatConversation | undefined>;
  /** Changes a conversation that exists; undefined when there is none. */
  update(id: string, change: (conversation: WebChatConversation) => WebChatConversation): Promise<unknown>;
}

/** How long a signed-in web chat session lasts: without activity, and at most. */
export interface SessionLifetimes {
  idleMs: number;
  maxMs: number;
}

const ID_PREFIX = 'wc-';
/** The idle clock is kept to this precision, so that not every message writes the record. */
const ACTIVITY_PRECISION_MS = 60_000;

/** Whether a conversation is one of the bot's own Direct Line endpoint, which only that endpoint may post to. */
export function isWebChatConversation(channelId: string, conversationId: string): boolean {
  return channelId === 'directline' && conversationId.startsWith(ID_PREFIX);
}

/**
 * The conversations of the bot's own Direct Line endpoint; the session is kept here, never in a
 * token, so that it can end (idle, at its absolute end, or revoked by the site) whatever tokens
 * are still about.
 */
export class WebChatConversations {
  constructor(
    private readonly records: WebChatConversationRepository,
    private readonly lifetimes: SessionLifetimes,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(signedIn?: { accountId: string; profile?: string }): Promise<WebChatConversation> {
    const now = this.now();
    const conversation: WebChatConversation = {
      id: `${ID_PREFIX}${randomBytes(18).toString('base64url')}`,
      createdAt: now.toISOString(),
      ...(signedIn
        ? {
            session: {
              ...signedIn,
              expiresAt: new Date(now.getTime() + this.lifetimes.maxMs).toISOString(),
              activeAt: now.toISOString(),
            },
          }
        : {}),
    };
    await this.records.put(conversation);
    return conversation;
  }

  get(id: string): Promise<WebChatConversation | undefined> {
    return this.records.get(id);
  }

  /**
   * When the conversation's signed-in session ends, if nothing else happens: the earlier of its
   * absolute end and its idle end. Undefined for an anonymous conversation.
   */
  sessionEnd(conversation: WebChatConversation): Date | undefined {
    const { session } = conversation;
    if (!session) return undefined;
    if (session.revokedAt) return new Date(session.revokedAt);
    const idleEnd = Date.parse(session.activeAt) + this.lifetimes.idleMs;
    return new Date(Math.min(Date.parse(session.expiresAt), idleEnd));
  }

  /** Whether the conversation had a signed-in session that is now over. */
  sessionEnded(conversation: WebChatConversation): boolean {
    const end = this.sessionEnd(conversation);
    return end !== undefined && end.getTime() <= this.now().getTime();
  }

  /** The person did something in a signed-in session: its idle clock starts again. */
  async touch(conversation: WebChatConversation): Promise<void> {
    const { session } = conversation;
    const now = this.now();
    if (!session || now.getTime() - Date.parse(session.activeAt) < ACTIVITY_PRECISION_MS) return;
    await this.records.update(conversation.id, (record) =>
      record.session ? { ...record, session: { ...record.session, activeAt: now.toISOString() } } : record,
    );
  }

  /** Ends a signed-in session for good; false when the conversation had none. */
  async revoke(id: string): Promise<boolean> {
    let found = false;
    await this.records.update(id, (record) => {
      if (!record.session) return record;
      found = true;
      return record.session.revokedAt
        ? record
        : { ...record, session: { ...record.session, revokedAt: this.now().toISOString() } };
    });
    return found;
  }

  /** True the first time only: the caller then tells the bot that the conversation started. */
  async markStarted(id: string): Promise<boolean> {
    let first = false;
    await this.records.update(id, (record) => {
      if (record.startedAt) return record;
      first = true;
      return { ...record, startedAt: new Date().toISOString() };
    });
    return first;
  }
}
