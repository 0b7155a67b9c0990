import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { AtomicJsonFile, isNotFound, removeStaleTempFiles } from './atomicJsonFile.js';
import { withFileLock } from './fileLock.js';
import { SerialQueue } from './serialQueue.js';

interface CachedShard<V> {
  db: Low<Record<string, V>>;
  /** Identity of the file the data came from (see fileIdentity). */
  identity: string | undefined;
}

/** The records a write puts (a value) or removes (undefined). */
type Changes<V> = Map<string, V | undefined>;

/**
 * A key-value collection spread over many small lowdb files, so that a change rewrites one
 * shard (a few hundred kilobytes at 100 000 records) rather than the whole store.
 *
 * Shards are read on first use and the most recently used ones are kept (so memory stays
 * bounded however many records there are); a kept shard is re-read when its file was replaced
 * by another process (the accounts CLI next to the running bot), and writes hold a lock file so
 * neither process loses the other's change.
 */
export class ShardedCollection<V> {
  /** In least recently used order: the first entry is the next to go. */
  private readonly cache = new Map<number, CachedShard<V>>();
  private readonly queue = new SerialQueue();
  private dirReady: Promise<unknown> | undefined;

  constructor(
    readonly dir: string,
    readonly shardCount = 256,
    /** At 100 000 accounts an account shard is about 170 kB on disk and takes about 1 ms to read. */
    readonly cachedShards = 32,
  ) {}

  async init(): Promise<void> {
    await this.ensureDir();
    await removeStaleTempFiles(this.dir);
  }

  private ensureDir(): Promise<unknown> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.dirReady;
  }

  async get(key: string): Promise<V | undefined> {
    const shard = await this.fresh(this.shardIndex(key));
    const value = shard.db.data[key];
    return value === undefined ? undefined : structuredClone(value);
  }

  /** The values of many keys, reading each shard once: for bulk imports. Absent keys are left out. */
  async getMany(keys: Iterable<string>): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    for (const [index, shardKeys] of this.byShard(keys)) {
      const { data } = (await this.fresh(index)).db;
      for (const key of shardKeys) if (data[key] !== undefined) found.set(key, structuredClone(data[key]));
    }
    return found;
  }

  /** Applies `change` to the current value (undefined when absent); returning undefined deletes it. */
  async update<R extends V | undefined>(key: string, change: (current: V | undefined) => R | Promise<R>): Promise<R> {
    let next: R | undefined;
    await this.commit(this.shardIndex(key), async (data) => {
      const current = data[key];
      next = await change(current === undefined ? undefined : structuredClone(current));
      return new Map([[key, next]]);
    });
    return next as R;
  }

  async set(key: string, value: V): Promise<void> {
    await this.update(key, () => value);
  }

  async delete(key: string): Promise<void> {
    await this.update(key, () => undefined);
  }

  /** Many records at once, one write per shard: for bulk imports. */
  async setMany(entries: Iterable<[string, V]>): Promise<void> {
    const values = new Map(entries);
    await this.updateMany(values.keys(), (key) => values.get(key));
  }

  /** `change` for many keys, one write per shard; it gets each key and its current value. */
  async updateMany(
    keys: Iterable<string>,
    change: (key: string, current: V | undefined) => V | undefined,
  ): Promise<void> {
    for (const [index, shardKeys] of this.byShard(keys)) {
      await this.commit(index, async (data) => {
        const current = (key: string) => (data[key] === undefined ? undefined : structuredClone(data[key]));
        return new Map(shardKeys.map((key) => [key, change(key, current(key))]));
      });
    }
  }

  /** Every record, shard by shard; for the CLI and maintenance, not for a chat turn. */
  async *entries(): AsyncGenerator<[string, V]> {
    for (let index = 0; index < this.shardCount; index++) {
      const shard = await this.fresh(index);
      for (const [key, value] of Object.entries(shard.db.data)) yield [key, structuredClone(value)];
    }
  }

  async isEmpty(): Promise<boolean> {
    for await (const _ of this.entries()) return false;
    return true;
  }

  private byShard(keys: Iterable<string>): Map<number, string[]> {
    const byShard = new Map<number, string[]>();
    for (const key of keys) {
      const index = this.shardIndex(key);
      const shardKeys = byShard.get(index);
      if (shardKeys) shardKeys.push(key);
      else byShard.set(index, [key]);
    }
    return byShard;
  }

  private shardIndex(key: string): number {
    return createHash('sha256').update(key).digest().readUInt32BE(0) % this.shardCount;
  }

  private fileOf(index: number): string {
    return path.join(this.dir, `${index.toString(16).padStart(3, '0')}.json`);
  }

  /** The cached shard, re-read if its file is no longer the one it was read from. */
  private async fresh(index: number): Promise<CachedShard<V>> {
    const file = this.fileOf(index);
    const identity = await fileIdentity(file);
    const cached = this.cache.get(index);
    if (cached && cached.identity === identity) return this.keep(index, cached);
    const db = new Low<Record<string, V>>(new AtomicJsonFile(file), {});
    await db.read();
    db.data = withoutPrototype(db.data);
    return this.keep(index, { db, identity });
  }

  /** Marks the shard most recently used, letting the least recently used one go when over the bound. */
  private keep(index: number, shard: CachedShard<V>): CachedShard<V> {
    this.cache.delete(index);
    this.cache.set(index, shard);
    if (this.cache.size > this.cachedShards) this.cache.delete(this.cache.keys().next().value!);
    return shard;
  }

  /**
   * Computes changes from the shard's current data and writes them, under this process's queue
   * and the cross-process lock. Readers see the new data only once it is on disk.
   */
  private async commit(index: number, compute: (data: Record<string, V>) => Promise<Changes<V>>): Promise<void> {
    const file = this.fileOf(index);
    await this.ensureDir();
    await this.queue.run(String(index), () =>
      withFileLock(`${file}.lock`, async () => {
        const shard = await this.fresh(index);
        const changes = await compute(shard.db.data);
        const next = withoutPrototype(shard.db.data);
        let changed = false;
        for (const [key, value] of changes) {
          if (value !== undefined) next[key] = structuredClone(value);
          else if (key in next) delete next[key];
          else continue;
          changed = true;
        }
        if (!changed) return;
        await shard.db.adapter.write(next);
        shard.db.data = next;
        shard.identity = await fileIdentity(file);
      }),
    );
  }
}

/**
 * Inode, change time in nanoseconds and size: every atomic write replaces the file, and a freed
 * inode number may be reused, so the inode alone cannot tell two versions apart.
 */
async function fileIdentity(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file, { bigint: true });
    return `${stat.ino}:${stat.ctimeNs}:${stat.size}`;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * A shard's records in an object with no prototype, so that keys from requests such as
 * `__proto__` or `constructor` are plain keys: absent unless stored, never inherited, and a
 * write under them is an ordinary record.
 */
function withoutPrototype<V>(data: Record<string, V>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, data);
}
