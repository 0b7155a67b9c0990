import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isNotFound } from './atomicJsonFile.js';

/**
 * An append-only JSON Lines file. Lines are written whole with O_APPEND and flushed before
 * `append` resolves, so a crash can at worst lose lines still being written, never an earlier
 * one. Lines that come while a flush is under way are written together after it, with one flush
 * for all of them (a group commit): under load, one open, write and flush serve many records
 * instead of each paying for its own.
 */
export class AppendLog<T extends object> {
  private waiting: Array<{ line: string; done: () => void; failed: (error: unknown) => void }> = [];
  private writing = false;

  constructor(readonly file: string) {}

  append(record: T): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    return new Promise((done, failed) => {
      this.waiting.push({ line, done, failed });
      if (!this.writing) void this.writeWaiting();
    });
  }

  /** Writes what waits, as one write and one flush, until nothing waits. */
  private async writeWaiting(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.write(batch.map((entry) => entry.line).join(''));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    this.writing = false;
  }

  private async write(text: string): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'a', 0o600);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      handle = await fs.open(this.file, 'a', 0o600);
    }
    try {
      await handle.write(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Every complete record; a torn last line from a crash is skipped. */
  async readAll(): Promise<T[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const records: T[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // A torn line at the end after a crash.
      }
    }
    return records;
  }
}
