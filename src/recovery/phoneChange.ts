import { randomUUID } from 'node:crypto';
import type { Locale } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import { SerialQueue } from '../store/serialQueue.js';
import type { BackgroundTasks } from '../tasks.js';
import type { AccountNotifier } from './notifications.js';
import { parsePhone } from './phoneNumbers.js';
import type { RateLimited, RequestOrigin, ResetRequestLimits } from './requestLimits.js';
import { linkProblemOf } from './requestRules.js';
import { keyedHash, secretHashesEqual } from './secrets.js';
import { MAX_CODE_TRIES, newSmsCode, readCode, type CodeNotifier, type SmsCodeOptions } from './smsReset.js';
import type { Account, AccountRepository, ResetRequest, ResetRequestRepository } from './types.js';

export type PhoneCodeRequest =
  | { kind: 'sent'; phone: string }
  | { kind: 'invalidPhone' }
  | { kind: 'notMobile' }
  | { kind: 'sameNumber' }
  | RateLimited;

export type PhoneCodeCheck =
  | { kind: 'changed'; phone: string }
  | { kind: 'wrong'; triesLeft: number }
  | { kind: 'tooManyTries' }
  | { kind: 'expired' }
  | { kind: 'malformed' }
  /** The person holds the number, but another account uses it for its codes. */
  | { kind: 'inUse' };

type ChatOrigin = RequestOrigin & { conversationId: string };

export interface CodeNotSent {
  conversationId: string;
  locale: Locale;
  /** Last digits of the number the code was for. */
  ending: string;
}

/** The last two digits, the most any message shows of a number. */
export function numberEnding(phone: string): string {
  return phone.slice(-2);
}

/**
 * The phone number change for a signed-in person: a new number counts only after a code sent to it comes back in the
 * same conversation; then it replaces the old one, codes already sent to the old number die,
 * and the account's address hears of it. Removing the number is a separate, confirmed step.
 */
export class PhoneChangeService {
  private readonly perAccount = new SerialQueue();
  private readonly now: () => Date;
  constructor(
    private readonly accounts: AccountRepository,
    private readonly requests: ResetRequestRepository,
    private readonly codes: CodeNotifier,
    private readonly notifier: AccountNotifier,
    private readonly requestLimits: ResetRequestLimits,
    private readonly audit: AuditTrail,
    private readonly tasks: BackgroundTasks,
    private readonly options: SmsCodeOptions & {
      /**
       * Told when a code could not be sent, after the chat already answered. The person is signed
       * in and typed the number themselves, so saying so reveals nothing about other accounts.
       */
      onCodeNotSent?: (notice: CodeNotSent) => Promise<void>;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async requestCode(account: Account, phoneText: string, origin: ChatOrigin): Promise<PhoneCodeRequest> {
    const phone = parsePhone(phoneText, this.options.defaultRegion);
    if (phone.kind === 'invalid') return { kind: 'invalidPhone' };
    if (phone.kind === 'notMobile') return { kind: 'notMobile' };
    if (phone.e164 === account.phone) return { kind: 'sameNumber' };
    const limited = await this.requestLimits.checkVisible(phone.e164, origin);
    if (limited) return limited;
    // The person is signed in: the account's own limit may show.
    const accountLimited = await this.requestLimits.checkAccount(account.id, origin);
    if (accountLimited) return accountLimited;

    const code = newSmsCode();
    const issuedAt = this.now();
    const id = randomUUID();
    const request: ResetRequest = {
      id,
      accountId: account.id,
      purpose: 'phone-verify',
      conversationId: origin.conversationId,
      phone: phone.e164,
      secretHash: this.codeHash(id, code),
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + this.options.codeTtlMs).toISOString(),
      credentialVersion: account.credentialVersion,
      failedAttempts: 0,
    };
    await this.requests.replace(request);
    // A provider can take seconds to answer; the chat does not wait for it.
    this.tasks.run('send phone verification code', () => this.send(account, phone.e164, code, origin));
    return { kind: 'sent', phone: phone.e164 };
  }

  async checkCode(accountId: string, codeText: string, origin: ChatOrigin): Promise<PhoneCodeCheck> {
    const code = readCode(codeText);
    if (code === undefined) return { kind: 'malformed' };
    return this.perAccount.run(accountId, async () => {
      const account = await this.accounts.findById(accountId);
      const request = account ? await this.requests.findCurrent(accountId, 'phone-verify') : undefined;
      if (!account || !request?.phone || request.conversationId !== origin.conversationId) return { kind: 'expired' };
      if (linkProblemOf(request, account, this.now())) return { kind: 'expired' };
      const failed = request.failedAttempts ?? 0;
      if (failed >= MAX_CODE_TRIES) return { kind: 'tooManyTries' };

      if (!secretHashesEqual(this.codeHash(request.id, code), request.secretHash)) {
        await this.requests.replace({ ...request, failedAttempts: failed + 1 });
        await this.audit.record({ event: 'phone.code_failed', accountId, via: 'chat' });
        return failed + 1 >= MAX_CODE_TRIES
          ? { kind: 'tooManyTries' }
          : { kind: 'wrong', triesLeft: MAX_CODE_TRIES - failed - 1 };
      }
      await this.requests.markUsed(request, this.now());
      const owner = await this.accounts.findByPhone(request.phone);
      if (owner && owner.id !== accountId) return { kind: 'inUse' };
      await this.setPhone(account, request.phone, origin);
      return { kind: 'changed', phone: request.phone };
    });
  }

  async removePhone(accountId: string, reader: { locale: Locale; timeZone?: string }): Promise<void> {
    await this.perAccount.run(accountId, async () => {
      const account = await this.accounts.findById(accountId);
      if (account?.phone) await this.setPhone(account, undefined, reader);
    });
  }

  /** Stores the number and voids every code sent to the old one; the account's address is told. */
  private async setPhone(
    account: Account,
    phone: string | undefined,
    reader: { locale: Locale; timeZone?: string },
  ): Promise<void> {
    const at = this.now();
    const updated = await this.accounts.update(account.id, (current) => {
      const { phone: _old, ...rest } = current;
      return { ...rest, ...(phone ? { phone } : {}), updatedAt: at.toISOString() };
    });
    const pendingCode = await this.requests.findCurrent(account.id, 'sms-code');
    if (pendingCode && !pendingCode.usedAt) await this.requests.markUsed(pendingCode, at);
    await this.audit.record({ event: phone ? 'phone.changed' : 'phone.removed', accountId: account.id, via: 'chat' });
    const recipient = updated ?? account;
    this.tasks.run('phone changed notice', () =>
      this.notifier.phoneChanged(
        recipient,
        recipient.locale ?? reader.locale,
        at,
        phone ? numberEnding(phone) : undefined,
        reader.timeZone,
      ),
    );
  }

  private async send(account: Account, phone: string, code: string, origin: ChatOrigin): Promise<void> {
    try {
      await this.codes.sendCode(phone, origin.locale, code, this.options.codeTtlMs);
      await this.audit.record({ event: 'phone.code_sent', accountId: account.id, via: 'chat' });
    } catch (error) {
      await this.requestLimits.sendFailed(account.id, origin, error, { purpose: 'phone-verify' });
      await this.options.onCodeNotSent?.({
        conversationId: origin.conversationId,
        locale: origin.locale,
        ending: numberEnding(phone),
      });
      throw error;
    }
  }

  private codeHash(requestId: string, code: string): string {
    return keyedHash(this.options.secretKey, 'phone-code', `${requestId}:${code}`);
  }
}
