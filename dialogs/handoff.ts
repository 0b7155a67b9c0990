import { EventFactory, type TurnContext } from 'botbuilder';
import type { HandoffReason } from '../src/support/tickets.js';
import { signedInPersonOf } from './identity.js';
import { localeOf, textsFor, type DialogServices } from './services.js';
import { forgetStruggle } from './struggle.js';
import { turnOf } from './turn.js';

/**
 * The handover, bot → person: opens a ticket with a redacted summary, tells the channel with a
 * `handoff.initiate` event, and tells the person what happens next. From then on the bot only
 * says that an agent is coming, until support completes the ticket or the person cancels.
 */
export async function handToPerson(
  context: TurnContext,
  services: DialogServices,
  where: { journey?: string; step?: string; reason: HandoffReason },
): Promise<void> {
  forgetStruggle(context);
  const turn = turnOf(context);
  const recent = turn.recentLines;
  const person = await signedInPersonOf(context, services);
  const locale = localeOf(context, services);
  const { clientAddress } = turn;
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
  turn.ticketOpened = ticket.id;
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
