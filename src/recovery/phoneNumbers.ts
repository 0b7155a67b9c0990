import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneParse = { kind: 'mobile'; e164: string } | { kind: 'notMobile'; e164: string } | { kind: 'invalid' };

/** Types that can receive a text message; "fixed line or mobile" is how some countries number both. */
const TEXTABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE', undefined]);

/**
 * A phone number as a person types it, international (+31 6 …, 0031 6 …) or national in the
 * default region (06-1234 5678), to E.164; with whether it can receive a text message.
 */
export function parsePhone(text: string, defaultRegion: string): PhoneParse {
  if (typeof text !== 'string' || text.length > 40 || !/^[\d\s()+.\-/]+$/.test(text.trim())) return { kind: 'invalid' };
  const parsed = parsePhoneNumberFromString(text.trim(), defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return { kind: 'invalid' };
  return TEXTABLE.has(parsed.getType())
    ? { kind: 'mobile', e164: parsed.number }
    : { kind: 'notMobile', e164: parsed.number };
}

/** E.164 for storing and looking up any valid number, mobile or not; undefined when it is not one. */
export function normalizePhone(text: string, defaultRegion: string): string | undefined {
  const parsed = parsePhone(text, defaultRegion);
  return parsed.kind === 'invalid' ? undefined : parsed.e164;
}
