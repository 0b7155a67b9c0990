import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SerialQueue } from './serialQueue.js';

/**
 * An append-only JSON Lines file. Each record is one `write` of one whole line with O_APPEND
 * and a flush, so a crash can at worst lose the line being written, never an earlier one.
 */
export class AppendLog<T extends object> {
  private readonly queue = new SerialQueue();

  constructor(readonly file: string) {}

  async append(record: T): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    await this.queue.run('append', async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const handle = await fs.open(this.file, 'a', 0o600);
      try {
        await handle.write(line);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /** Every complete record; a torn last line from a crash is skipped. */
  async readAll(): Promise<T[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
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
