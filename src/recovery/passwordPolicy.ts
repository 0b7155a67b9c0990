import { readFileSync } from 'node:fs';
import { ZxcvbnFactory, type DictionaryMatch, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import * as dutch from '@zxcvbn-ts/language-nl-be';
import { verifyPassword } from './passwordHasher.js';

export const PASSWORD_MAX_LENGTH = 128;
/** Characters of a password that zxcvbn scores; longer ones are scored on this much. */
const ZXCVBN_MAX_LENGTH = 64;
/** zxcvbn's "safely unguessable" score; lower is "not safe or too common". */
const MINIMUM_SCORE = 3;

export type PasswordRefusal =
  | { reason: 'tooShort'; min: number }
  | { reason: 'tooLong'; max: number }
  | { reason: 'sameAsCurrent' }
  | { reason: 'usedBefore' }
  | { reason: 'common' }
  | { reason: 'personal' }
  | { reason: 'mismatch' };

/** What the rules need to know about the account the password is for. */
export interface PasswordContext {
  currentHash: string;
  previousHashes: readonly string[];
  /** The account's email name and person names; the service name is added by the policy. */
  personalWords: readonly string[];
}

/** New-password step: every rule a new password must pass, in the order the person hears about them. */
export class PasswordPolicy {
  private readonly zxcvbn: ZxcvbnFactory;
  private readonly commonPasswords: ReadonlySet<string>;

  constructor(
    private readonly minLength: number,
    private readonly serviceName: string,
  ) {
    this.zxcvbn = new ZxcvbnFactory({
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...english.dictionary, ...prefixKeys('nl', dutch.dictionary) },
      // zxcvbn runs on the event loop and its look-alike matching grows steeply with length: a
      // 120-character password took 0.8 s with the defaults, stalling every conversation. These
      // bounds keep the worst case near 40 ms. The whole password still goes through the common
      // list and the personal-word rule below, and is hashed whole.
      maxLength: ZXCVBN_MAX_LENGTH,
      l33tMaxSubstitutions: 4,
    });
    this.commonPasswords = loadCommonPasswords();
  }

  /** Passwords are compared and hashed in Unicode NFKC form, never truncated. */
  normalize(password: string): string {
    return password.normalize('NFKC');
  }

  checkLength(password: string): PasswordRefusal | undefined {
    const length = [...this.normalize(password)].length;
    if (length < this.minLength) return { reason: 'tooShort', min: this.minLength };
    if (length > PASSWORD_MAX_LENGTH) return { reason: 'tooLong', max: PASSWORD_MAX_LENGTH };
    return undefined;
  }

  async checkNotReused(password: string, context: PasswordContext): Promise<PasswordRefusal | undefined> {
    const normalized = this.normalize(password);
    if ((await verifyPassword(context.currentHash, normalized)).match) return { reason: 'sameAsCurrent' };
    for (const hash of context.previousHashes) {
      if ((await verifyPassword(hash, normalized)).match) return { reason: 'usedBefore' };
    }
    return undefined;
  }

  checkNotGuessable(password: string, context: Pick<PasswordContext, 'personalWords'>): PasswordRefusal | undefined {
    const normalized = this.normalize(password);
    const personal = personalTokens([this.serviceName, ...context.personalWords]);
    const folded = foldLookAlikes(normalized);
    if (personal.some((word) => isBuiltFrom(folded, word))) return { reason: 'personal' };
    if (this.isCommon(folded)) return { reason: 'common' };
    const result = this.zxcvbn.check(normalized, personal);
    if (result.score < MINIMUM_SCORE) return usesUserInput(result) ? { reason: 'personal' } : { reason: 'common' };
    return undefined;
  }

  checkConfirmation(password: string, confirm: string): PasswordRefusal | undefined {
    return this.normalize(password) === this.normalize(confirm) ? undefined : { reason: 'mismatch' };
  }

  /** All rules but the confirmation, cheapest first. */
  async checkCandidate(password: string, context: PasswordContext): Promise<PasswordRefusal | undefined> {
    return (
      this.checkLength(password) ??
      (await this.checkNotReused(password, context)) ??
      this.checkNotGuessable(password, context)
    );
  }

  private isCommon(folded: string): boolean {
    const core = stripEnds(folded);
    return (
      core.length === 0 || this.commonPasswords.has(core) || this.commonPasswords.has(core.replace(/[^\p{L}]/gu, ''))
    );
  }
}

const LOOK_ALIKES: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '9': 'g',
  '1': 'i',
  '!': 'i',
  '|': 'l',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};

/** Lower case, look-alike characters replaced inside words, digits and symbols at the ends kept. */
export function foldLookAlikes(password: string): string {
  const lower = password.toLowerCase();
  const match = /^([^\p{L}]*)(.*?)([^\p{L}]*)$/u.exec(lower)!;
  const middle = [...match[2]!].map((char) => LOOK_ALIKES[char] ?? char).join('');
  // "1" reads as "l" as often as "i"; the common list is checked with both.
  return `${match[1]}${middle}${match[3]}`;
}

/** Drops digits, years and symbols before and after the word: "!Welkom2024" → "welkom". */
function stripEnds(folded: string): string {
  return folded.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
}

function personalTokens(words: readonly string[]): string[] {
  const tokens = new Set<string>();
  for (const word of words) {
    const lower = word.normalize('NFKC').toLowerCase();
    const compact = lower.replace(/[^\p{L}\p{N}]/gu, '');
    if (compact.length >= 3) tokens.add(compact);
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) tokens.add(part);
  }
  return [...tokens];
}

/** The password is the word with little around it: "Streamflix2024!", "emma.jansen1". */
function isBuiltFrom(folded: string, word: string): boolean {
  const letters = folded.replace(/[^\p{L}]/gu, '');
  const variants = [letters, letters.replace(/i/g, 'l')];
  return variants.some((variant) => variant.includes(word) && variant.length - word.length < 4);
}

function usesUserInput(result: ZxcvbnResult): boolean {
  return result.sequence.some(
    (match) => match.pattern === 'dictionary' && (match as DictionaryMatch).dictionaryName === 'userInputs',
  );
}

function prefixKeys<T extends Record<string, string[]>>(prefix: string, dictionary: T): Record<string, string[]> {
  return Object.fromEntries(Object.entries(dictionary).map(([key, words]) => [`${prefix}-${key}`, words]));
}

function loadCommonPasswords(): ReadonlySet<string> {
  const text = readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8');
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}
