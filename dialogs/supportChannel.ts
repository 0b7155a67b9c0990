import { CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import type { SupportDesk } from '../src/support/desk.js';
import { isEscalationJourney, type Escalation } from '../src/support/escalations.js';
import type { SupportChannelRepository } from '../src/support/supportChannel.js';
import type { PostedCard, Ticket } from '../src/support/tickets.js';
import { channelIdentityOf } from './identity.js';
import { textsFor, type DialogServices } from './services.js';

/** Texts in the language of the conversation a card goes to. */
type Translate = ReturnType<typeof textsFor>;

export interface SupportChannelDeps {
  store: SupportChannelRepository;
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
  // Commands come from agents the channel vouches for, never from a client that names the
  // channel's conversation (the Emulator, say, which the bot does not authenticate).
  if (channelIdentityOf(context)?.kind !== 'teams') return false;
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
    if (outcome.kind !== 'started') {
      await context.sendActivity(t(`supportDesk.${outcome.kind}`, { target }));
      return true;
    }
    const { escalation } = outcome;
    // From a ticket, the ticket's card shows the outcome; otherwise the answer is a card of its own.
    if (escalation.ticketId) {
      await context.sendActivity(
        t('supportDesk.escalated', { id: escalation.id, journey: escalation.journey, state: escalation.state }),
      );
      return true;
    }
    const sent = await context.sendActivity(escalationCard(t, escalation));
    if (sent?.id) await services.escalations.attachCard(escalation.id, postedCard(context, sent.id));
    return true;
  }
  await context.sendActivity(t('supportDesk.help'));
  return true;
}

/** Where a card just sent in this conversation is, to update it later (a reply in a channel thread stays there). */
export function postedCard(context: TurnContext, activityId: string): PostedCard {
  const reference = TurnContext.getConversationReference(context.activity);
  delete reference.activityId;
  return { reference, activityId };
}

/** A ticket as the agents see it, with its state: no secret is in a ticket to begin with. */
export function ticketCard(t: Translate, ticket: Ticket): Partial<Activity> {
  const escalation = ticket.escalation ? t('supportDesk.escalationState', { ...ticket.escalation }) : undefined;
  return deskCard(
    t('supportDesk.cardTitle', { ticketId: ticket.id }),
    [
      [t('supportDesk.cardState'), t(`supportDesk.state.${ticket.state}`, { by: ticket.settledBy ?? '' })],
      [t('supportDesk.cardReason'), ticket.reason ? t(`supportDesk.reason.${ticket.reason}`) : undefined],
      [t('supportDesk.cardLanguage'), ticket.locale],
      [t('supportDesk.cardJourney'), ticket.journey],
      [t('supportDesk.cardStep'), ticket.step],
      [t('supportDesk.cardAccount'), ticket.accountId],
      [t('supportDesk.cardConversation'), ticket.conversationId],
      ...(escalation ? [[t('supportDesk.cardEscalation'), escalation] as const] : []),
    ],
    t('supportDesk.none'),
    [
      { type: 'TextBlock', text: t('supportDesk.cardSummary'), weight: 'Bolder', wrap: true },
      ...ticket.summary.map((line) => ({ type: 'TextBlock', text: `${line.step}: ${line.text}`, wrap: true })),
    ],
    // Only an open ticket can be marked done.
    ticket.state === 'open'
      ? [
          {
            type: 'Action.Submit',
            title: t('supportDesk.cardDone'),
            data: { supportAction: 'complete', ticketId: ticket.id },
          },
        ]
      : [],
  );
}

/** An escalation an agent started in the channel without a ticket, with its state. */
export function escalationCard(t: Translate, escalation: Escalation): Partial<Activity> {
  return deskCard(
    t('supportDesk.escalationCardTitle', { id: escalation.id }),
    [
      [
        t('supportDesk.cardState'),
        t('supportDesk.escalationState', { journey: escalation.journey, state: escalation.state }),
      ],
      [t('supportDesk.cardConversation'), escalation.conversationId],
      [t('supportDesk.cardBy'), escalation.by],
    ],
    t('supportDesk.none'),
  );
}

function deskCard(
  title: string,
  facts: ReadonlyArray<readonly [string, string | undefined]>,
  none: string,
  more: object[] = [],
  actions: object[] = [],
): Partial<Activity> {
  return MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: title, weight: 'Bolder', wrap: true },
        { type: 'FactSet', facts: facts.map(([factTitle, value]) => ({ title: factTitle, value: value ?? none })) },
        ...more,
      ],
      actions,
    }),
  );
}
