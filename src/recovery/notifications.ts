import type { Locale } from '../config.js';
import type { Account } from './types.js';

export type Recipient = Pick<Account, 'email' | 'firstName'>;

/** What the domain tells an account holder; messaging/ decides how the words and the mail look. */
export interface AccountNotifier {
  resetLink(to: Recipient, locale: Locale, link: string, validForMs: number): Promise<void>;
  /** `timeZone`: where the person is (an IANA name), when the channel said; the service's otherwise. */
  passwordChanged(to: Recipient, locale: Locale, at: Date, timeZone?: string): Promise<void>;
  /** Phone number change: the account's number was added, replaced or removed; `last digits` of the new one, if any. */
  phoneChanged(
    to: Recipient,
    locale: Locale,
    at: Date,
    newNumberEnding: string | undefined,
    timeZone?: string,
  ): Promise<void>;
}
