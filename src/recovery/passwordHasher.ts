import argon2 from 'argon2';

/** SPEC §4 minimum: argon2id, 19 MiB, two passes, one lane. */
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
  return argon2.hash(password, ARGON2_PARAMETERS);
}

export async function verifyPassword(hash: string, password: string): Promise<VerifyResult> {
  let match: boolean;
  try {
    match = await argon2.verify(hash, password);
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
