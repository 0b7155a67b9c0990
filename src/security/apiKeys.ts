import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization: Bearer <key>` header carries the expected key, in constant time:
 * both sides are hashed to the same length before the comparison.
 */
export function bearerKeyMatches(header: string | undefined, key: string | undefined): boolean {
  if (!key) return false;
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(key));
}
