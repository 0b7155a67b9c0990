import { promises as fs } from 'node:fs';
import { isProcessAlive } from './processes.js';

const STALE_AFTER_MS = 30_000;
const GIVE_UP_AFTER_MS = 10_000;

export class LockTimeoutError extends Error {
  constructor(readonly lockFile: string) {
    super(`Could not lock ${lockFile} within ${GIVE_UP_AFTER_MS / 1000}s`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Holds an advisory lock file while `task` runs, so two processes on one data directory (the bot
 * and the accounts CLI) never overwrite each other's changes. A lock left by a dead process is
 * taken over.
 */
export async function withFileLock<T>(lockFile: string, task: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockFile)) {
        await fs.rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() - started > GIVE_UP_AFTER_MS) throw new LockTimeoutError(lockFile);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 20)));
    }
  }
  try {
    return await task();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    const pid = Number(text);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid)) return true;
    return Date.now() - stat.mtimeMs > STALE_AFTER_MS;
  } catch {
    // Gone already, or half-written by its owner this instant: try again.
    return false;
  }
}
