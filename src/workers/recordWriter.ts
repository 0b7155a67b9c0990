// Runs in the conversation-record writer thread (see ../store/keyFileStore.ts): each file written
// whole to a temporary file beside it and renamed over it, so that a crash leaves the old record
// or the new one, never a mix; not flushed, so a power loss may take back the last writes.
// Synchronous here, in this thread, off the thread that serves turns.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { temporaryFileFor } from '../store/atomicJsonFile.js';

/**
 * A record's file (named by a hash of its key) and its content: a change on its way to the disk,
 * and what the store's cache holds of a record. No content: no record, the file removed.
 */
export interface RecordChange {
  file: string;
  content: string | undefined;
}

/**
 * Writes (or removes) each file of a batch; one that fails does not stop the others. Returns why
 * each failed one failed, by file.
 */
export function writeAll(task: { changes: RecordChange[] }): Record<string, string> {
  const failures: Record<string, string> = {};
  for (const change of task.changes) {
    try {
      if (change.content === undefined) rmSync(change.file, { force: true });
      else write(change.file, change.content);
    } catch (error) {
      failures[change.file] = error instanceof Error ? error.message : String(error);
    }
  }
  return failures;
}

function write(file: string, content: string): void {
  const temp = temporaryFileFor(file);
  try {
    writeFileSync(temp, content, { encoding: 'utf8', mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
