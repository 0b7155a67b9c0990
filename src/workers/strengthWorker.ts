// Runs in the password-strength thread (see ../recovery/passwordPolicy.ts): zxcvbn with its English,
// Dutch and common dictionaries, built once in this thread, off the thread that serves turns.
import { ZxcvbnFactory, type DictionaryMatch } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import * as dutch from '@zxcvbn-ts/language-nl-be';

/** Characters of a password that zxcvbn scores; longer ones are scored on this much. */
const ZXCVBN_MAX_LENGTH = 64;

const zxcvbn = new ZxcvbnFactory({
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...english.dictionary, ...prefixKeys('nl', dutch.dictionary) },
  // Look-alike matching grows steeply with length: a 120-character password took 0.8 s with the
  // defaults. These bounds keep the worst case near 40 ms. The whole password still goes through
  // the common list and the personal-word rule, and is hashed whole.
  maxLength: ZXCVBN_MAX_LENGTH,
  l33tMaxSubstitutions: 4,
});

export interface StrengthTask {
  password: string;
  /** Words of the account holder's own (names, email name, the service's name). */
  userInputs: string[];
}

export interface Strength {
  /** zxcvbn's score, 0 (too guessable) to 4 (very unguessable). */
  score: number;
  /** Part of the guess came from the account holder's own words. */
  usesUserInput: boolean;
}

export function score(task: StrengthTask): Strength {
  const result = zxcvbn.check(task.password, task.userInputs);
  return {
    score: result.score,
    usesUserInput: result.sequence.some(
      (match) => match.pattern === 'dictionary' && (match as DictionaryMatch).dictionaryName === 'userInputs',
    ),
  };
}

function prefixKeys<T extends Record<string, string[]>>(prefix: string, dictionary: T): Record<string, string[]> {
  return Object.fromEntries(Object.entries(dictionary).map(([key, words]) => [`${prefix}-${key}`, words]));
}
