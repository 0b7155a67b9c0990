import type { TurnContext } from 'botbuilder';
import type { Locale } from '../src/config.js';
import type { Texts, TextVariables } from '../src/i18n.js';
import { supportedLocale } from '../src/i18n.js';
import type { RequestOrigin } from '../src/recovery/requestLimits.js';
import type { ResetService } from '../src/recovery/resetService.js';
import type { SmsResetService } from '../src/recovery/smsReset.js';
import type { IntentRecognizer } from './intents.js';

/** What the dialogs need from the rest of the bot; built once in the composition root. */
export interface DialogServices {
  texts: Texts;
  intents: IntentRecognizer;
  reset: ResetService;
  sms: SmsResetService;
  settings: {
    defaultLocale: Locale;
    publicBaseUrl: string;
    passwordMinLength: number;
    resetLinkTtlMs: number;
    smsCodeTtlMs: number;
    emailFrom: string;
    supportUrl: string;
  };
}

/** The activity's language when supported, else the configured default. */
export function localeOf(context: TurnContext, services: DialogServices): Locale {
  return supportedLocale(context.activity.locale) ?? services.settings.defaultLocale;
}

/** A translator bound to this turn's language. */
export function textsFor(
  context: TurnContext,
  services: DialogServices,
): (key: string, variables?: TextVariables) => string {
  const locale = localeOf(context, services);
  return (key, variables) => services.texts.t(locale, key, variables);
}

/** Microsoft Teams cannot delete a message, so a password is never taken as chat text there. */
export function isTeams(context: TurnContext): boolean {
  return context.activity.channelId === 'msteams';
}

/** Where a chat request comes from, for the domain's limits and audit trail. */
export function chatOrigin(context: TurnContext, services: DialogServices): RequestOrigin & { conversationId: string } {
  return { via: 'chat', conversationId: context.activity.conversation.id, locale: localeOf(context, services) };
}

/** The calm "too many requests" answer, with when to try again. */
export async function sayRateLimited(
  context: TurnContext,
  services: DialogServices,
  retryAfterMs: number,
): Promise<void> {
  const wait = services.texts.formatDuration(localeOf(context, services), retryAfterMs);
  await context.sendActivity(services.texts.t(localeOf(context, services), 'rateLimited', { wait }));
}
