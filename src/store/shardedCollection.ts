import { createHash } from 'node:crypto';
import path from 'node:path';
import { Low } from 'lowdb';
import { AtomicJsonFile, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';

type Shard<V> = Low<Record<string, V>>;

/**
 * A key-value collection spread over many small lowdb files, so that a change rewrites one
 * shard (a few hundred kilobytes at 100 000 records) rather than the whole store.
 * Shards are read lazily on first use and kept in memory afterwards.
 */
export class ShardedCollection<V> {
  private readonly shards = new Map<number, Promise<Shard<V>>>();
  private readonly queue = new SerialQueue();

  constructor(
    readonly dir: string,
    readonly shardCount = 256,
  ) {}

  async init(): Promise<void> {
    await removeStaleTempFiles(this.dir);
  }

  async get(key: string): Promise<V | undefined> {
    const shard = await this.shardFor(key);
    const value = shard.data[key];
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Applies `change` to the current value (undefined when absent); returning undefined deletes it. */
  async update<R extends V | undefined>(key: string, change: (current: V | undefined) => R | Promise<R>): Promise<R> {
    const index = this.shardIndex(key);
    return this.queue.run(String(index), async () => {
      const shard = await this.loadShard(index);
      const current = shard.data[key];
      const next = await change(current === undefined ? undefined : structuredClone(current));
      if (next === undefined) {
        if (current === undefined) return next;
        delete shard.data[key];
      } else {
        shard.data[key] = structuredClone(next) as V;
      }
      try {
        await shard.write();
      } catch (error) {
        // Keep memory equal to disk: the change did not happen.
        if (current === undefined) delete shard.data[key];
        else shard.data[key] = current;
        throw error;
      }
      return next;
    });
  }

  async set(key: string, value: V): Promise<void> {
    await this.update(key, () => value);
  }

  async delete(key: string): Promise<void> {
    await this.update(key, () => undefined);
  }

  /** Every record, shard by shard; for the CLI and maintenance, not for a chat turn. */
  async *entries(): AsyncGenerator<[string, V]> {
    for (let index = 0; index < this.shardCount; index++) {
      const shard = await this.loadShard(index);
      for (const [key, value] of Object.entries(shard.data)) yield [key, structuredClone(value)];
    }
  }

  async isEmpty(): Promise<boolean> {
    for await (const _ of this.entries()) return false;
    return true;
  }

  private shardFor(key: string): Promise<Shard<V>> {
    return this.loadShard(this.shardIndex(key));
  }

  private shardIndex(key: string): number {
    return createHash('sha256').update(key).digest().readUInt32BE(0) % this.shardCount;
  }

  private loadShard(index: number): Promise<Shard<V>> {
    let shard = this.shards.get(index);
    if (!shard) {
      const file = path.join(this.dir, `${index.toString(16).padStart(3, '0')}.json`);
      const low = new Low<Record<string, V>>(new AtomicJsonFile(file), {});
      shard = low.read().then(() => low);
      shard.catch(() => this.shards.delete(index));
      this.shards.set(index, shard);
    }
    return shard;
  }
}
