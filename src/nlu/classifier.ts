import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { LangNl } from '@nlpjs/lang-nl';
import { Nlp } from '@nlpjs/nlp';
import { LOCALES, type Locale } from '../config.js';
import { corpusHash, readCorpora, readSavedModel, type Corpus } from './corpus.js';
import { isIntent, type Intent } from './intents.js';
import { LanguageGuesser } from './languageGuess.js';
import { Vocabulary } from './spelling.js';
import { rememberingLast } from './text.js';

export interface ScoredIntent {
  intent: Intent;
  /** 0 to 1; the scores of one message add up to at most 1. */
  score: number;
}

/** What a message means, best first, and the language it is clearly written in, if any. */
export interface Understanding {
  intents: ScoredIntent[];
  language: Locale | undefined;
}

/** Longer messages than this are not classified: nobody asks for a journey in an essay. */
const MAX_LENGTH = 1000;

let shared: Promise<IntentClassifier> | undefined;

/**
 * The trained intent classifier: NLP.js's neural classifier with its Dutch and English stemmers,
 * one model per language, trained from the corpus in `nlu/` (no cloud, no downloaded model).
 * `npm run nlu:train` trains it ahead of time into `nlu/model.json`, which loads in a few
 * milliseconds; a model that no longer matches the corpus is ignored and the classifier trains
 * at start instead (about half a second). Before classifying, words the corpus does not know are
 * repaired towards ones it does (typos, letters typed twice), and the message's language is
 * guessed from its words, so that Dutch typed in an English client is still read as Dutch.
 */
export class IntentClassifier {
  /** The language a message is written in: a turn asks to choose its reply's language, then to read the message. */
  private readonly guessLanguage: (trimmed: string) => Locale | undefined;

  private constructor(
    private readonly nlp: Nlp,
    private readonly vocabularies: ReadonlyMap<Locale, Vocabulary>,
    languages: LanguageGuesser,
  ) {
    this.guessLanguage = rememberingLast((trimmed) => languages.guess(trimmed));
  }

  /**
   * The classifier for the corpus in the repository, once per process (the corpus does not
   * change while the bot runs, and a classifier keeps no state between messages): the model
   * trained ahead of time when it matches the corpus, else one trained now.
   */
  static fromRepository(): Promise<IntentClassifier> {
    shared ??= (async () => {
      const corpora = await readCorpora();
      const saved = await readSavedModel();
      return saved?.corpusHash === corpusHash(corpora)
        ? IntentClassifier.build(corpora, (nlp) => nlp.import(saved.model))
        : IntentClassifier.train(corpora);
    })();
    shared.catch(() => (shared = undefined));
    return shared;
  }

  static train(corpora: Readonly<Record<Locale, Corpus>>): Promise<IntentClassifier> {
    return IntentClassifier.build(corpora, async (nlp) => {
      for (const locale of LOCALES)
        for (const [intent, messages] of Object.entries(corpora[locale]))
          for (const message of messages) nlp.addDocument(locale, message, intent);
      await nlp.train();
    });
  }

  /** The model, to save and load instead of training (see `npm run nlu:train`). */
  exportModel(): string {
    return this.nlp.export(true);
  }

  /** NLP.js with both languages, made ready by `prepare`; spelling and language from the corpus. */
  private static async build(
    corpora: Readonly<Record<Locale, Corpus>>,
    prepare: (nlp: Nlp) => unknown,
  ): Promise<IntentClassifier> {
    const container = await containerBootstrap();
    container.use(LangEn);
    container.use(LangNl);
    // No model file of its own, no training log: what is saved is saved by nlu:train. No
    // sentiment either: NLP.js scores it for every message unless told not to, and nothing reads it.
    const nlp = new Nlp({
      container,
      autoSave: false,
      autoLoad: false,
      log: false,
      calculateSentiment: false,
      nlu: { log: false },
    });
    for (const locale of LOCALES) nlp.addLanguage(locale);
    await prepare(nlp);
    const texts = Object.fromEntries(
      LOCALES.map((locale) => [locale, Object.values(corpora[locale]).flat()]),
    ) as Record<Locale, string[]>;
    const vocabularies = new Map(LOCALES.map((locale) => [locale, new Vocabulary(texts[locale])]));
    return new IntentClassifier(nlp, vocabularies, new LanguageGuesser(texts));
  }

  /** The language a message is clearly written in, if it says. */
  languageOf(text: string): Locale | undefined {
    const trimmed = text.trim();
    return trimmed === '' || trimmed.length > MAX_LENGTH ? undefined : this.guessLanguage(trimmed);
  }

  /**
   * What the message means. It is read in the language it is clearly written in, else in
   * `assumed` (the conversation's language).
   */
  async understand(text: string, assumed: Locale): Promise<Understanding> {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.length > MAX_LENGTH) return { intents: [], language: undefined };
    const language = this.guessLanguage(trimmed);
    const locale = language ?? assumed;
    const repaired = this.vocabularies.get(locale)!.repair(trimmed);
    const result = await this.nlp.process(locale, repaired || trimmed);
    const intents = (result.classifications ?? [])
      .filter((entry): entry is ScoredIntent => isIntent(entry.intent) && entry.score > 0)
      .sort((a, b) => b.score - a.score);
    return { intents, language };
  }
}
