import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Locale } from '../config.js';
import { INTENTS, isIntent, type Intent } from './intents.js';

/** Example messages per intent, in one language. */
export type Corpus = Record<Intent, readonly string[]>;

/** Where the training corpus and the held-out evaluation set live, one file per language. */
export const NLU_DIR = fileURLToPath(new URL('../../nlu/', import.meta.url));

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
  const file = `${NLU_DIR}${set}.${locale}.json`;
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
