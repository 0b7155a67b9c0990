import type { Locale } from '../config.js';
import type { Texts } from '../i18n.js';
import type { CodeNotifier } from '../recovery/smsReset.js';
import type { SmsSender } from './sms.js';

/** The code's text message, in the account holder's language, short enough for one segment. */
export class SmsNotifier implements CodeNotifier {
  constructor(
    private readonly sender: SmsSender,
    private readonly texts: Texts,
  ) {}

  async sendCode(phone: string, locale: Locale, code: string, validForMs: number): Promise<void> {
    const ttl = this.texts.formatDuration(locale, validForMs);
    await this.sender.send({ to: phone, body: this.texts.t(locale, 'sms.code', { code, ttl }) });
  }
}
