import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../security/logger.js';
import { AtomicJsonFile, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';
import { recordWriter } from '../workerPool.js';

/**
 * One small JSON file per key, for records that change on every chat turn (conversation state,
 * conversation references). This process is the only one that writes them (the embedded store
 * serves one process), so its memory is the record and the file its copy:
 *
 * - a change is in effect once `update` returns, and written to its file right after, off the
 *   turn, by a writer thread of its own (atomically: a temporary file renamed over the old one);
 *   changes that come faster than the disk take them are written once, the newest winning;
 * - `flush` (on close) waits until every change is on disk; a crash or a power loss may take a
 *   conversation back by the turn in flight, which the person simply repeats. Accounts, reset
 *   requests and the audit trail are never written this way.
 *
 * Writing in the turn cost each changed turn about a millisecond on the event loop, in creating
 * and renaming files.
 */
export class KeyFileStore<V> {
  private readonly queue = new SerialQueue();
  /** Recently used records, newest last; a record waiting to be written is always here. */
  private readonly recent = new Map<string, V | undefined>();
  /** Changes not on disk yet, by key: the newest value (undefined: remove the file). */
  private readonly unwritten = new Map<string, V | undefined>();
  /** The write in progress per key; it goes on until `unwritten` has nothing for the key. */
  private readonly writing = new Map<string, Promise<void>>();
  private dirReady: Promise<unknown> | undefined;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly cacheSize = 10_000,
  ) {}

  async init(): Promise<void> {
    await this.ensureDir();
    await removeStaleTempFiles(this.dir);
  }

  async get(key: string): Promise<V | undefined> {
    return structuredClone(this.read(key));
  }

  /**
   * Changes the record under `key`, one change per key at a time. `change` gets a copy of the
   * record and returns the new one, which the store keeps as it is: it must not hold on to it.
   */
  async update(key: string, change: (current: V | undefined) => V | undefined | Promise<V | undefined>): Promise<void> {
    await this.ensureDir();
    await this.queue.run(key, async () => {
      const next = await change(structuredClone(this.read(key)));
      this.remember(key, next);
      this.persist(key, next);
    });
  }

  /** Removes the record without reading it, so even a damaged file can be cleared. */
  async delete(key: string): Promise<void> {
    await this.queue.run(key, async () => {
      this.remember(key, undefined);
      this.persist(key, undefined);
    });
  }

  /** Resolves once every change made so far is on disk (or failed, and was logged). */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private read(key: string): V | undefined {
    if (this.recent.has(key)) return this.recent.get(key);
    const record = this.file(key).readSync();
    const value = record === null ? undefined : record.value;
    this.remember(key, value);
    return value;
  }

  private persist(key: string, value: V | undefined): void {
    this.unwritten.set(key, value);
    if (this.writing.has(key)) return;
    const write = this.writeUnwritten(key).finally(() => this.writing.delete(key));
    this.writing.set(key, write);
  }

  private async writeUnwritten(key: string): Promise<void> {
    while (this.unwritten.has(key)) {
      const value = this.unwritten.get(key);
      this.unwritten.delete(key);
      const file = this.file(key).file;
      try {
        if (value === undefined) await recordWriter.run('remove', { file });
        else await recordWriter.run('write', { file, content: JSON.stringify({ key, value }) });
      } catch (error) {
        // The record is still right in memory; its next change tries the file again.
        this.logger.error('a conversation record could not be written', { error, dir: this.dir });
      }
    }
  }

  private remember(key: string, value: V | undefined): void {
    this.recent.delete(key);
    this.recent.set(key, value);
    if (this.recent.size <= this.cacheSize) return;
    // The oldest record that is on disk goes; one still waiting to be written stays.
    for (const oldest of this.recent.keys()) {
      if (this.unwritten.has(oldest) || this.writing.has(oldest)) continue;
      this.recent.delete(oldest);
      return;
    }
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
