import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import { isPlausibleEmail } from '../recovery/accounts.js';
import { parsePhone } from '../recovery/phoneNumbers.js';

/** The email address in a message, also inside a sentence ("my email is emma@example.com, thanks"). */
export function emailIn(text: string): string | undefined {
  if (text.length > 1000) return undefined;
  if (isPlausibleEmail(text)) return text.trim();
  return text
    .split(/[\s,;:<>()[\]"'“”]+/u)
    .map((word) => word.replace(/[.!?]+$/u, ''))
    .find((word) => word.includes('@') && isPlausibleEmail(word));
}

/**
 * The phone number in a message, in E.164, also inside a sentence ("my number is 06 1234 5678")
 * and in any common form. National numbers are read in the first of `regions` where they are
 * valid: the person's region first (a Belgian 0470 … with nl-BE), then the service's.
 */
export function phoneIn(text: string, regions: readonly string[]): string | undefined {
  if (text.length > 1000) return undefined;
  for (const region of regions) {
    const whole = parsePhone(text, region);
    if (whole.kind !== 'invalid') return whole.e164;
  }
  for (const region of regions) {
    for (const found of findPhoneNumbersInText(text, region as CountryCode)) {
      if (found.number.isValid()) return found.number.number;
    }
  }
  return undefined;
}

/** A six-digit code in the message, spaces or dashes between the digits allowed. */
export function hasCodeDigits(text: string): boolean {
  return /\d(?:[\s-]?\d){5}/u.test(text);
}
