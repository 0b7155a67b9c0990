import { noteLimitReached } from './struggle.js';
import type { TurnContext } from 'botbuilder';
import type { Locale } from '../src/config.js';
import type { Texts, TextVariables } from '../src/i18n.js';
import { supportedLocale } from '../src/i18n.js';
import type { BillingRecoveryService } from '../src/recovery/billingRecovery.js';
import type { RequestOrigin } from '../src/recovery/requestLimits.js';
import type { ResetService } from '../src/recovery/resetService.js';
import type { SmsResetService } from '../src/recovery/smsReset.js';
import type { IdentityService } from '../src/recovery/identity.js';
import type { PasswordChangeService } from '../src/recovery/passwordChange.js';
import type { PasswordPageService } from '../src/recovery/passwordPages.js';
import type { PhoneChangeService } from '../src/recovery/phoneChange.js';
import type { EscalationService } from '../src/support/escalations.js';
import type { TicketService } from '../src/support/tickets.js';
import type { IntentClassifier } from '../src/nlu/classifier.js';
import type { IntentRecognizer } from './intents.js';
import { turnOf } from './turn.js';

/** What the dialogs need from the rest of the bot; built once in the composition root. */
export interface DialogServices {
  texts: Texts;
  intents: IntentRecognizer;
  /** The trained classifier for free text: what a message asks for, and its language. */
  understanding: Pick<IntentClassifier, 'understand' | 'languageOf'>;
  reset: ResetService;
  sms: SmsResetService;
  billing: BillingRecoveryService;
  identity: IdentityService;
  passwordChange: PasswordChangeService;
  phoneChange: PhoneChangeService;
  passwordPages: PasswordPageService;
  escalations: EscalationService;
  tickets: TicketService;
  settings: {
    defaultLocale: Locale;
    publicBaseUrl: string;
    passwordMinLength: number;
    resetLinkTtlMs: number;
    smsCodeTtlMs: number;
    emailFrom: string;
    supportUrl: string;
    supportWaitMs: number;
    defaultRegion: string;
  };
}

/**
 * The language of this turn: the one the person writes in (chosen at the start of the turn),
 * else the activity's when the bot speaks it, else the configured default.
 */
export function localeOf(context: TurnContext, services: DialogServices): Locale {
  return turnOf(context).locale ?? supportedLocale(context.activity.locale) ?? services.settings.defaultLocale;
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
  const timeZone = timeZoneOf(context);
  return {
    via: 'chat',
    conversationId: context.activity.conversation.id,
    locale: localeOf(context, services),
    ...(timeZone ? { timeZone } : {}),
  };
}

/** The person's time zone when the channel gives one (Teams and Web Chat send an IANA name). */
export function timeZoneOf(context: TurnContext): string | undefined {
  const zone = context.activity.localTimezone;
  if (typeof zone !== 'string' || zone.length > 64) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** The calm "too many requests" answer, with when to try again. */
export async function sayRateLimited(
  context: TurnContext,
  services: DialogServices,
  retryAfterMs: number,
): Promise<void> {
  const wait = services.texts.formatDuration(localeOf(context, services), retryAfterMs);
  await context.sendActivity(services.texts.t(localeOf(context, services), 'rateLimited', { wait }));
  noteLimitReached(context);
}

/** Where a national phone number is read: the person's country first, then the service's. */
export function phoneRegionsOf(context: TurnContext, services: DialogServices): string[] {
  return [...new Set([regionOf(context, services), services.settings.defaultRegion])];
}

/**
 * The country the person is in, for routes that operators switch per region: the client's own
 * report (a clientInfo entity), else the region of the activity's locale, else DEFAULT_REGION.
 */
export function regionOf(context: TurnContext, services: DialogServices): string {
  const clientInfo = context.activity.entities?.find((entity) => entity.type === 'clientInfo') as
    { country?: unknown } | undefined;
  if (typeof clientInfo?.country === 'string' && /^[A-Za-z]{2}$/.test(clientInfo.country)) {
    return clientInfo.country.toUpperCase();
  }
  const localeRegion = /^[a-z]{2,3}[-_]([A-Za-z]{2})\b/i.exec(context.activity.locale ?? '')?.[1];
  return (localeRegion ?? services.settings.defaultRegion).toUpperCase();
}
