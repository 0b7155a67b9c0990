import { timingSafeEqual } from 'node:crypto';
import type { HashTask } from '../workers/argon2Worker.js';
import { argon2Pool } from '../workerPool.js';

/** The least the bot hashes with: argon2id, 19 MiB, two passes, one lane. */
export const ARGON2_PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface VerifyResult {
  match: boolean;
  /** The hash was made with weaker parameters than today's; store a fresh one. */
  needsRehash: boolean;
}

/**
 * An argon2id hash of the password with today's parameters, in a worker thread. A salt of the
 * caller's makes it repeatable (the password history, `PasswordPolicy.checkNotReused`); without one it is
 * random, as every stored password hash is.
 */
export function hashPassword(password: string, salt?: Uint8Array): Promise<string> {
  return argon2Pool.run<string>('hash', { password, ...ARGON2_PARAMETERS, ...(salt ? { salt } : {}) } as HashTask);
}

export async function verifyPassword(hash: string, password: string): Promise<VerifyResult> {
  if (!isArgon2Hash(hash)) return { match: false, needsRehash: false };
  const match = await argon2Pool.run<boolean>('verify', { hash, password });
  return { match, needsRehash: match && isWeaker(hash) };
}

/** True when the text is an argon2 PHC string the verifier can read. */
export function isArgon2Hash(text: string): boolean {
  return parseHash(text) !== undefined;
}

/** The salt of a PHC string, to hash another password the same way. */
export function saltOf(hash: string): Buffer | undefined {
  const parsed = parseHash(hash);
  return parsed && Buffer.from(parsed.salt, 'base64');
}

/**
 * True when `stored` is `computed`: both hashes of the same text with the same salt and parameters.
 * Undefined when they differ in salt or parameters, so that only a verification can tell.
 */
export function sameHash(stored: string, computed: string): boolean | undefined {
  const storedHead = stored.slice(0, stored.lastIndexOf('$'));
  const computedHead = computed.slice(0, computed.lastIndexOf('$'));
  if (storedHead !== computedHead) return undefined;
  const a = Buffer.from(stored);
  const b = Buffer.from(computed);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface ParsedHash {
  type: string;
  parameters: Record<string, number>;
  salt: string;
}

function parseHash(text: string): ParsedHash | undefined {
  const match = /^\$argon2(id|i|d)\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+)*)\$([A-Za-z0-9+/]+)\$[A-Za-z0-9+/]+$/.exec(text);
  if (!match) return undefined;
  const parameters = Object.fromEntries(match[2]!.split(',').map((pair) => [pair[0]!, Number(pair.slice(2))]));
  if (!['m', 't', 'p'].every((name) => name in parameters)) return undefined;
  return { type: match[1]!, parameters, salt: match[3]! };
}

function isWeaker(hash: string): boolean {
  const { type, parameters } = parseHash(hash)!;
  return type !== 'id' || parameters.m! < ARGON2_PARAMETERS.memoryCost || parameters.t! < ARGON2_PARAMETERS.timeCost;
}
