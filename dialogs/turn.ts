import type { TurnContext } from 'botbuilder';
import type { Locale } from '../src/config.js';
import type { SummaryLine } from '../src/support/tickets.js';
import type { Struggle, StruggleReason } from './struggle.js';

/**
 * What one turn carries besides its activity, in one typed record: set where the turn starts (the
 * host, the bot) and read by the dialogs. Nothing in it outlives the turn; what must is kept in the
 * conversation's state.
 */
export interface Turn {
  /** The web chat session the bot's own Direct Line endpoint opened this conversation for (never from the activity). */
  webSession?: { accountId: string; profile?: string };
  /** Where the message came from, when the bot knows (its own web chat): tickets count it. */
  clientAddress?: string;
  /** The language the person's own words chose, in this message or an earlier one. */
  locale?: Locale;
  /** A turn the bot started itself: only such turns may carry the bot's own events. */
  proactive: boolean;
  /** The person's last messages, already redacted, for a ticket if they ask for a person. */
  recentLines: SummaryLine[];
  /** The conversation's record of what did not work, lent to the dialogs; saved with the state. */
  struggle?: Struggle;
  /** The hand-off this turn made due. */
  handOffDue?: StruggleReason;
  /** The journey this turn began, so that a hand-off in the same turn still names it. */
  journeyBegun?: string;
  /** The journey that ended this turn, and how: run to its end, or stopped by the person. */
  journeyEnded?: { journey: string; outcome: 'completed' | 'stopped' };
  /** The ticket this turn opened, for the bot to remember in the conversation. */
  ticketOpened?: string;
  /** The Teams dialog page set the password this turn: the chat has said so already. */
  passwordPageDone: boolean;
}

const TURN = Symbol('turn');

/** The turn's record, made on first use. */
export function turnOf(context: TurnContext): Turn {
  let turn = context.turnState.get(TURN) as Turn | undefined;
  if (!turn) {
    turn = { proactive: false, recentLines: [], passwordPageDone: false };
    context.turnState.set(TURN, turn);
  }
  return turn;
}
