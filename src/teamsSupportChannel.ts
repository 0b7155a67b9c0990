import type { TurnContext } from 'botbuilder';
import { escalationCard, postedCard, ticketCard } from '../dialogs/supportChannel.js';
import { SUPPORT_ESCALATION, SUPPORT_RELEASED } from '../dialogs/teams.js';
import type { Locale } from './config.js';
import { supportedLocale, type Texts } from './i18n.js';
import type { ProactiveTurns } from './proactive.js';
import type { Escalation } from './support/escalations.js';
import type { DeskCardView, SupportChannel, SupportChannelRepository } from './support/supportChannel.js';
import type { PostedCard, Ticket } from './support/tickets.js';

/**
 * The support team's channel in Microsoft Teams: tickets arrive as cards with a "Mark done"
 * button, cards are updated in place as tickets and journeys move on, and outcomes without a card
 * are posted as messages. The customers' conversations hear from support through the bot's own
 * turn (an event it handles), so the dialogs decide what the person sees.
 */
export class TeamsSupportChannel implements SupportChannel {
  constructor(
    private readonly deps: {
      turns: ProactiveTurns;
      registration: SupportChannelRepository;
      texts: Texts;
      defaultLocale: Locale;
    },
  ) {}

  async postTicket(ticket: Ticket): Promise<PostedCard | undefined> {
    const channel = await this.deps.registration.get();
    if (!channel) return undefined;
    let card: PostedCard | undefined;
    await this.deps.turns.run(channel.reference, async (context) => {
      const sent = await context.sendActivity(ticketCard(this.textsFor(context), ticket));
      if (sent?.id) card = postedCard(context, sent.id);
    });
    return card;
  }

  async showCard(card: PostedCard, view: DeskCardView): Promise<void> {
    await this.deps.turns.run(card.reference, async (context) => {
      const t = this.textsFor(context);
      const shown = view.kind === 'ticket' ? ticketCard(t, view.ticket) : escalationCard(t, view.escalation);
      await context.updateActivity({ ...shown, id: card.activityId });
    });
  }

  async postOutcome({ id, journey, state }: Escalation): Promise<boolean> {
    const channel = await this.deps.registration.get();
    if (!channel) return false;
    await this.deps.turns.run(channel.reference, async (context) => {
      await context.sendActivity(this.textsFor(context)('supportDesk.escalated', { id, journey, state }));
    });
    return true;
  }

  knowsConversation(conversationId: string): Promise<boolean> {
    return this.deps.turns.knows(conversationId);
  }

  handBack(conversationId: string): Promise<boolean> {
    return this.deps.turns.sendToConversation(conversationId, { name: SUPPORT_RELEASED, value: {} });
  }

  startJourney(escalation: Escalation): Promise<boolean> {
    return this.deps.turns.sendToConversation(escalation.conversationId, {
      name: SUPPORT_ESCALATION,
      value: { escalationId: escalation.id, journey: escalation.journey },
    });
  }

  /** The channel's language, as Teams gives it, else the bot's default. */
  private textsFor(context: TurnContext): Parameters<typeof ticketCard>[0] {
    const locale = supportedLocale(context.activity.locale) ?? this.deps.defaultLocale;
    return (key, variables) => this.deps.texts.t(locale, key, variables);
  }
}
