import type { SharedCache } from '../store/redis.js';
import { ConversationLog, DEFAULT_LOG_LIMITS, type LogLimits, type LoggedActivity } from './conversationLog.js';

/**
 * What each web chat conversation has seen, in order, for clients reading from a watermark and
 * for the sockets that follow it: in this process (one instance), or in Redis, where any
 * instance appends and every instance's sockets hear of it.
 */
export interface ActivityLog {
  /** Appends an activity; false (and nothing kept) when it alone is over the per-activity limit. */
  append(conversationId: string, activity: LoggedActivity): Promise<boolean>;
  /** Activities after the watermark, and the watermark to ask from next. */
  read(
    conversationId: string,
    watermark: number | undefined,
  ): Promise<{ activities: LoggedActivity[]; watermark: number }>;
  /** Calls `listener` after each append to the conversation, until the returned function is called. */
  subscribe(conversationId: string, listener: () => void): () => void;
  /** Records whether the bot now waits for a secret: the person's next text is then kept as a placeholder. */
  expectSecret(conversationId: string, secret: boolean): Promise<void>;
  awaitsSecret(conversationId: string): Promise<boolean>;
}

/** The log in this process's memory, bounded (ConversationLog). */
export class MemoryActivityLog implements ActivityLog {
  constructor(private readonly log = new ConversationLog()) {}

  async append(conversationId: string, activity: LoggedActivity): Promise<boolean> {
    return this.log.append(conversationId, activity);
  }

  async read(conversationId: string, watermark: number | undefined) {
    return this.log.read(conversationId, watermark);
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    return this.log.subscribe(conversationId, listener);
  }

  async expectSecret(conversationId: string, secret: boolean): Promise<void> {
    this.log.expectSecret(conversationId, secret);
  }

  async awaitsSecret(conversationId: string): Promise<boolean> {
    return this.log.awaitsSecret(conversationId);
  }
}

/**
 * Appends an activity and its size, then drops the oldest beyond the count and byte limits of the
 * conversation, moving the base watermark on; every key expires when the conversation goes idle.
 * KEYS: log, sizes, base. ARGV: activity, bytes, max count, max bytes, idle seconds.
 */
const APPEND = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[2])
local total = 0
for _, size in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do total = total + tonumber(size) end
local count = redis.call('LLEN', KEYS[1])
local dropped = 0
while count - dropped > 1 and (count - dropped > tonumber(ARGV[3]) or total > tonumber(ARGV[4])) do
  total = total - tonumber(redis.call('LINDEX', KEYS[2], dropped))
  dropped = dropped + 1
end
if dropped > 0 then
  redis.call('LTRIM', KEYS[1], dropped, -1)
  redis.call('LTRIM', KEYS[2], dropped, -1)
  redis.call('INCRBY', KEYS[3], dropped)
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return 1`;

/** The log in Redis: shared by every instance, bounded per activity and per conversation, expiring when idle. */
export class RedisActivityLog implements ActivityLog {
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly cache: SharedCache,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
    private readonly idleSeconds = 2 * 60 * 60,
  ) {
    // One channel for all conversations: an append anywhere wakes this instance's sockets for it.
    void cache.listen('webchat:appended', (conversationId) => {
      for (const listener of this.listeners.get(conversationId) ?? []) {
        try {
          listener();
        } catch {
          // One reader's failure (a socket gone) must not stop the others.
        }
      }
    });
  }

  private keys(conversationId: string): [string, string, string] {
    const base = this.cache.key(`webchat:${conversationId}`);
    return [`${base}:log`, `${base}:sizes`, `${base}:base`];
  }

  async append(conversationId: string, activity: LoggedActivity): Promise<boolean> {
    const text = JSON.stringify(activity);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.limits.bytesPerActivity) return false;
    const { activitiesPerConversation, bytesPerConversation } = this.limits;
    await this.cache.client.eval(
      APPEND,
      3,
      ...this.keys(conversationId),
      text,
      bytes,
      activitiesPerConversation,
      bytesPerConversation,
      this.idleSeconds,
    );
    await this.cache.publish('webchat:appended', conversationId);
    return true;
  }

  async read(conversationId: string, watermark: number | undefined) {
    const [log, , baseKey] = this.keys(conversationId);
    const results = await this.cache.client.multi().get(baseKey).lrange(log, 0, -1).exec();
    const base = Number(results?.[0]?.[1] ?? 0);
    const entries = (results?.[1]?.[1] as string[] | undefined) ?? [];
    const end = base + entries.length;
    const from = Math.min(Math.max(watermark ?? base, base), end);
    return {
      activities: entries.slice(from - base).map((entry) => JSON.parse(entry) as LoggedActivity),
      watermark: end,
    };
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    let set = this.listeners.get(conversationId);
    if (!set) this.listeners.set(conversationId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(conversationId);
    };
  }

  async expectSecret(conversationId: string, secret: boolean): Promise<void> {
    const key = this.cache.key(`webchat:${conversationId}:secret`);
    if (secret) await this.cache.client.set(key, '1', 'EX', this.idleSeconds);
    else await this.cache.client.del(key);
  }

  async awaitsSecret(conversationId: string): Promise<boolean> {
    return (await this.cache.client.exists(this.cache.key(`webchat:${conversationId}:secret`))) === 1;
  }
}
