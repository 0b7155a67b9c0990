import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { isProcessAlive } from './processes.js';

export class CorruptStoreFileError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`Store file ${file} is not valid JSON; it was left untouched. Restore it from a backup or move it away.`);
    this.name = 'CorruptStoreFileError';
    this.cause = cause;
  }
}

/**
 * A lowdb adapter that never leaves a half-written file: it writes a temporary file beside
 * the target, flushes it to disk, renames it over the target and flushes the directory.
 * A crash at any moment leaves either the old or the new content, never a mix.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    return parseStoreFile<T>(this.file, text);
  }

  async write(data: T): Promise<void> {
    await writeFileAtomically(this.file, JSON.stringify(data));
  }
}

/**
 * A small store file's text, checked to be JSON (a damaged file is reported as such, never taken
 * as a record), or null when there is none. For conversation records: a read from the page cache
 * takes microseconds on this thread, where an asynchronous one makes a trip through libuv's pool.
 */
export function readJsonTextSync(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  parseStoreFile(file, text);
  return text;
}

function parseStoreFile<T>(file: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptStoreFileError(file, error);
  }
}

/**
 * Where a new version of `file` is written before it is renamed over it: beside it, with the
 * writer's pid in the name, so that a crashed writer's leftover is told from another process's
 * write (`removeStaleTempFiles`).
 */
export function temporaryFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `content` to `file` by way of a temporary file in the same (existing) directory, flushed
 * to disk before and after the rename.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const temp = temporaryFileFor(file);
  const handle = await fs.open(temp, 'w', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/**
 * Removes temporary files that a crashed writer left behind; they never hold confirmed data.
 * Files of a live process (the CLI writing beside the bot) are left alone. Returns the names of
 * the directory's other files.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const stale = names.filter((name) => {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) return false;
    const pid = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
    return pid === undefined || !isProcessAlive(Number(pid));
  });
  await Promise.all(stale.map((name) => fs.rm(path.join(dir, name), { force: true })));
  return names.filter((name) => !name.endsWith('.tmp'));
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
