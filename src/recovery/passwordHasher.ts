import argon2 from 'argon2';
import { availableParallelism } from 'node:os';

/**
 * At most one argon2 computation per core at a time, and always one thread of libuv's pool
 * (UV_THREADPOOL_SIZE, 4 by default) left for file reads and writes. More computations would
 * not finish sooner (each is pure CPU), would hold 19 MiB each, and would make every file
 * operation wait behind them. A machine with more than three cores needs a larger pool to use
 * them all for argon2 (README, Performance).
 */
export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const argon2Gate = new Gate(Math.max(1, Math.min(availableParallelism(), threadPool - 1)));

/** The least the bot hashes with: argon2id, 19 MiB, two passes, one lane. */
export const ARGON2_PARAMETERS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface VerifyResult {
  match: boolean;
  /** The hash was made with weaker parameters than today's; store a fresh one. */
  needsRehash: boolean;
}

export function hashPassword(password: string): Promise<string> {
  return argon2Gate.run(() => argon2.hash(password, ARGON2_PARAMETERS));
}

export async function verifyPassword(hash: string, password: string): Promise<VerifyResult> {
  let match: boolean;
  try {
    match = await argon2Gate.run(() => argon2.verify(hash, password));
  } catch {
    // A malformed stored hash never matches; it is reported by the import, not here.
    return { match: false, needsRehash: false };
  }
  return { match, needsRehash: match && argon2.needsRehash(hash, ARGON2_PARAMETERS) };
}

/** True when the text is an argon2 PHC string the verifier can read. */
export function isArgon2Hash(text: string): boolean {
  const match = /^\$argon2(?:id|i|d)\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+)*)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(text);
  if (!match) return false;
  const names = match[1]!.split(',').map((pair) => pair[0]);
  return ['m', 't', 'p'].every((name) => names.includes(name));
}
