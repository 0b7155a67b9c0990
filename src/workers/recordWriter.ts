// Runs in the conversation-record writer thread (see ../store/keyFileStore.ts): each file written
// whole to a temporary file beside it and renamed over it, so that a crash leaves the old record
// or the new one, never a mix. Synchronous here, in this thread, off the thread that serves turns.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function write(task: { file: string; content: string }): void {
  // The writer's pid in the name tells a crashed writer's leftover from another process's write.
  const temp = path.join(
    path.dirname(task.file),
    `.${path.basename(task.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
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
