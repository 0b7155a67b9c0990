import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AtomicJsonFile, removeStaleTempFiles } from './atomicJsonFile.js';
import { SerialQueue } from './serialQueue.js';

/**
 * One small JSON file per key, for records that change on every chat turn (conversation
 * state): a turn rewrites only its own conversation's file.
 */
export class KeyFileStore<V> {
  private readonly queue = new SerialQueue();

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(this.dir);
  }

  async get(key: string): Promise<V | undefined> {
    const record = await this.file(key).read();
    return record === null ? undefined : record.value;
  }

  async update<R extends V | undefined>(key: string, change: (current: V | undefined) => R | Promise<R>): Promise<R> {
    return this.queue.run(key, async () => {
      const file = this.file(key);
      const current = await file.read();
      const next = await change(current === null ? undefined : current.value);
      if (next === undefined) {
        await fs.rm(file.file, { force: true });
      } else {
        await file.write({ key, value: next });
      }
      return next;
    });
  }

  /** Removes the record without reading it, so even a damaged file can be cleared. */
  async delete(key: string): Promise<void> {
    await this.queue.run(key, () => fs.rm(this.file(key).file, { force: true }));
  }

  private file(key: string): AtomicJsonFile<{ key: string; value: V }> {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 40);
    return new AtomicJsonFile(path.join(this.dir, `${name}.json`));
  }
}
