import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: 43 characters, safe in a URL. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedLinkToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

/**
 * Finds a link token in what a person pasted: the whole link, the link inside a sentence,
 * or the bare token.
 */
export function findLinkToken(text: string): string | undefined {
  const inLink = /[?&]token=([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(text);
  if (inLink) return inLink[1];
  const bare = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(text);
  return bare?.[1];
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** HMAC-SHA-256 under the server's secret key, separated by purpose, so a copied store cannot be brute-forced. */
export function keyedHash(key: string, purpose: string, value: string): string {
  return createHmac('sha256', key).update(`${purpose}:${value}`).digest('hex');
}
