import type { Locale } from '../config.js';
import type { Texts } from '../i18n.js';
import type { AccountNotifier, Recipient } from '../recovery/notifications.js';
import { escapeHtml } from '../web/html.js';
import type { EmailMessage, EmailSender } from './email.js';

/** A mail as paragraphs with an optional button-style link between them; rendered as text and HTML. */
interface MailContent {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Paragraphs after the action. */
  after: string[];
}

export function renderMail(to: string, content: MailContent): EmailMessage {
  const text =
    [...content.paragraphs, ...(content.action ? [content.action.url] : []), ...content.after].join('\n\n') + '\n';
  const paragraph = (p: string) => `<p>${escapeHtml(p)}</p>`;
  const action = content.action
    ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:12px 20px;background:#b00710;` +
      `color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(content.action.label)}</a></p>` +
      `<p style="font-size:13px;color:#555555;word-break:break-all">${escapeHtml(content.action.url)}</p>`
    : '';
  const body = content.paragraphs.map(paragraph).join('') + action + content.after.map(paragraph).join('');
  const html =
    '<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;' +
    `color:#222222">${body}</body></html>`;
  return { to, subject: content.subject, text, html };
}

/** The account emails of the email reset, in the account holder's language. */
export class EmailNotifier implements AccountNotifier {
  constructor(
    private readonly sender: EmailSender,
    private readonly texts: Texts,
    /** Where times are shown when the person's own time zone is not known. */
    private readonly defaultTimeZone = 'Europe/Amsterdam',
  ) {}

  async resetLink(to: Recipient, locale: Locale, link: string, validForMs: number): Promise<void> {
    const { t } = this.texts;
    const ttl = this.texts.formatDuration(locale, validForMs);
    await this.sender.send(
      renderMail(to.email, {
        subject: t(locale, 'mail.resetSubject'),
        paragraphs: [t(locale, 'mail.greeting', { name: to.firstName }), t(locale, 'mail.resetIntro')],
        action: { label: t(locale, 'mail.resetButton'), url: link },
        after: [t(locale, 'mail.resetValidity', { ttl }), t(locale, 'mail.resetNotYou'), t(locale, 'mail.signature')],
      }),
    );
  }

  async passwordChanged(to: Recipient, locale: Locale, at: Date, timeZone?: string): Promise<void> {
    const { t } = this.texts;
    const when = formatWhen(locale, at, timeZone ?? this.defaultTimeZone);
    await this.sender.send(
      renderMail(to.email, {
        subject: t(locale, 'mail.changedSubject'),
        paragraphs: [t(locale, 'mail.greeting', { name: to.firstName }), t(locale, 'mail.changedBody', { when })],
        after: [t(locale, 'mail.changedNotYou'), t(locale, 'mail.signature')],
      }),
    );
  }

  async phoneChanged(
    to: Recipient,
    locale: Locale,
    at: Date,
    newNumberEnding: string | undefined,
    timeZone?: string,
  ): Promise<void> {
    const { t } = this.texts;
    const when = formatWhen(locale, at, timeZone ?? this.defaultTimeZone);
    const body = newNumberEnding
      ? t(locale, 'mailPhone.changedBody', { when, ending: newNumberEnding })
      : t(locale, 'mailPhone.removedBody', { when });
    await this.sender.send(
      renderMail(to.email, {
        subject: t(locale, 'mailPhone.subject'),
        paragraphs: [t(locale, 'mail.greeting', { name: to.firstName }), body],
        after: [t(locale, 'mailPhone.notYou'), t(locale, 'mail.signature')],
      }),
    );
  }
}

/**
 * Date formatters by language and time zone: making one takes about half a millisecond, using it
 * microseconds. Only zones the runtime knows are kept (an unknown one throws when made), a few
 * hundred at most.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 1000;

function formatterFor(locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
    if (formatters.size < MAX_FORMATTERS) formatters.set(key, formatter);
  }
  return formatter;
}

/** "25 November 2026 at 11:40 CET", in the mail's language and the person's time zone. */
export function formatWhen(locale: Locale, at: Date, timeZone: string): string {
  try {
    return formatterFor(locale, timeZone).format(at);
  } catch {
    // A time zone the runtime does not know (from a channel): the service's own is never wrong to show.
    return formatterFor(locale, 'Europe/Amsterdam').format(at);
  }
}
