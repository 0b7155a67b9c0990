import type { Locale } from '../config.js';
import { wordsOf } from './text.js';

/** How much more likely one language must be than the other before the guess counts (natural log). */
const CLEAR = 2.5;
/** Words a corpus knows that a message needs before its language is guessed: one word is no sentence. */
const MIN_KNOWN_WORDS = 2;

/**
 * Tells Dutch from English by the words a message shares with each language's corpus (a naive
 * Bayes over words, add-one smoothed). Words both languages use alike ("sms", "menu", "ok") and
 * words neither knows weigh nothing, and addresses, links and numbers are left out, so a short,
 * neutral or factual message (a name, an email address, a number) gets no guess at all.
 */
export class LanguageGuesser {
  private readonly counts: ReadonlyMap<Locale, Map<string, number>>;
  private readonly totals: ReadonlyMap<Locale, number>;
  /** Every word either corpus knows. */
  private readonly vocabulary: ReadonlySet<string>;

  constructor(texts: Readonly<Record<Locale, Iterable<string>>>) {
    const counts = new Map<Locale, Map<string, number>>();
    const totals = new Map<Locale, number>();
    const vocabulary = new Set<string>();
    for (const [locale, list] of Object.entries(texts) as Array<[Locale, Iterable<string>]>) {
      const table = new Map<string, number>();
      let total = 0;
      for (const text of list)
        for (const word of wordsOf(text)) {
          table.set(word, (table.get(word) ?? 0) + 1);
          vocabulary.add(word);
          total++;
        }
      counts.set(locale, table);
      totals.set(locale, total);
    }
    this.counts = counts;
    this.totals = totals;
    this.vocabulary = vocabulary;
  }

  /** The language the message is clearly written in, or undefined when it does not say. */
  guess(text: string): Locale | undefined {
    const words = wordsOf(text.replace(/\S*[@/:]\S*/gu, ' ')).filter(
      (word) => !/\d/u.test(word) && this.vocabulary.has(word),
    );
    if (words.length < MIN_KNOWN_WORDS) return undefined;
    const scores = [...this.counts.keys()].map((locale) => ({ locale, score: this.logLikelihood(locale, words) }));
    scores.sort((a, b) => b.score - a.score);
    const [best, next] = scores;
    return best && next && best.score - next.score >= CLEAR ? best.locale : undefined;
  }

  private logLikelihood(locale: Locale, words: readonly string[]): number {
    const table = this.counts.get(locale)!;
    const total = this.totals.get(locale)!;
    let score = 0;
    for (const word of words) score += Math.log(((table.get(word) ?? 0) + 1) / (total + this.vocabulary.size));
    return score;
  }
}
