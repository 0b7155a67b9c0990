// Runs in the worker threads of the password pool (see ../recovery/passwordHasher.ts), one argon2
// computation at a time per thread: synchronously, so it takes this thread's core and none of the
// threads that serve files and sockets, and its 19 MiB never touch the main thread's heap.
import { hashSync, verifySync } from '@node-rs/argon2';

/** argon2id (the library's numeric code, 2), 19 MiB, two passes, one lane. */
const ARGON2ID = 2;

export interface HashTask {
  password: string;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** A given salt makes the hash repeatable (the password history); without one it is random. */
  salt?: Uint8Array;
}

export function hash(task: HashTask): string {
  const { password, salt, ...parameters } = task;
  return hashSync(password, { ...parameters, algorithm: ARGON2ID, ...(salt ? { salt } : {}) });
}

export function verify(task: { hash: string; password: string }): boolean {
  try {
    return verifySync(task.hash, task.password);
  } catch {
    // A malformed stored hash never matches; the import reports it, not the sign-in.
    return false;
  }
}
