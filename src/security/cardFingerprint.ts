import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Digits only: spaces and dashes a person types between groups are dropped. */
export function normalizeCardNumber(text: string): string | undefined {
  const compact = text.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(compact) ? compact : undefined;
}

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The only form in which a card number is kept: a keyed HMAC-SHA-256 of its digits. */
export function cardFingerprint(key: string, digits: string): string {
  return createHmac('sha256', key).update(digits, 'utf8').digest('hex');
}

/**
 * The configured CARD_HMAC_KEY, or in development a random key generated once into
 * DATA_DIR with owner-only permissions (production refuses to start without one).
 */
export async function loadCardHmacKey(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, 'card-hmac.key');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  try {
    await fs.writeFile(file, key + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await fs.readFile(file, 'utf8')).trim();
    throw error;
  }
}
