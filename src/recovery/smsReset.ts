import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Locale } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import { SerialQueue } from '../store/serialQueue.js';
import type { BackgroundTasks } from '../tasks.js';
import { parsePhone } from './phoneNumbers.js';
import type { RateLimited, RequestOrigin, ResetRequestLimits } from './requestLimits.js';
import { linkProblemOf } from './requestRules.js';
import { keyedHash, secretHashesEqual } from './secrets.js';
import type {
  Account,
  AccountRepository,
  ResetGrant,
  ResetRequest,
  ResetRequestRepository,
  SmsChallenge,
  SmsChallengeRepository,
} from './types.js';

export const MAX_CODE_TRIES = 5;

/** Sends the code; throws when the text message cannot go out (the error says why, without secrets). */
export interface CodeNotifier {
  sendCode(phone: string, locale: Locale, code: string, validForMs: number): Promise<void>;
}

export type CodeRequestOutcome =
  { kind: 'accepted'; phone: string } | { kind: 'invalidPhone' } | { kind: 'notMobile' } | RateLimited;

export type CodeCheck =
  | { kind: 'valid'; grant: ResetGrant }
  | { kind: 'wrong'; triesLeft: number }
  | { kind: 'tooManyTries' }
  | { kind: 'expired' }
  | { kind: 'malformed' }
  | { kind: 'noCode' };

/** For every text-message code, the SMS reset's and the phone number change's. */
export interface SmsCodeOptions {
  codeTtlMs: number;
  defaultRegion: string;
  /** Server secret for keyed hashes of codes and numbers, so a copied store cannot be brute-forced. */
  secretKey: string;
  now?: () => Date;
}

/** Six digits, uniformly from the CSPRNG. */
export function newSmsCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Digits only once spaces and dashes are gone: "123 456" → "123456"; undefined unless six digits. */
export function readCode(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

/** Rules of a code challenge, each on its own. */
export function isLockedOut(challenge: SmsChallenge): boolean {
  return challenge.failedAttempts >= MAX_CODE_TRIES;
}

export function isChallengeExpired(challenge: SmsChallenge, now: Date): boolean {
  return challenge.verifiedAt !== undefined || now.getTime() >= Date.parse(challenge.expiresAt);
}

/** The promised task of this service: a code for whoever owns the number (the challenge holds no secret yet). */
const SEND_CODE = 'sms.code-to-number';
type CodeForNumber = { phone: string; challenge: SmsChallenge; origin: RequestOrigin };

/**
 * SMS reset: a 6-digit code by text message, valid only in the conversation that asked for it. Every
 * number, with an account or without, gets the same answers at the same speed: the lookup and
 * the text message happen after the answer, and a number without an account gets a stand-in
 * challenge that behaves like a real one but can never be right.
 */
export class SmsResetService {
  private readonly perConversation = new SerialQueue();
  private readonly now: () => Date;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly requests: ResetRequestRepository,
    private readonly challenges: SmsChallengeRepository,
    private readonly notifier: CodeNotifier,
    private readonly requestLimits: ResetRequestLimits,
    private readonly audit: AuditTrail,
    private readonly tasks: BackgroundTasks,
    private readonly options: SmsCodeOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    tasks.handle<CodeForNumber>(SEND_CODE, ({ phone, challenge, origin }) =>
      this.sendCodeIfKnown(phone, challenge, origin),
    );
  }

  async requestCode(
    phoneText: string,
    origin: RequestOrigin & { conversationId: string },
  ): Promise<CodeRequestOutcome> {
    const phone = parsePhone(phoneText, this.options.defaultRegion);
    if (phone.kind === 'invalid') return { kind: 'invalidPhone' };
    if (phone.kind === 'notMobile') return { kind: 'notMobile' };
    const limited = await this.requestLimits.checkVisible(phone.e164, origin);
    if (limited) return limited;

    const challenge: SmsChallenge = {
      id: randomUUID(),
      conversationId: origin.conversationId,
      phoneKey: this.keyedHash('phone', phone.e164),
      secretHash: this.keyedHash('stand-in', randomBytes(32).toString('hex')),
      expiresAt: new Date(this.now().getTime() + this.options.codeTtlMs).toISOString(),
      failedAttempts: 0,
    };
    await this.challenges.put(challenge);
    await this.tasks.promise<CodeForNumber>(SEND_CODE, { phone: phone.e164, challenge, origin });
    return { kind: 'accepted', phone: phone.e164 };
  }

  async checkCode(conversationId: string, codeText: string): Promise<CodeCheck> {
    const code = readCode(codeText);
    if (code === undefined) return { kind: 'malformed' };
    return this.perConversation.run(conversationId, async () => {
      const challenge = await this.challenges.get(conversationId);
      if (!challenge) return { kind: 'noCode' };
      if (isLockedOut(challenge)) return { kind: 'tooManyTries' };
      if (isChallengeExpired(challenge, this.now()) || !(await this.isStillCurrent(challenge)))
        return { kind: 'expired' };

      const right =
        challenge.accountId !== undefined &&
        challenge.requestId !== undefined &&
        secretHashesEqual(this.codeHash(challenge.requestId, code), challenge.secretHash);
      if (right) {
        await this.challenges.update(conversationId, (current) => ({
          ...current,
          verifiedAt: this.now().toISOString(),
        }));
        await this.audit.record({ event: 'code.verified', accountId: challenge.accountId, via: 'chat' });
        return {
          kind: 'valid',
          grant: { requestId: challenge.requestId!, accountId: challenge.accountId!, purpose: 'sms-code' },
        };
      }
      const failed = (await this.challenges.update(conversationId, (current) => ({
        ...current,
        failedAttempts: current.failedAttempts + 1,
      })))!;
      const locked = isLockedOut(failed);
      await this.audit.record({
        event: locked ? 'code.locked' : 'code.failed',
        ...(challenge.accountId ? { accountId: challenge.accountId } : {}),
        via: 'chat',
      });
      return locked ? { kind: 'tooManyTries' } : { kind: 'wrong', triesLeft: MAX_CODE_TRIES - failed.failedAttempts };
    });
  }

  /** Not replaced by a newer code for the number, and, for a real account, not used or voided. */
  private async isStillCurrent(challenge: SmsChallenge): Promise<boolean> {
    if ((await this.challenges.latestFor(challenge.phoneKey)) !== challenge.id) return false;
    if (challenge.accountId === undefined) return true;
    const account = await this.accounts.findById(challenge.accountId);
    const request = account ? await this.requests.findCurrent(account.id, 'sms-code') : undefined;
    if (!account || !request || request.id !== challenge.requestId) return false;
    return linkProblemOf(request, account, this.now()) === undefined;
  }

  private async sendCodeIfKnown(phone: string, challenge: SmsChallenge, origin: RequestOrigin): Promise<void> {
    const account = await this.accounts.findByPhone(phone);
    if (!account || !(await this.requestLimits.allowAccount(account.id, origin))) return;
    const code = newSmsCode();
    const request = this.newRequest(account, challenge);
    const secretHash = this.codeHash(request.id, code);
    await this.requests.replace({ ...request, secretHash });
    const bound = await this.challenges.update(challenge.conversationId, (current) =>
      // A newer request in this conversation wins; this code then never reaches it.
      current.id === challenge.id ? { ...current, accountId: account.id, requestId: request.id, secretHash } : current,
    );
    if (bound?.id !== challenge.id) return;
    try {
      await this.notifier.sendCode(phone, account.locale ?? origin.locale, code, this.options.codeTtlMs);
      await this.audit.record({ event: 'reset.code_sent', accountId: account.id, via: origin.via });
    } catch (error) {
      await this.requestLimits.sendFailed(account.id, origin, error);
      throw error;
    }
  }

  private newRequest(account: Account, challenge: SmsChallenge): ResetRequest {
    return {
      id: randomUUID(),
      accountId: account.id,
      purpose: 'sms-code',
      conversationId: challenge.conversationId,
      secretHash: '',
      issuedAt: this.now().toISOString(),
      expiresAt: challenge.expiresAt,
      credentialVersion: account.credentialVersion,
    };
  }

  /** A code's hash is bound to its request, so the same digits mean nothing for another request. */
  private codeHash(requestId: string, code: string): string {
    return this.keyedHash('sms-code', `${requestId}:${code}`);
  }

  private keyedHash(purpose: string, value: string): string {
    return keyedHash(this.options.secretKey, purpose, value);
  }
}
