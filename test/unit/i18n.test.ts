import { expect } from 'chai';
import { formatWhen } from '../../src/messaging/emailNotifier.js';
import { readFileSync } from 'node:fs';
import { createTexts, localeFromAcceptLanguage, supportedLocale } from '../../src/i18n.js';

function keysOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keysOf(child, prefix ? `${prefix}.${key}` : key));
}

const en = JSON.parse(readFileSync(new URL('../../src/locales/en.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const nl = JSON.parse(readFileSync(new URL('../../src/locales/nl.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('texts in English and Dutch', () => {
  it('has every text in both languages', () => {
    expect(keysOf(nl).sort()).to.deep.equal(keysOf(en).sort());
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of keysOf(en)) {
      const get = (root: Record<string, unknown>) =>
        key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], root);
      const placeholders = (text: unknown) =>
        typeof text === 'string' ? (text.match(/\{\{\w+\}\}/g) ?? []).sort() : [];
      expect(placeholders(get(nl)), key).to.deep.equal(placeholders(get(en)));
    }
  });

  it('fills in the service name everywhere', () => {
    const texts = createTexts('FilmHuis');
    expect(texts.t('nl', 'greeting')).to.contain('FilmHuis');
    expect(texts.t('en', 'mail.resetSubject')).to.equal('Reset your FilmHuis password');
  });

  it('throws on a missing text rather than showing its key to a person', () => {
    expect(() => createTexts('X').t('en', 'no.such.text')).to.throw('Missing text');
  });

  it('formats durations in the largest fitting unit, never understating a wait', () => {
    const texts = createTexts('X');
    expect(texts.formatDuration('en', 24 * 3600_000)).to.equal('24 hours');
    expect(texts.formatDuration('nl', 24 * 3600_000)).to.equal('24 uur');
    expect(texts.formatDuration('en', 20 * 60_000)).to.equal('20 minutes');
    expect(texts.formatDuration('nl', 60_000)).to.equal('1 minuut');
    expect(texts.formatDuration('en', 45 * 60_000 + 1)).to.equal('46 minutes');
    expect(texts.formatDuration('en', 3 * 86_400_000)).to.equal('3 days');
    expect(texts.formatDuration('en', 400)).to.equal('1 second');
  });

  it('maps activity locales to a supported language, and unknown ones to none', () => {
    expect(supportedLocale('nl-NL')).to.equal('nl');
    expect(supportedLocale('nl_BE')).to.equal('nl');
    expect(supportedLocale('EN-us')).to.equal('en');
    for (const odd of ['fr-FR', '', 'xx-ZZ-<script>', 'n', undefined, null, 'nl-' + 'x'.repeat(300)]) {
      expect(supportedLocale(odd as string), String(odd)).to.equal(undefined);
    }
  });

  it('reads Accept-Language by quality', () => {
    expect(localeFromAcceptLanguage('fr-FR,nl;q=0.8,en;q=0.9')).to.equal('en');
    expect(localeFromAcceptLanguage('de, nl-BE;q=0.5')).to.equal('nl');
    expect(localeFromAcceptLanguage('fr, de')).to.equal(undefined);
    expect(localeFromAcceptLanguage('nl;q=0, en;q=0.1')).to.equal('en');
    expect(localeFromAcceptLanguage(undefined)).to.equal(undefined);
  });
});

describe('times in mails', () => {
  const at = new Date('2026-11-25T10:40:00Z');

  it('shows the time in the mail language and the person’s time zone, and the service’s zone for one the runtime does not know', () => {
    expect(formatWhen('en', at, 'Europe/Amsterdam')).to.match(/25 November 2026.*11:40.*CET/);
    expect(formatWhen('nl', at, 'Europe/Amsterdam')).to.match(/25 november 2026.*11:40.*CET/);
    expect(formatWhen('en', at, 'America/New_York')).to.match(/25 November 2026.*05:40/);
    expect(formatWhen('en', at, 'Not/A_Zone')).to.equal(formatWhen('en', at, 'Europe/Amsterdam'));
    // Asked again, from the formatters already made: the same answers.
    expect(formatWhen('nl', at, 'Europe/Amsterdam')).to.match(/25 november 2026.*11:40.*CET/);
  });
});
