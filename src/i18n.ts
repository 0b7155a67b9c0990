import { readFileSync } from 'node:fs';
import i18next, { type i18n } from 'i18next';
import { LOCALES, type Locale } from './config.js';
import { projectPath } from './paths.js';

export type TextVariables = Record<string, string | number>;
/** Looks up a user-facing text; every text the bot shows comes through here. */
export type Translate = (locale: Locale, key: string, variables?: TextVariables) => string;

type LocaleFile = Record<string, unknown> & { intents: Record<string, string[]> };

function readLocaleFile(locale: Locale): LocaleFile {
  return JSON.parse(readFileSync(projectPath(`src/locales/${locale}.json`), 'utf8')) as LocaleFile;
}

const localeFiles: Record<Locale, LocaleFile> = { en: readLocaleFile('en'), nl: readLocaleFile('nl') };

export interface Texts {
  t: Translate;
  /** Phrases that mean an intent, per locale; see dialogs/intents.ts. */
  intentPhrases(locale: Locale): Record<string, string[]>;
  formatDuration(locale: Locale, ms: number): string;
}

/**
 * Builds the translator. `serviceName` is available to every text as {{serviceName}}.
 * Interpolated values are not HTML-escaped here: the web and mail layers escape what they render.
 */
export function createTexts(serviceName: string): Texts {
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: Object.fromEntries(LOCALES.map((locale) => [locale, { translation: localeFiles[locale] }])),
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    interpolation: { escapeValue: false, defaultVariables: { serviceName } },
    returnNull: false,
  });
  // A text without variables never changes: looked up once (i18next takes tenths of a millisecond
  // a lookup, and a menu turn shows a dozen labels).
  const plain = new Map<string, string>();
  const t: Translate = (locale, key, variables) => {
    const cacheKey = variables === undefined ? `${locale}\u0000${key}` : undefined;
    const known = cacheKey === undefined ? undefined : plain.get(cacheKey);
    if (known !== undefined) return known;
    if (!instance.exists(key, { lng: locale, ...variables }))
      throw new Error(`Missing text "${key}" for locale ${locale}`);
    const text = instance.t(key, { lng: locale, ...variables });
    if (cacheKey !== undefined) plain.set(cacheKey, text);
    return text;
  };
  return {
    t,
    intentPhrases: (locale) => localeFiles[locale].intents,
    formatDuration: (locale, ms) => formatDuration(t, locale, ms),
  };
}

/**
 * "24 hours", "20 minuten", "3 days": the largest unit that gives at least two of it (or exactly
 * one hour, minute or second), rounded up so a wait is never understated.
 */
function formatDuration(t: Translate, locale: Locale, ms: number): string {
  const units: Array<[string, number]> = [
    ['days', 86_400_000],
    ['hours', 3_600_000],
    ['minutes', 60_000],
    ['seconds', 1000],
  ];
  for (const [unit, size] of units) {
    if (ms >= size * 2 || (unit !== 'days' && ms >= size && ms % size === 0)) {
      return t(locale, `duration.${unit}`, { count: Math.ceil(ms / size) });
    }
  }
  return t(locale, 'duration.seconds', { count: Math.max(1, Math.ceil(ms / 1000)) });
}

/** `nl-NL`, `nl_BE`, `NL` → nl; anything unsupported or malformed → undefined. */
export function supportedLocale(candidate: string | null | undefined): Locale | undefined {
  if (typeof candidate !== 'string') return undefined;
  const language = /^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$/i.exec(candidate.trim())?.[1]?.toLowerCase();
  return LOCALES.find((locale) => locale === language);
}

/** The first supported language of an Accept-Language header, by quality. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const entry of ranked) {
    const locale = supportedLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}
