import { EventFactory, type TurnContext } from 'botbuilder';
import type { HandoffReason, SummaryLine } from '../src/support/tickets.js';
import { signedInPersonOf } from './identity.js';
import { localeOf, textsFor, type DialogServices } from './services.js';
import { forgetStruggle } from './struggle.js';

/** Turn state key of the person's recent messages (already redacted), set by the bot for each turn. */
export const RECENT_LINES = Symbol('recentLines');

/**
 * Turn state key of the client address the turn came from, set by the bot's own Direct Line
 * endpoint (other channels' traffic all comes from the channel service): tickets count it.
 */
export const CLIENT_ADDRESS = Symbol('clientAddress');

/** Turn state key of the ticket this turn opened, for the bot to remember in the conversation. */
export const TICKET_OPENED = Symbol('ticketOpened');

/**
 * J9, bot → person: opens a ticket with a redacted summary, tells the channel with a
 * `handoff.initiate` event, and tells the person what happens next. From then on the bot only
 * says that an agent is coming, until support completes the ticket or the person cancels.
 */
export async function handToPerson(
  context: TurnContext,
  services: DialogServices,
  where: { journey?: string; step?: string; reason: HandoffReason },
): Promise<void> {
  forgetStruggle(context);
  const recent = (context.turnState.get(RECENT_LINES) ?? []) as SummaryLine[];
  const person = await signedInPersonOf(context, services);
  const locale = localeOf(context, services);
  const clientAddress = context.turnState.get(CLIENT_ADDRESS) as string | undefined;
  const ticket = await services.tickets.open({
    ...(clientAddress ? { clientAddress } : {}),
    conversationId: context.activity.conversation.id,
    locale,
    ...(where.journey ? { journey: where.journey } : {}),
    ...(where.step ? { step: where.step } : {}),
    reason: where.reason,
    ...(person ? { accountId: person.account.id } : {}),
    recent,
  });
  const t = textsFor(context, services);
  if (!ticket) {
    await context.sendActivity(t('support.tooMany', { supportUrl: services.settings.supportUrl }));
    return;
  }
  context.turnState.set(TICKET_OPENED, ticket.id);
  await context.sendActivity(
    EventFactory.createHandoffInitiation(context, {
      ticketId: ticket.id,
      journey: ticket.journey ?? null,
      step: ticket.step ?? null,
      summary: ticket.summary,
    }),
  );
  const wait = services.texts.formatDuration(locale, services.settings.supportWaitMs);
  await context.sendActivity(
    t('support.handedOff', {
      ticketId: ticket.id,
      wait,
      supportUrl: services.settings.supportUrl,
    }),
  );
}
