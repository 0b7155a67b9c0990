import {
  ActivityHandler,
  type Activity,
  type InvokeResponse,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import {
  DialogSet,
  DialogTurnStatus,
  type DialogContext,
  type DialogState,
  type DialogStateManagerConfiguration,
} from 'botbuilder-dialogs';
import { activeStepIn, activeStepOf, MAIN_DIALOG, type MainDialog, type MainOptions } from '../dialogs/mainDialog.js';
import { lendStruggle, type Struggle } from '../dialogs/struggle.js';
import { MENU_CHOICES, METHOD_CHOICES, normalizeUtterance } from '../dialogs/intents.js';
import { anythingElse } from '../dialogs/wayOn.js';
import { localeOf, textsFor, type DialogServices } from '../dialogs/services.js';
import { turnOf } from '../dialogs/turn.js';
import type { Locale } from './config.js';
import type { TurnConversationState } from './conversationState.js';
import {
  isSharedTeamsConversation,
  moveToPersonalChat,
  PASSWORD_PAGE_DONE,
  PHONE_CODE_NOT_SENT,
  stripBotMention,
  SUPPORT_ESCALATION,
  SUPPORT_RELEASED,
} from '../dialogs/teams.js';
import { handleSupportChannel, type SupportChannelDeps } from '../dialogs/supportChannel.js';
import { isEscalationJourney } from './support/escalations.js';
import { redactedSummary, type SummaryLine } from './support/tickets.js';
import { stepIs } from './steps.js';

const MAX_RECENT_LINES = 8;
/** Where a dialog context looks for its memory configuration in the turn state (botbuilder-dialogs). */
const STATE_CONFIGURATION = 'DialogStateManagerConfiguration';
/**
 * Channels whose clients write the activities themselves (web chat through Direct Line, the
 * Emulator): what only a channel or support may say (`handoff.status`) is not taken from them.
 */
const CLIENT_COMPOSED_CHANNELS = new Set(['directline', 'webchat', 'emulator']);

function clientsComposeActivities(context: TurnContext): boolean {
  return CLIENT_COMPOSED_CHANNELS.has(context.activity.channelId);
}

/** Choices a ticket may name (with the menu's and the methods'), so it needs none of the person's words. */
const OTHER_CHOICES = ['card', 'partner', 'other', 'yes', 'no'] as const;
const CHOICE_IDS = new Set<string>([...MENU_CHOICES, ...METHOD_CHOICES, ...OTHER_CHOICES]);

/** Where the bot's own pages are, for the Teams dialog. */
export interface BotPages {
  /** The URL of the new-password page for a one-time token. */
  passwordPageUrl(token: string): string;
}

/** Routes every turn into the main dialog and saves the conversation's state afterwards. */
export class PasswordHelpBot extends ActivityHandler {
  private readonly dialogs: DialogSet;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  /**
   * The dialogs' memory scopes and path resolvers. They hold no state of a turn, yet the SDK's
   * dialog context builds them again on every turn (a service collection, a settings check through
   * zod that fails and builds its error): the first turn's are kept and handed to every later one,
   * as the SDK's own DialogManager keeps its configuration.
   */
  private stateConfiguration?: DialogStateManagerConfiguration;
  /** The person's last messages, redacted as they are stored, for a ticket if they ask for a person. */
  private readonly recent: StatePropertyAccessor<SummaryLine[]>;
  private readonly struggle: StatePropertyAccessor<Struggle>;
  /**
   * The ticket the conversation opened, as a hint: only then is the ticket store asked whether it
   * is still open, so the usual turn does no lookup for it. Support may close it at any time.
   */
  private readonly ticketHint: StatePropertyAccessor<string>;
  /** The language the person last wrote in clearly; it answers in that one from then on. */
  private readonly language: StatePropertyAccessor<Locale>;

  constructor(
    readonly conversationState: TurnConversationState,
    private readonly mainDialog: MainDialog,
    private readonly services: DialogServices,
    private readonly pages: BotPages,
    private readonly supportChannel: SupportChannelDeps,
  ) {
    super();
    this.dialogState = conversationState.createProperty('dialogState');
    this.dialogs = new DialogSet(this.dialogState).add(mainDialog);
    this.recent = conversationState.createProperty('recentLines');
    this.struggle = conversationState.createProperty('struggle');
    this.ticketHint = conversationState.createProperty('supportTicket');
    this.language = conversationState.createProperty('language');

    this.onMessage(async (context, next) => {
      stripBotMention(context);
      if (isSharedTeamsConversation(context)) {
        // The support team's channel takes its commands; elsewhere people are sent to a private chat.
        if (!(await handleSupportChannel(context, services, supportChannel)))
          await moveToPersonalChat(context, services);
      } else if (!(await this.answerWhileWaiting(context))) {
        const dc = await this.dialogContextFor(context);
        await this.remember(context, dc);
        // The main dialog reads the message: a journey, a short answer, or the greeting and menu.
        await this.runDialog(dc, () => ({}));
      }
      await next();
    });

    // Work that finished outside the chat (the Teams dialog page, a text that could not be sent,
    // support) reaches the person's conversation as an event on a proactive turn; events from
    // clients are ignored.
    this.onEvent(async (context, next) => {
      // The channel's own hand-off service (Omnichannel, say) reports the agent is done.
      if (context.activity.name === 'handoff.status' && !clientsComposeActivities(context))
        await this.handoffStatus(context);
      if (turnOf(context).proactive) await this.ownEvent(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter(
        (member) => member.id !== context.activity.recipient?.id,
      );
      // In a Teams team or group chat a greeting to everyone would be noise.
      if (newcomers.length > 0 && !isSharedTeamsConversation(context))
        await this.runDialog(await this.dialogContextFor(context), () => ({ greet: true }));
      await next();
    });
  }

  /** An event of the bot's own, on a turn it started in the person's conversation. */
  private async ownEvent(context: TurnContext): Promise<void> {
    const t = textsFor(context, this.services);
    const value = (context.activity.value ?? {}) as Record<string, string>;
    switch (context.activity.name) {
      case SUPPORT_RELEASED:
        await context.sendActivity(t('support.released'));
        break;
      case SUPPORT_ESCALATION:
        await this.startEscalation(context);
        break;
      case PHONE_CODE_NOT_SENT:
        await context.sendActivity(t('phoneChange.notSent', { ending: value.ending ?? '' }));
        break;
      case PASSWORD_PAGE_DONE: {
        const dc = await this.dialogContextFor(context);
        if (dc.activeDialog) await dc.continueDialog();
        if (!turnOf(context).passwordPageDone) await context.sendActivity(t('password.changed'));
        break;
      }
    }
  }

  /**
   * While a ticket is open the bot only says that a person is coming, or withdraws the request
   * on "cancel". True when it answered.
   */
  private async answerWhileWaiting(context: TurnContext): Promise<boolean> {
    if (!(await this.ticketHint.get(context))) return false;
    const ticket = await this.services.tickets.openFor(context.activity.conversation.id);
    if (!ticket) {
      await this.ticketHint.delete(context);
      return false;
    }
    const t = textsFor(context, this.services);
    if (this.services.intents.interruption(context.activity.text) === 'cancel') {
      await this.services.tickets.cancel(ticket.id);
      await this.ticketHint.delete(context);
      await context.sendActivity(t('support.withdrawn'));
      return true;
    }
    const wait = this.services.texts.formatDuration(
      localeOf(context, this.services),
      this.services.settings.supportWaitMs,
    );
    await context.sendActivity(t('support.waiting', { ticketId: ticket.id, wait }));
    return true;
  }

  /** Keeps the last messages, with the step they answered, redacted before they are stored. */
  private async remember(context: TurnContext, dc: DialogContext): Promise<void> {
    const text = context.activity.text;
    let lines = (await this.recent.get(context)) ?? [];
    if (typeof text === 'string' && text.trim() !== '') {
      const step = dc.activeDialog ? activeStepOf(dc) : 'menu';
      const { intents } = this.services;
      const choice =
        intents.whole(text, MENU_CHOICES, (option) => `menu.${option}`) ??
        intents.whole(text, METHOD_CHOICES, (option) => `method.${option}`) ??
        intents.whole(text, OTHER_CHOICES);
      lines = [...lines, ...redactedSummary([{ step, text, ...(choice ? { choice } : {}) }])].slice(-MAX_RECENT_LINES);
      await this.recent.set(context, lines);
    }
    turnOf(context).recentLines = lines;
  }

  private async handoffStatus(context: TurnContext): Promise<void> {
    const { state } = (context.activity.value ?? {}) as { state?: unknown };
    if (state !== 'completed') return;
    const ticket = await this.services.tickets.openFor(context.activity.conversation.id);
    if (ticket && (await this.services.tickets.complete(ticket.id, 'channel')))
      await context.sendActivity(textsFor(context, this.services)('support.released'));
  }

  /** Support handed the person to a journey: whatever was under way gives way to it. */
  private async startEscalation(context: TurnContext): Promise<void> {
    const { escalationId, journey } = (context.activity.value ?? {}) as { escalationId?: string; journey?: string };
    if (!escalationId || !isEscalationJourney(journey)) return;
    const dc = await this.dialogContextFor(context);
    await dc.cancelAllDialogs();
    await context.sendActivity(textsFor(context, this.services)('support.escalated'));
    await dc.beginDialog(MAIN_DIALOG, { startWith: journey, escalationId } satisfies MainOptions);
  }

  /** Teams dialogs: `task/fetch` opens the new-password page, `task/submit` closes it. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const { name } = context.activity;
    if (name === 'task/fetch') return { status: 200, body: await this.passwordDialog(context) };
    // The page already set the password and the conversation was told; nothing more to show.
    if (name === 'task/submit') return { status: 200 };
    return super.onInvokeActivity(context);
  }

  private async passwordDialog(context: TurnContext): Promise<object> {
    const t = textsFor(context, this.services);
    const page = isSharedTeamsConversation(context)
      ? undefined
      : await this.services.passwordPages.open(context.activity.conversation.id);
    if (!page) return { task: { type: 'message', value: t('teamsPage.dialogUnavailable') } };
    return {
      task: {
        type: 'continue',
        value: { title: t('password.cardTitle'), url: this.pages.passwordPageUrl(page.token), height: 460, width: 420 },
      },
    };
  }

  /**
   * The reply language follows the person: the language a message is clearly written in, kept
   * for the messages after it that do not say (a choice id, a number); until the person has
   * written something clear, the channel's language, else the configured one.
   */
  private async chooseLanguage(context: TurnContext): Promise<void> {
    const { text } = context.activity;
    // What is typed where a secret is asked for is not read for anything else, and a choice id
    // ("change-password") is the same in every language.
    const readable =
      typeof text === 'string' && !CHOICE_IDS.has(normalizeUtterance(text)) && !(await this.awaitsSecret(context));
    const written = readable ? this.services.understanding.languageOf(text) : undefined;
    if (written) await this.language.set(context, written);
    const locale = written ?? (await this.language.get(context));
    if (locale) turnOf(context).locale = locale;
  }

  /**
   * Whether a person's message ended here with an answer that offers nothing: no journey goes on,
   * no buttons or card came with the last message, and nobody is waiting for an agent.
   */
  private async leftWithoutWayOn(context: TurnContext, lastMessage: Partial<Activity>): Promise<boolean> {
    if (context.activity.type !== 'message' || isSharedTeamsConversation(context)) return false;
    if (lastMessage.suggestedActions?.actions.length || lastMessage.attachments?.length) return false;
    if (await this.ticketHint.get(context)) return false;
    return !(await this.dialogState.get(context))?.dialogStack.length;
  }

  /**
   * Whether the conversation's dialog now waits for a secret: a password, a code, a card number or
   * a link. Read from the dialog state alone: it is asked twice a turn, and a dialog context
   * costs a third of a millisecond to build.
   */
  async awaitsSecret(context: TurnContext): Promise<boolean> {
    const state = await this.dialogState.get(context);
    return state?.dialogStack.length ? stepIs(activeStepIn(state), 'secret') : false;
  }

  /** The dialog context for a turn, with the conversation's record of what did not work lent to the dialogs. */
  private async dialogContextFor(context: TurnContext): Promise<DialogContext> {
    await lendStruggle(context, this.struggle);
    if (this.stateConfiguration) context.turnState.set(STATE_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogs.createContext(context);
    this.stateConfiguration ??= dc.state.configuration;
    return dc;
  }

  override async run(context: TurnContext): Promise<void> {
    await this.chooseLanguage(context);
    let lastMessage: Partial<Activity> | undefined;
    context.onSendActivities(async (_context, activities, next) => {
      lastMessage = activities.filter((activity) => activity.type === 'message').at(-1) ?? lastMessage;
      return next();
    });
    await super.run(context);
    const opened = turnOf(context).ticketOpened;
    if (opened) await this.ticketHint.set(context, opened);
    else if (lastMessage && (await this.leftWithoutWayOn(context, lastMessage)))
      await context.sendActivity(anythingElse(context, this.services));
    await this.conversationState.saveChanges(context, false);
  }

  /** Continues the conversation's dialog, or begins the main dialog with the options `start` gives. */
  private async runDialog(dc: DialogContext, start: () => MainOptions): Promise<void> {
    const result =
      dc.context.activity.type === 'message' ? await dc.continueDialog() : { status: DialogTurnStatus.empty };
    if (result.status === DialogTurnStatus.empty && !dc.activeDialog) {
      await dc.beginDialog(MAIN_DIALOG, start());
    }
  }
}
