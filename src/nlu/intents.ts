/**
 * What a free-text message can mean to the bot. The menu's choices and the reset methods lead to
 * journeys; the others are answered where they are said. Every intent has its examples in
 * `nlu/corpus.<language>.json` and its held-out test messages in `nlu/eval.<language>.json`.
 */
/** The menu's choices; their ids also work typed as they are, in any language. */
export const MENU_INTENTS = [
  'reset',
  'change-password',
  'phone',
  'email-not-received',
  'link-not-working',
  'password-rejected',
  'agent',
] as const;

/** The ways to reset a password (billing: also "I don't know my email or phone"). */
export const METHOD_INTENTS = ['email', 'sms', 'billing'] as const;

export const JOURNEY_INTENTS = [...MENU_INTENTS, ...METHOD_INTENTS] as const;

/** Said anywhere: stop, explain, start over. */
export const CONTROL_INTENTS = ['cancel', 'help', 'menu'] as const;

/** Small talk, answered briefly. */
export const SOCIAL_INTENTS = ['greeting', 'thanks', 'goodbye'] as const;

/** What the bot cannot do itself: it says so honestly and offers a way on. */
export const OUT_OF_SCOPE_INTENTS = ['cancel-subscription', 'hacked-account'] as const;

export const INTENTS = [...JOURNEY_INTENTS, ...CONTROL_INTENTS, ...SOCIAL_INTENTS, ...OUT_OF_SCOPE_INTENTS] as const;

export type Intent = (typeof INTENTS)[number];
export type JourneyIntent = (typeof JOURNEY_INTENTS)[number];
export type OutOfScopeIntent = (typeof OUT_OF_SCOPE_INTENTS)[number];

export function isIntent(name: string): name is Intent {
  return (INTENTS as readonly string[]).includes(name);
}

export function isJourneyIntent(name: string): name is JourneyIntent {
  return (JOURNEY_INTENTS as readonly string[]).includes(name);
}
