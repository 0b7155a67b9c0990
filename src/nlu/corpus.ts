import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCALES, type Locale } from '../config.js';
import { INTENTS, isIntent, type Intent } from './intents.js';
import { projectPath } from '../paths.js';

/** Example messages per intent, in one language. */
export type Corpus = Record<Intent, readonly string[]>;

/** Where the training corpus and the held-out evaluation set live, one file per language. */
export const NLU_DIR = projectPath('nlu');

/** The fewest training examples an intent may have, per language. */
export const MIN_TRAINING_EXAMPLES = 40;

export class CorpusError extends Error {
  override readonly name = 'CorpusError';
}

/**
 * Reads `nlu/<set>.<locale>.json` and checks it names every intent and no other, each with at
 * least `minimum` distinct messages.
 */
export async function readCorpus(set: 'corpus' | 'eval', locale: Locale, minimum: number): Promise<Corpus> {
  const file = path.join(NLU_DIR, `${set}.${locale}.json`);
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(parsed)) if (!isIntent(name)) problems.push(`unknown intent "${name}"`);
  for (const intent of INTENTS) {
    const list = parsed[intent];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
      problems.push(`"${intent}" must be a list of messages`);
    else if (new Set(list).size < minimum)
      problems.push(`"${intent}" has ${new Set(list).size} distinct messages, at least ${minimum} are needed`);
  }
  if (problems.length > 0) throw new CorpusError(`${file}: ${problems.join('; ')}`);
  return parsed as Corpus;
}

/** The training corpus of every language, checked. */
export async function readCorpora(): Promise<Record<Locale, Corpus>> {
  const corpora = {} as Record<Locale, Corpus>;
  for (const locale of LOCALES) corpora[locale] = await readCorpus('corpus', locale, MIN_TRAINING_EXAMPLES);
  return corpora;
}

/** Names the corpus a saved model was trained on: any change to a message changes it. */
export function corpusHash(corpora: Readonly<Record<Locale, Corpus>>): string {
  const hash = createHash('sha256');
  for (const locale of LOCALES) hash.update(JSON.stringify([locale, corpora[locale]]));
  return hash.digest('hex');
}

/** The model `npm run nlu:train` saves, with the corpus it was trained on. */
export interface SavedModel {
  corpusHash: string;
  model: string;
}

export const MODEL_FILE = path.join(NLU_DIR, 'model.json');

/** The saved model, or undefined when there is none or it cannot be read. */
export async function readSavedModel(): Promise<SavedModel | undefined> {
  try {
    const saved = JSON.parse(await readFile(MODEL_FILE, 'utf8')) as Partial<SavedModel>;
    return typeof saved.corpusHash === 'string' && typeof saved.model === 'string'
      ? { corpusHash: saved.corpusHash, model: saved.model }
      : undefined;
  } catch {
    return undefined;
  }
}
