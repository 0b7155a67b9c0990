import { Redis } from 'ioredis';
import type { Logger } from '../security/logger.js';

/**
 * The Redis behind `REDIS_URL`, for what the instances share for a short while: rate limits, the
 * duplicate filter, web chat activities and their fan-out. Every key and channel starts with the
 * configured prefix. Commands wait for a lost connection to come back rather than fail at once.
 */
export class SharedCache {
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(
    url: string,
    readonly prefix: string,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.client = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    this.client.on('error', (error: Error) => this.logger.warn('redis connection problem', { error: error.name }));
  }

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Calls `handler` with every message published on the channel, by any instance. */
  async listen(channel: string, handler: (message: string) => void): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('error', (error: Error) =>
        this.logger.warn('redis subscriber problem', { error: error.name }),
      );
      this.subscriber.on('message', (name: string, message: string) => this.handlers.get(name)?.(message));
    }
    this.handlers.set(this.key(channel), handler);
    try {
      await this.subscriber.subscribe(this.key(channel));
    } catch (error) {
      // ioredis subscribes again once the connection is back; meanwhile this instance's sockets
      // get what other instances append only when the client reads again from its watermark.
      this.logger.warn('redis subscription failed for now', { channel, error });
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key(channel), message);
  }

  /** Whether Redis answers now (`/readyz`). */
  async reachable(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
