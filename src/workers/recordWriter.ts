// Runs in the conversation-record writer thread (see ../store/keyFileStore.ts): each file written
// whole to a temporary file beside it and renamed over it, so that a crash leaves the old record
// or the new one, never a mix; not flushed, so a power loss may take back the last writes.
// Synchronous here, in this thread, off the thread that serves turns.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { temporaryFileFor } from '../store/atomicJsonFile.js';

export function write(task: { file: string; content: string }): void {
  const temp = temporaryFileFor(task.file);
  try {
    writeFileSync(temp, task.content, { encoding: 'utf8', mode: 0o600 });
    renameSync(temp, task.file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function remove(task: { file: string }): void {
  rmSync(task.file, { force: true });
}
