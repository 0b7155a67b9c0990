import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AtomicJsonFile, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';

/**
 * One small JSON file per key, for records that change on every chat turn (conversation
 * state): a turn rewrites only its own conversation's file. Writes are atomic but not flushed
 * to disk (see AtomicJsonFile): a power loss may take a conversation back by a turn, which the
 * person simply repeats; accounts and reset requests are always flushed.
 */
export class KeyFileStore<V> {
  private readonly queue = new SerialQueue();
  /**
   * Recently used records, newest last. This process is the only writer of its conversation
   * state, so the cache saves a read per turn without ever being stale.
   */
  private readonly recent = new Map<string, V | undefined>();
  private dirReady: Promise<unknown> | undefined;

  constructor(
    readonly dir: string,
    private readonly cacheSize = 10_000,
  ) {}

  async init(): Promise<void> {
    await this.ensureDir();
    await removeStaleTempFiles(this.dir);
  }

  async get(key: string): Promise<V | undefined> {
    return structuredClone(await this.read(key));
  }

  async update<R extends V | undefined>(key: string, change: (current: V | undefined) => R | Promise<R>): Promise<R> {
    await this.ensureDir();
    return this.queue.run(key, async () => {
      const file = this.file(key);
      const next = await change(structuredClone(await this.read(key)));
      this.recent.delete(key);
      if (next === undefined) {
        await fs.rm(file.file, { force: true });
      } else {
        await file.write({ key, value: next });
      }
      this.remember(key, structuredClone(next));
      return next;
    });
  }

  /** Removes the record without reading it, so even a damaged file can be cleared. */
  async delete(key: string): Promise<void> {
    await this.queue.run(key, async () => {
      this.recent.delete(key);
      await fs.rm(this.file(key).file, { force: true });
    });
  }

  private async read(key: string): Promise<V | undefined> {
    if (this.recent.has(key)) return this.recent.get(key);
    const record = await this.file(key).read();
    const value = record === null ? undefined : record.value;
    this.remember(key, value);
    return value;
  }

  private remember(key: string, value: V | undefined): void {
    this.recent.delete(key);
    this.recent.set(key, value);
    if (this.recent.size > this.cacheSize) this.recent.delete(this.recent.keys().next().value!);
  }

  private ensureDir(): Promise<unknown> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.dirReady;
  }

  private file(key: string): AtomicJsonFile<{ key: string; value: V }> {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 40);
    return new AtomicJsonFile(path.join(this.dir, `${name}.json`), { durable: false });
  }
}
