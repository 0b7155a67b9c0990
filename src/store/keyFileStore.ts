import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../security/logger.js';
import { isNotFound, readJsonTextSync, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';
import { recordWriter } from '../workerPool.js';
import type { RecordChange } from '../workers/recordWriter.js';

/** How large the journal may grow before its records are written to their files. */
const JOURNAL_LIMIT_BYTES = 4 * 1024 * 1024;
/** How long a change may wait in the journal before it is written to its record's file. */
const CHECKPOINT_AFTER_MS = 30_000;

/** The store's timings, for tests; a running bot keeps the defaults. */
export interface KeyFileStoreOptions {
  /** Recently used records kept in memory. */
  cacheSize?: number;
  /** The first pause before a failed write is tried again; it doubles up to a minute. */
  firstRetryDelayMs?: number;
  journalLimitBytes?: number;
  checkpointAfterMs?: number;
}

/**
 * One small JSON file per key, for records that change on every chat turn (conversation state,
 * conversation references), with a journal in front of the files. This process is the only one
 * that writes them (the embedded store serves one process), so its memory is the record and the
 * disk its copy:
 *
 * - a change is in effect once `update` returns, and right after the turn has answered it is
 *   appended to the directory's journal (`journal.jsonl`, one line a change), in one write with
 *   the other changes of the moment, by a writer thread of its own; changes that come faster than
 *   the disk takes them are written once, the newest winning;
 * - when the journal reaches 4 MB, or 30 s after its first change, the newest change of each of
 *   its records is written to the record's own file (atomically: a temporary file renamed over
 *   the old one) and the journal is removed. A record stays in memory until it is in its file;
 * - at start, a journal left by a process that was killed is read back: its records are in
 *   effect at once and written to their files; a line cut short by the kill is skipped;
 * - a write that fails (a full disk) is logged and tried again after a pause, and the record stays
 *   in memory until it is written;
 * - `flush` (on close) waits until every change is in its file; a crash or a power loss may take
 *   a conversation back by the turn in flight, which the person simply repeats. Accounts, reset
 *   requests and the audit trail are never written this way.
 *
 * Writing each change to its own file in the turn cost each changed turn about a millisecond on
 * the event loop; writing it to its file in the writer thread, 0.45 to 0.8 ms of that thread's
 * CPU, a third of what a turn cost on a 2-core machine. Appending it to the journal costs a few
 * microseconds, and a record that changes many times between two checkpoints is written once.
 */
export class KeyFileStore<V> {
  private readonly queue = new SerialQueue();
  /**
   * Recently used records, newest last: each with its file's path (hashed from the key once) and
   * the file's JSON (undefined: no record, which is remembered too); a record not yet in its file
   * is always here. Kept as text, the record is serialized once a change (for the journal, its
   * file and this cache), every reader gets its own copy by parsing it, and ten thousand
   * conversations take a few tens of megabytes.
   */
  private readonly recent = new Map<string, RecordChange>();
  /** Changes not handed to the writer yet, by key: the record's file and its newest content (none: remove the file). */
  private readonly unwritten = new Map<string, RecordChange>();
  /** The keys of the batch the writer thread is appending to the journal. */
  private inFlight = new Set<string>();
  /** The newest change of each record in the journal that is not in its file yet, by key. */
  private journaled = new Map<string, RecordChange>();
  /** The changes the writer thread is writing to their files. */
  private checkpointing = new Map<string, RecordChange>();
  private journalBytes = 0;
  private checkpointDue = false;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /**
   * Changes that could not be appended to the journal or written to their file, by key, tried
   * again after a pause that doubles while writes keep failing (a full disk, say). They stay in
   * the cache meanwhile: dropping one would let a later read return the file's older record.
   */
  private readonly failed = new Map<string, RecordChange>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  /** The writing under way; it goes on until nothing is left to append or to checkpoint. */
  private writing: Promise<void> | undefined;
  private dirReady: Promise<unknown> | undefined;
  /**
   * The records that have a file, each as a number taken from its file's name, known once `init`
   * has listed the directory: a new conversation's first turn then does not look for a file that
   * is not there, a look that waits on the writer's renames in the same directory. Two names
   * with one number cost a look at the disk, nothing more; a few megabytes hold a million.
   */
  private withFiles: Set<number> | undefined;
  /** Whether the journal a killed process may have left was read back. */
  private replayed = false;
  private readonly journal: string;
  private readonly cacheSize: number;
  private readonly firstRetryDelayMs: number;
  private readonly journalLimitBytes: number;
  private readonly checkpointAfterMs: number;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    options: KeyFileStoreOptions = {},
  ) {
    this.journal = path.join(dir, 'journal.jsonl');
    this.cacheSize = options.cacheSize ?? 10_000;
    this.firstRetryDelayMs = options.firstRetryDelayMs ?? 1_000;
    this.journalLimitBytes = options.journalLimitBytes ?? JOURNAL_LIMIT_BYTES;
    this.checkpointAfterMs = options.checkpointAfterMs ?? CHECKPOINT_AFTER_MS;
    this.retryDelayMs = this.firstRetryDelayMs;
  }

  async init(): Promise<void> {
    await this.ensureDir();
    const names = await removeStaleTempFiles(this.dir);
    this.withFiles = new Set(names.filter((name) => name.endsWith('.json')).map(fileNumber));
    // Records changed or read back before the listing may have no file yet: they will.
    for (const change of this.recent.values()) this.noteFile(change);
    this.replayJournal();
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
   * Resolves once every change made so far is in its file or, having failed (and been logged),
   * was tried once more.
   */
  async flush(): Promise<void> {
    if (this.failed.size > 0) this.retryFailed();
    await this.idle();
    if (this.journaled.size === 0) return;
    this.startCheckpoint();
    await this.idle();
  }

  /** Resolves once every change made so far is in the journal (or has failed and been logged). */
  async appended(): Promise<void> {
    while (this.writing && (this.unwritten.size > 0 || this.inFlight.size > 0)) await this.writing;
  }

  /** Resolves once the writer has nothing left to do. */
  private async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The record's file content, from memory or else from its file. */
  private read(key: string): string | undefined {
    this.replayJournal();
    const cached = this.recent.get(key);
    if (cached) return cached.content;
    const file = this.fileOf(key);
    const content =
      this.withFiles && !this.withFiles.has(fileNumber(file)) ? undefined : (readJsonTextSync(file) ?? undefined);
    this.remember(key, file, content);
    return content;
  }

  /**
   * The record's new file content (undefined: no record), in effect at once. Marked unwritten
   * before it is remembered, so that the cache never lets go of it before it is in its file.
   */
  private applyChange(key: string, content: string | undefined): void {
    const file = this.recent.get(key)?.file ?? this.fileOf(key);
    this.persist(key, file, content);
    this.remember(key, file, content);
  }

  private persist(key: string, file: string, content: string | undefined): void {
    this.replayJournal();
    // A newer change replaces one waiting to be tried again.
    this.failed.delete(key);
    this.unwritten.set(key, { file, content });
    this.noteFile({ file, content });
    this.writing ??= this.writeOut();
  }

  /**
   * Hands the writer thread every change made so far as one batch for the journal, once the
   * turns that made them have answered (one message between the threads per batch, not one per
   * record), and again until no change is left, with a checkpoint when one is due.
   */
  private async writeOut(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      // A due checkpoint goes first: under steady load there is always a change to append.
      while (this.unwritten.size > 0 || this.checkpointDue) {
        if (this.checkpointDue) await this.checkpoint();
        else await this.appendUnwritten();
      }
    } finally {
      // In the same step as the last look at `unwritten`: a change made after it starts anew.
      this.writing = undefined;
    }
  }

  private async appendUnwritten(): Promise<void> {
    const batch = [...this.unwritten];
    this.inFlight = new Set(this.unwritten.keys());
    this.unwritten.clear();
    const lines = batch.map(([key, change]) => JSON.stringify([key, change.content ?? null]) + '\n').join('');
    try {
      await recordWriter.run('append', { journal: this.journal, lines });
      for (const [key, change] of batch) this.journaled.set(key, change);
      this.journalBytes += Buffer.byteLength(lines);
      if (this.journalBytes >= this.journalLimitBytes) this.checkpointDue = true;
      else this.checkpointTimer ??= this.unrefTimer(() => this.startCheckpoint(), this.checkpointAfterMs);
      this.succeeded();
    } catch (error) {
      this.logger.error('conversation records could not be written', { error, dir: this.dir });
      this.keepFailed(batch);
    } finally {
      this.inFlight = new Set();
    }
  }

  /** Writes the newest change of each record in the journal to its file, and starts a new journal. */
  private async checkpoint(): Promise<void> {
    this.checkpointDue = false;
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.journaled.size === 0) return;
    this.checkpointing = this.journaled;
    this.journaled = new Map();
    this.journalBytes = 0;
    const batch = [...this.checkpointing];
    let failedFiles: Set<string>;
    try {
      const failures = await recordWriter.run<Record<string, string>>('checkpoint', {
        journal: this.journal,
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
    this.checkpointing = new Map();
    const failures = batch.filter(([, change]) => failedFiles.has(change.file));
    // The journal is kept while a record of it is not in its file: it holds that record still.
    for (const [key, change] of failures) if (!this.journaled.has(key)) this.journaled.set(key, change);
    if (failures.length === 0) this.succeeded();
    else this.scheduleRetry();
  }

  private startCheckpoint(): void {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.checkpointDue = true;
    this.writing ??= this.writeOut();
  }

  /**
   * The record is still right in memory; its change is tried again after a pause (unless a
   * newer change came meanwhile, which is written anyway).
   */
  private keepFailed(failures: Array<[string, RecordChange]>): void {
    for (const [key, change] of failures) if (!this.unwritten.has(key)) this.failed.set(key, change);
    this.scheduleRetry();
  }

  private succeeded(): void {
    if (this.failed.size === 0 && !this.retryTimer) this.retryDelayMs = this.firstRetryDelayMs;
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = this.unrefTimer(() => this.retryFailed(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 60_000);
  }

  private retryFailed(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [key, change] of this.failed) if (!this.unwritten.has(key)) this.unwritten.set(key, change);
    this.failed.clear();
    if (this.journaled.size > 0) this.checkpointDue = true;
    this.writing ??= this.writeOut();
  }

  private unrefTimer(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  }

  /**
   * The changes in a journal a killed process left: in effect at once, and written to their
   * files by the first checkpoint. A line it could not finish, or one damaged otherwise, is
   * skipped; the records of the lines before and after it count. Once, on `init` or on the first
   * read or change, whichever comes first.
   */
  private replayJournal(): void {
    if (this.replayed) return;
    this.replayed = true;
    let text: string;
    try {
      text = readFileSync(this.journal, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const entry = journalEntry(line);
      if (!entry) {
        skipped++;
        continue;
      }
      const [key, content] = entry;
      const file = this.fileOf(key);
      this.journaled.set(key, { file, content });
      this.noteFile({ file, content });
      this.remember(key, file, content);
    }
    this.journalBytes = Buffer.byteLength(text);
    if (skipped > 0)
      this.logger.warn('conversation journal lines could not be read', { lines: skipped, dir: this.dir });
    if (this.journaled.size > 0) this.startCheckpoint();
  }

  private remember(key: string, file: string, content: string | undefined): void {
    this.recent.delete(key);
    this.recent.set(key, { file, content });
    if (this.recent.size <= this.cacheSize) return;
    // The oldest record that is in its file goes; one still on its way there stays.
    for (const oldest of this.recent.keys()) {
      if (this.isPending(oldest)) continue;
      this.recent.delete(oldest);
      return;
    }
  }

  /** The record has a file, or will once its change is written (a removal leaves none). */
  private noteFile({ file, content }: RecordChange): void {
    if (content !== undefined) this.withFiles?.add(fileNumber(file));
  }

  private isPending(key: string): boolean {
    return (
      this.unwritten.has(key) ||
      this.inFlight.has(key) ||
      this.journaled.has(key) ||
      this.checkpointing.has(key) ||
      this.failed.has(key)
    );
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

/** A journal line: the key and the record's file content (null: removed), or undefined when damaged. */
function journalEntry(line: string): [string, string | undefined] | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') return undefined;
    if (entry[1] === null) return [entry[0], undefined];
    return typeof entry[1] === 'string' ? [entry[0], entry[1]] : undefined;
  } catch {
    return undefined;
  }
}

/** The number a record's file (its path or name) stands for in `withFiles`: its name's first 28 bits. */
function fileNumber(file: string): number {
  return parseInt(path.basename(file).slice(0, 7), 16);
}

/** A fresh copy of the record in a file's content. */
function parse<V>(content: string | undefined): V | undefined {
  return content === undefined ? undefined : (JSON.parse(content) as { value: V }).value;
}
