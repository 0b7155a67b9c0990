// Runs in the conversation-record writer thread (see ../store/keyFileStore.ts). A change first
// goes to the directory's journal, appended in one write with the other changes of its batch;
// now and then the newest change of each record in the journal is written to the record's own
// file (whole, to a temporary file beside it renamed over it, so that a crash leaves the old
// record or the new one, never a mix) and the journal is removed. Nothing is flushed to the disk,
// so a power loss may take back the last writes; a killed process loses nothing it appended.
// Synchronous here, in this thread, off the thread that serves turns.
import { closeSync, fstatSync, ftruncateSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
 * Appends `lines` (whole lines, each ending in a newline) to the journal in one write. One that
 * fails (a full disk) is taken back whole, so that the journal never holds half a line followed
 * by the next batch.
 */
export function append(task: { journal: string; lines: string }): void {
  const fd = openSync(task.journal, 'a', 0o600);
  try {
    const before = fstatSync(fd).size;
    try {
      const bytes = Buffer.from(task.lines, 'utf8');
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (error) {
      ftruncateSync(fd, before);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes (or removes) each record's file, then, when every one of them is written, removes the
 * journal: everything it held is in the files now. One that fails does not stop the others, and
 * keeps the journal. Returns why each failed one failed, by file.
 */
export function checkpoint(task: { journal: string; changes: RecordChange[] }): Record<string, string> {
  const failures = writeAll(task);
  if (Object.keys(failures).length === 0) rmSync(task.journal, { force: true });
  return failures;
}

function writeAll(task: { changes: RecordChange[] }): Record<string, string> {
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
