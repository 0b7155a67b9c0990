import { wordsOf } from './text.js';

/**
 * Repairs the words of a message that the corpus does not know, towards words it does: letters
 * typed twice or more ("hiii", "heyy"), one slip in a word of five letters or more ("pasword",
 * "vergten"), two in one of nine or more. Words it knows, short words and numbers are left as
 * they are, so that a real word is never "corrected" into another.
 */
export class Vocabulary {
  private readonly words: Set<string>;
  /** Known words by length, to compare only with candidates that can be close. */
  private readonly byLength = new Map<number, string[]>();

  constructor(texts: Iterable<string>) {
    this.words = new Set();
    for (const text of texts) for (const word of wordsOf(text)) this.words.add(word);
    for (const word of this.words) {
      const list = this.byLength.get(word.length) ?? [];
      list.push(word);
      this.byLength.set(word.length, list);
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** The message's words, each repaired where it can be; joined by spaces. */
  repair(text: string): string {
    return wordsOf(text)
      .map((word) => this.repairWord(word))
      .join(' ');
  }

  private repairWord(word: string): string {
    if (this.words.has(word) || /\d/.test(word)) return word;
    const unrepeated = withoutRepeats(word).find((variant) => this.words.has(variant));
    if (unrepeated) return unrepeated;
    if (word.length < 5) return word;
    const allowed = word.length >= 9 ? 2 : 1;
    let best: { word: string; distance: number } | undefined;
    for (let length = word.length - allowed; length <= word.length + allowed; length++) {
      for (const candidate of this.byLength.get(length) ?? []) {
        const distance = editDistance(word, candidate, allowed);
        if (distance <= allowed && (best === undefined || distance < best.distance))
          best = { word: candidate, distance };
      }
    }
    return best?.word ?? word;
  }
}

/**
 * The word with each run of a repeated letter typed once or twice ("helllooo" → "helo", "heloo",
 * "hello", "helloo"), for words with a few such runs.
 */
function withoutRepeats(word: string): string[] {
  const parts = word.match(/(\p{L})\1*|[^\p{L}]+/gu) ?? [];
  const runs = parts.filter((part) => part.length > 1 && /\p{L}/u.test(part)).length;
  if (runs === 0 || runs > 5) return [];
  let variants = [''];
  for (const part of parts) {
    const repeated = part.length > 1 && /\p{L}/u.test(part);
    const options = repeated ? [part[0]!, part.slice(0, 2)] : [part];
    variants = variants.flatMap((prefix) => options.map((option) => prefix + option));
  }
  return variants.filter((variant) => variant !== word);
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and swaps of
 * neighbours), stopping early once it is past `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current[j] = value;
      rowBest = Math.min(rowBest, value);
    }
    if (rowBest > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
