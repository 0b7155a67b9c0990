import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { turnOf } from './turn.js';
import { stepIs } from '../src/steps.js';

/**
 * What has not worked in a conversation, so that a person who keeps getting stuck reaches an
 * agent (the handover) instead of giving up. Kept in the conversation's state by the bot and lent to the
 * dialogs for the turn; it holds step names and counts, never what the person typed.
 */
export interface Struggle {
  /** Limits met (too many requests, a code's tries used up, a lock) since the last hand-off. */
  limitsReached: number;
  /** The step whose answers were last turned down, and how many times in a row. */
  step?: string;
  failures: number;
}

/** Why the bot hands a person to an agent without being asked. */
export type StruggleReason = 'limitsReached' | 'repeatedFailure';

export const LIMITS_BEFORE_HANDOFF = 2;
export const FAILURES_BEFORE_HANDOFF = 3;

export function newStruggle(): Struggle {
  return { limitsReached: 0, failures: 0 };
}

/** Lends the conversation's record to this turn's dialogs; changes to it are saved with the state. */
export async function lendStruggle(context: TurnContext, record: StatePropertyAccessor<Struggle>): Promise<void> {
  turnOf(context).struggle = await record.get(context, newStruggle());
}

function struggleOf(context: TurnContext): Struggle | undefined {
  return turnOf(context).struggle;
}

/** A limit stopped the person; the second time since the last hand-off makes one due. */
export function noteLimitReached(context: TurnContext): void {
  const struggle = struggleOf(context);
  if (!struggle) return;
  struggle.limitsReached += 1;
  if (struggle.limitsReached >= LIMITS_BEFORE_HANDOFF) turnOf(context).handOffDue = 'limitsReached';
}

/**
 * The person answered at `before` and the bot is now waiting at `after`: the same step again
 * means the answer was turned down. The third time in a row at one step makes a hand-off due.
 * Undefined is no step: a journey that just began, or one that ended. Steps with a try limit of
 * their own (a code's five tries, the current password's lock) or their own way out (advice on
 * choosing a password), `ownLimit` in src/steps.ts, are left to it: running out of tries counts
 * as a limit reached instead.
 */
export function noteStepOutcome(context: TurnContext, before: string | undefined, after: string | undefined): void {
  const struggle = struggleOf(context);
  if (!struggle) return;
  if (after === undefined || after !== before || stepIs(after, 'ownLimit')) {
    delete struggle.step;
    struggle.failures = 0;
    return;
  }
  struggle.failures = struggle.step === after ? struggle.failures + 1 : 1;
  struggle.step = after;
  if (struggle.failures >= FAILURES_BEFORE_HANDOFF) turnOf(context).handOffDue = 'repeatedFailure';
}

/** The hand-off this turn made due, if any. */
export function handOffDue(context: TurnContext): StruggleReason | undefined {
  return turnOf(context).handOffDue;
}

/** A person is on the way: the counting starts afresh. */
export function forgetStruggle(context: TurnContext): void {
  const struggle = struggleOf(context);
  if (!struggle) return;
  Object.assign(struggle, newStruggle());
  delete struggle.step;
  delete turnOf(context).handOffDue;
}
