import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashPassword, sameHash, saltOf, verifyPassword } from './passwordHasher.js';
import { strengthPool } from '../workerPool.js';
import type { Strength, StrengthTask } from '../workers/strengthWorker.js';
import { projectPath } from '../paths.js';

export const PASSWORD_MAX_LENGTH = 128;
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
  /**
   * The current password in its history form (see `checkNotReused`): absent when the password
   * came from an import or from before the history form existed.
   */
  currentHistoryHash?: string;
  previousHashes: readonly string[];
  /** The account's email name and person names; the service name is added by the policy. */
  personalWords: readonly string[];
}

/** What the reuse rule found: a refusal, or the candidate in its history form, kept once it is taken. */
export type ReuseCheck = { refusal: PasswordRefusal } | { historyHash: string };

export type CandidateCheck =
  { kind: 'refused'; refusal: PasswordRefusal } | { kind: 'acceptable'; historyHash: string };

/** New-password step: every rule a new password must pass, in the order the person hears about them. */
export class PasswordPolicy {
  private readonly commonPasswords: ReadonlySet<string>;

  constructor(
    private readonly minLength: number,
    private readonly serviceName: string,
  ) {
    this.commonPasswords = loadCommonPasswords();
    // zxcvbn builds its dictionaries in its own thread while the bot gets ready.
    strengthPool.start();
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

  /**
   * Not the current password nor one of the previous ones, at the cost of one argon2 computation
   * however long the history. The candidate is hashed with the account's history salt, the salt
   * every history-form hash of this account shares, and compared with each of them; a stored hash
   * with another salt (an imported or older one) is verified on its own. An account without a
   * history salt yet gets a fresh one.
   */
  async checkNotReused(password: string, context: PasswordContext): Promise<ReuseCheck> {
    const normalized = this.normalize(password);
    const salt = (context.currentHistoryHash ? saltOf(context.currentHistoryHash) : undefined) ?? randomBytes(16);
    const historyHash = await hashPassword(normalized, salt);
    const matches = async (stored: string) =>
      sameHash(stored, historyHash) ?? (await verifyPassword(stored, normalized)).match;
    if (await matches(context.currentHistoryHash ?? context.currentHash))
      return { refusal: { reason: 'sameAsCurrent' } };
    for (const hash of context.previousHashes) {
      if (await matches(hash)) return { refusal: { reason: 'usedBefore' } };
    }
    return { historyHash };
  }

  /** Not built from the person's own words, not on the common list, and scored safe by zxcvbn (in its thread). */
  async checkNotGuessable(
    password: string,
    context: Pick<PasswordContext, 'personalWords'>,
  ): Promise<PasswordRefusal | undefined> {
    const normalized = this.normalize(password);
    const personal = personalTokens([this.serviceName, ...context.personalWords]);
    const folded = foldLookAlikes(normalized);
    if (personal.some((word) => isBuiltFrom(folded, word))) return { reason: 'personal' };
    if (this.isCommon(folded)) return { reason: 'common' };
    const strength = await strengthPool.run<Strength>('score', {
      password: normalized,
      userInputs: personal,
    } satisfies StrengthTask);
    if (strength.score < MINIMUM_SCORE) return strength.usesUserInput ? { reason: 'personal' } : { reason: 'common' };
    return undefined;
  }

  checkConfirmation(password: string, confirm: string): PasswordRefusal | undefined {
    return this.normalize(password) === this.normalize(confirm) ? undefined : { reason: 'mismatch' };
  }

  /**
   * All rules but the confirmation. The reuse and strength rules run at once, in their worker
   * threads; the person hears of the first refusal in the order above.
   */
  async checkCandidate(password: string, context: PasswordContext): Promise<CandidateCheck> {
    const tooShortOrLong = this.checkLength(password);
    if (tooShortOrLong) return { kind: 'refused', refusal: tooShortOrLong };
    const [reuse, guessable] = await Promise.all([
      this.checkNotReused(password, context),
      this.checkNotGuessable(password, context),
    ]);
    if ('refusal' in reuse) return { kind: 'refused', refusal: reuse.refusal };
    if (guessable) return { kind: 'refused', refusal: guessable };
    return { kind: 'acceptable', historyHash: reuse.historyHash };
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

function loadCommonPasswords(): ReadonlySet<string> {
  const text = readFileSync(projectPath('src/recovery/data/common-passwords.txt'), 'utf8');
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}
