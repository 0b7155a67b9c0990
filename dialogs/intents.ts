import type { Locale } from '../src/config.js';
import type { Texts } from '../src/i18n.js';
import { MENU_INTENTS, METHOD_INTENTS } from '../src/nlu/intents.js';
import { foldCase, rememberingLast } from '../src/nlu/text.js';

/** The choice ids: typed as they are in any language, or said in words. */
export const MENU_CHOICES = MENU_INTENTS;
export const METHOD_CHOICES = METHOD_INTENTS;
export const YES_NO = ['yes', 'no'] as const;
export const INTERRUPTIONS = ['cancel', 'help', 'menu'] as const;

export type MenuChoice = (typeof MENU_CHOICES)[number];
export type Interruption = (typeof INTERRUPTIONS)[number];

/** Lower case, accents and punctuation dropped, spaces folded: "Wachtwoord vergeten?!" → "wachtwoord vergeten". */
export const normalizeUtterance = rememberingLast((text: string) =>
  foldCase(text)
    .replace(/[^\p{L}\p{N}'?-]+/gu, ' ')
    .trim(),
);

/**
 * Keyword and phrase matching in every supported language at once, so a Dutch speaker in an
 * English client is still understood. Choice ids and button labels match exactly; phrases match
 * on word boundaries, and the longest phrase wins.
 */
export class IntentRecognizer {
  /** Normalised phrases per intent, all languages together; built once. */
  private readonly phrases = new Map<string, string[]>();
  /** The same phrases with a space on each side, for the word-boundary search; built once. */
  private readonly spaced = new Map<string, string[]>();
  /** Normalised button labels per texts key, all languages together; built on first use. */
  private readonly labels = new Map<string, string[]>();

  constructor(
    private readonly texts: Texts,
    private readonly locales: readonly Locale[],
  ) {
    for (const locale of locales) {
      for (const [intent, list] of Object.entries(texts.intentPhrases(locale))) {
        this.phrases.set(intent, [...(this.phrases.get(intent) ?? []), ...list.map(normalizeUtterance)]);
      }
    }
    for (const [intent, list] of this.phrases)
      this.spaced.set(
        intent,
        list.filter((phrase) => phrase !== '').map((phrase) => ` ${phrase} `),
      );
  }

  recognize<C extends string>(
    text: string | undefined,
    choices: readonly C[],
    labelKey?: (choice: C) => string,
  ): C | undefined {
    const utterance = utteranceOf(text);
    if (!utterance) return undefined;
    const exact = this.exactUtterance(utterance, choices, labelKey);
    if (exact) return exact;
    // Phrases match on word boundaries: " phrase " within " utterance ".
    const spacedUtterance = ` ${utterance} `;
    let best: C | undefined;
    let bestLength = 0;
    for (const choice of choices) {
      for (const phrase of this.spaced.get(choice) ?? []) {
        if (phrase.length > bestLength && spacedUtterance.includes(phrase)) {
          best = choice;
          bestLength = phrase.length;
        }
      }
    }
    return best;
  }

  /** A choice only when the whole message is its id or its label, in either language. */
  exact<C extends string>(
    text: string | undefined,
    choices: readonly C[],
    labelKey?: (choice: C) => string,
  ): C | undefined {
    const utterance = utteranceOf(text);
    return utterance === undefined ? undefined : this.exactUtterance(utterance, choices, labelKey);
  }

  private exactUtterance<C extends string>(
    utterance: string,
    choices: readonly C[],
    labelKey?: (choice: C) => string,
  ): C | undefined {
    return choices.find(
      (choice) =>
        utterance === choice || (labelKey !== undefined && this.labelsOf(labelKey(choice)).includes(utterance)),
    );
  }

  /** A choice when the whole message is its id, its label or one of its phrases: never part of a longer text. */
  whole<C extends string>(
    text: string | undefined,
    choices: readonly C[],
    labelKey?: (choice: C) => string,
  ): C | undefined {
    const utterance = utteranceOf(text);
    if (utterance === undefined) return undefined;
    return (
      this.exactUtterance(utterance, choices, labelKey) ??
      choices.find((choice) => this.phrases.get(choice)?.includes(utterance))
    );
  }

  /** cancel, help and menu count only as the whole message, so "stop sending me mail" is not a cancel. */
  interruption(text: string | undefined): Interruption | undefined {
    if (typeof text !== 'string' || text.length > 40) return undefined;
    const utterance = normalizeUtterance(text);
    return INTERRUPTIONS.find((intent) => this.phrases.get(intent)?.includes(utterance));
  }

  private labelsOf(key: string): string[] {
    let labels = this.labels.get(key);
    if (!labels) {
      labels = this.locales.map((locale) => normalizeUtterance(this.texts.t(locale, key)));
      this.labels.set(key, labels);
    }
    return labels;
  }
}

/** The normalised message, or undefined when it is no text or too long to be a choice. */
function utteranceOf(text: string | undefined): string | undefined {
  return typeof text === 'string' && text.length <= 500 ? normalizeUtterance(text) : undefined;
}
