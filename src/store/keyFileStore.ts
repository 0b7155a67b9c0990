import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../security/logger.js';
import { readJsonTextSync, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';
import { recordWriter } from '../workerPool.js';
import type { RecordChange } from '../workers/recordWriter.js';

/**
 * One small JSON file per key, for records that change on every chat turn (conversation state,
 * conversation references). This process is the only one that writes them (the embedded store
 * serves one process), so its memory is the record and the file its copy:
 *
 * - a change is in effect once `update` returns, and written to its file right after the turn has
 *   answered, by a writer thread of its own (atomically: a temporary file renamed over the old
 *   one), in one batch with the other changes of the moment; changes that come faster than the
 *   disk takes them are written once, the newest winning;
 * - a write that fails (a full disk) is logged and tried again after a pause, and the record stays
 *   in memory until it is written;
 * - `flush` (on close) waits until every change is on disk; a crash or a power loss may take a
 *   conversation back by the turn in flight, which the person simply repeats. Accounts, reset
 *   requests and the audit trail are never written this way.
 *
 * Writing in the turn cost each changed turn about a millisecond on the event loop, in creating
 * and renaming files.
 */
export class KeyFileStore<V> {
  private readonly queue = new SerialQueue();
  /**
   * Recently used records, newest last: each with its file's path (hashed from the key once) and
   * the file's JSON (undefined: no record, which is remembered too); a record waiting to be
   * written is always here. Kept as text, the record is serialized once a change (for its file
   * and this cache both), every reader gets its own copy by parsing it, and ten thousand
   * conversations take a few tens of megabytes.
   */
  private readonly recent = new Map<string, RecordChange>();
  /** Changes not handed to the writer yet, by key: the record's file and its newest content (none: remove the file). */
  private readonly unwritten = new Map<string, RecordChange>();
  /** The keys of the batch the writer thread has in hand. */
  private inFlight = new Set<string>();
  /**
   * Changes whose file could not be written, by key, tried again after a pause that doubles while
   * writes keep failing (a full disk, say). They stay in the cache meanwhile: dropping one would
   * let a later read return the file's older record.
   */
  private readonly failed = new Map<string, RecordChange>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  /** The writing under way; it goes on until `unwritten` is empty. */
  private writing: Promise<void> | undefined;
  private dirReady: Promise<unknown> | undefined;
  /**
   * The records that have a file, each as a number taken from its file's name, known once `init`
   * has listed the directory: a new conversation's first turn then does not look for a file that
   * is not there, a look that waits on the writer's renames in the same directory. Two names
   * with one number cost a look at the disk, nothing more; a few megabytes hold a million.
   */
  private withFiles: Set<number> | undefined;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly cacheSize = 10_000,
    /** The first pause before a failed write is tried again; it doubles up to a minute. */
    private readonly firstRetryDelayMs = 1_000,
  ) {
    this.retryDelayMs = firstRetryDelayMs;
  }

  async init(): Promise<void> {
    await this.ensureDir();
    const names = await removeStaleTempFiles(this.dir);
    this.withFiles = new Set(names.filter((name) => name.endsWith('.json')).map(fileNumber));
  }

  async get(key: string): Promise<V | undefined> {
    return parse<V>(this.read(key));
  }

  /**
   * Changes the record under `key`, one change per key at a time. `change` gets a copy of the
   * record and returns the new one, which the store takes a copy of.
   */
  async update(key: string, change: (current: V | undefined) => V | undefined | Promise<V | undefined>): Promise<void> {
    await this.ensureDir();
    await this.queue.run(key, async () => {
      const next = await change(parse<V>(this.read(key)));
      this.applyChange(key, next === undefined ? undefined : JSON.stringify({ key, value: next }));
    });
  }

  /** Replaces the record without reading it (a new conversation has no file to look for). */
  async put(key: string, value: V): Promise<void> {
    await this.ensureDir();
    await this.queue.run(key, async () => this.applyChange(key, JSON.stringify({ key, value })));
  }

  /** Removes the record without reading it, so even a damaged file can be cleared. */
  async delete(key: string): Promise<void> {
    await this.queue.run(key, async () => this.applyChange(key, undefined));
  }

  /**
   * Resolves once every change made so far is on disk or, having failed (and been logged), was
   * tried once more.
   */
  async flush(): Promise<void> {
    if (this.failed.size > 0) this.retryFailed();
    while (this.writing) await this.writing;
  }

  /** The record's file content, from memory or else from its file. */
  private read(key: string): string | undefined {
    const cached = this.recent.get(key);
    if (cached) return cached.content;
    const file = this.fileOf(key);
    const content =
      this.withFiles && !this.withFiles.has(fileNumber(path.basename(file)))
        ? undefined
        : (readJsonTextSync(file) ?? undefined);
    this.remember(key, file, content);
    return content;
  }

  /**
   * The record's new file content (undefined: no record), in effect at once. Marked unwritten
   * before it is remembered, so that the cache never lets go of it before it is on disk.
   */
  private applyChange(key: string, content: string | undefined): void {
    const file = this.recent.get(key)?.file ?? this.fileOf(key);
    this.persist(key, file, content);
    this.remember(key, file, content);
  }

  private persist(key: string, file: string, content: string | undefined): void {
    // A newer change replaces one waiting to be tried again.
    this.failed.delete(key);
    this.unwritten.set(key, { file, content });
    if (content !== undefined) this.withFiles?.add(fileNumber(path.basename(file)));
    this.writing ??= this.writeUnwritten();
  }

  /**
   * Hands the writer thread every change made so far as one batch, once the turns that made them
   * have answered (one message between the threads per batch, not one per record), and again
   * until no change is left.
   */
  private async writeUnwritten(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while (this.unwritten.size > 0) {
        const batch = [...this.unwritten];
        this.inFlight = new Set(this.unwritten.keys());
        this.unwritten.clear();
        let failedFiles: Set<string>;
        try {
          const failures = await recordWriter.run<Record<string, string>>('writeAll', {
            changes: batch.map(([, change]) => change),
          });
          const reasons = Object.values(failures);
          // One line a batch, not one a record: a full disk fails them all, and again on every try.
          if (reasons.length > 0)
            this.logger.error('conversation records could not be written', {
              records: reasons.length,
              error: reasons[0],
              dir: this.dir,
            });
          failedFiles = new Set(Object.keys(failures));
        } catch (error) {
          this.logger.error('conversation records could not be written', { error, dir: this.dir });
          failedFiles = new Set(batch.map(([, change]) => change.file));
        }
        this.inFlight = new Set();
        this.keepFailed(batch.filter(([, change]) => failedFiles.has(change.file)));
      }
    } finally {
      // In the same step as the last look at `unwritten`: a change made after it starts anew.
      this.writing = undefined;
    }
  }

  /**
   * The record is still right in memory; its file is tried again after a pause (unless a newer
   * change came meanwhile, which is written anyway).
   */
  private keepFailed(failures: Array<[string, RecordChange]>): void {
    if (failures.length === 0) {
      if (this.failed.size === 0) this.retryDelayMs = this.firstRetryDelayMs;
      return;
    }
    for (const [key, change] of failures) if (!this.unwritten.has(key)) this.failed.set(key, change);
    if (this.retryTimer || this.failed.size === 0) return;
    this.retryTimer = setTimeout(() => this.retryFailed(), this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 60_000);
  }

  private retryFailed(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [key, change] of this.failed) if (!this.unwritten.has(key)) this.unwritten.set(key, change);
    this.failed.clear();
    this.writing ??= this.writeUnwritten();
  }

  private remember(key: string, file: string, content: string | undefined): void {
    this.recent.delete(key);
    this.recent.set(key, { file, content });
    if (this.recent.size <= this.cacheSize) return;
    // The oldest record that is on disk goes; one still waiting to be written stays.
    for (const oldest of this.recent.keys()) {
      if (this.unwritten.has(oldest) || this.inFlight.has(oldest) || this.failed.has(oldest)) continue;
      this.recent.delete(oldest);
      return;
    }
  }

  private ensureDir(): Promise<unknown> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.dirReady;
  }

  /** The record's file: `{ key, value }` as JSON, named by a hash of the key. */
  private fileOf(key: string): string {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 40);
    return path.join(this.dir, `${name}.json`);
  }
}

/** The number a record's file name stands for in `withFiles`: its first 28 bits, a small integer. */
function fileNumber(name: string): number {
  return parseInt(name.slice(0, 7), 16);
}

/** A fresh copy of the record in a file's content. */
function parse<V>(content: string | undefined): V | undefined {
  return content === undefined ? undefined : (JSON.parse(content) as { value: V }).value;
}
