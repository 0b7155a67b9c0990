import { CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import type { SupportDesk } from '../src/support/desk.js';
import { isEscalationJourney } from '../src/support/escalations.js';
import type { SupportChannelStore } from '../src/support/supportChannel.js';
import type { Ticket } from '../src/support/tickets.js';
import { channelIdentityOf } from './identity.js';
import { textsFor, type DialogServices } from './services.js';

export interface SupportChannelDeps {
  store: SupportChannelStore;
  /** Microsoft Entra object ids (lower case) of the people who may register the support channel. */
  admins: ReadonlySet<string>;
  desk: SupportDesk;
}

/**
 * The support team's Teams channel: an admin registers it ("register support channel"), tickets
 * arrive there as cards with a "Mark done" button, and agents hand customers to the bot with
 * "escalate <ticket or conversation id> <journey>". True when the message was for the desk.
 */
export async function handleSupportChannel(
  context: TurnContext,
  services: DialogServices,
  deps: SupportChannelDeps,
): Promise<boolean> {
  const t = textsFor(context, services);
  const text = (context.activity.text ?? '').trim().replace(/\s+/g, ' ');
  if (/^register support channel$/i.test(text)) {
    const identity = channelIdentityOf(context);
    const admin = identity?.kind === 'teams' && deps.admins.has(identity.aadObjectId.toLowerCase());
    if (!admin || identity?.kind !== 'teams') {
      await context.sendActivity(t('supportDesk.notAdmin'));
      return true;
    }
    const reference = TurnContext.getConversationReference(context.activity);
    delete reference.activityId;
    await deps.store.register({
      reference,
      registeredBy: identity.aadObjectId,
      registeredAt: new Date().toISOString(),
    });
    await context.sendActivity(t('supportDesk.registered'));
    return true;
  }

  const channel = await deps.store.get();
  const channelId = (channel?.reference as { conversation?: { id?: string } } | undefined)?.conversation?.id;
  if (!channelId || channelId !== context.activity.conversation.id) return false;
  const agent = context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'agent';

  const value = context.activity.value as { supportAction?: unknown; ticketId?: unknown } | undefined;
  if (value?.supportAction === 'complete' && typeof value.ticketId === 'string') {
    const ticket = await deps.desk.completeTicket(value.ticketId, agent);
    await context.sendActivity(
      t(ticket ? 'supportDesk.completed' : 'supportDesk.notOpen', { ticketId: value.ticketId }),
    );
    return true;
  }

  const escalate = /^escalate (\S+) (\S+)$/i.exec(text);
  if (escalate && isEscalationJourney(escalate[2]!.toLowerCase())) {
    const target = escalate[1]!;
    const journey = escalate[2]!.toLowerCase() as Parameters<SupportDesk['escalate']>[1];
    const outcome = await deps.desk.escalate(
      /^T-[0-9A-F]{8}$/i.test(target) ? { ticketId: target.toUpperCase() } : { conversationId: target },
      journey,
      agent,
    );
    if (outcome.kind === 'started') {
      const { id, state } = outcome.escalation;
      await context.sendActivity(t('supportDesk.escalated', { id, journey, state }));
    } else await context.sendActivity(t(`supportDesk.${outcome.kind}`, { target }));
    return true;
  }
  await context.sendActivity(t('supportDesk.help'));
  return true;
}

/** A ticket as the agents see it: no secret is in a ticket to begin with. */
export function ticketCard(context: TurnContext, services: DialogServices, ticket: Ticket): Partial<Activity> {
  const t = textsFor(context, services);
  const fact = (title: string, value: string | undefined) => ({
    title: t(title),
    value: value ?? t('supportDesk.none'),
  });
  return MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: t('supportDesk.cardTitle', { ticketId: ticket.id }), weight: 'Bolder', wrap: true },
        {
          type: 'FactSet',
          facts: [
            fact('supportDesk.cardLanguage', ticket.locale),
            fact('supportDesk.cardJourney', ticket.journey),
            fact('supportDesk.cardStep', ticket.step),
            fact('supportDesk.cardAccount', ticket.accountId),
            fact('supportDesk.cardConversation', ticket.conversationId),
          ],
        },
        { type: 'TextBlock', text: t('supportDesk.cardSummary'), weight: 'Bolder', wrap: true },
        ...ticket.summary.map((line) => ({ type: 'TextBlock', text: `${line.step}: ${line.text}`, wrap: true })),
      ],
      actions: [
        {
          type: 'Action.Submit',
          title: t('supportDesk.cardDone'),
          data: { supportAction: 'complete', ticketId: ticket.id },
        },
      ],
    }),
  );
}
