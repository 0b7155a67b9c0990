import {
  ActivityHandler,
  type ConversationState,
  type InvokeResponse,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { MAIN_DIALOG, type MainDialog, type MainOptions } from '../dialogs/mainDialog.js';
import { textsFor, type DialogServices } from '../dialogs/services.js';
import {
  isSharedTeamsConversation,
  moveToPersonalChat,
  PASSWORD_PAGE_DONE,
  PHONE_CODE_NOT_SENT,
  stripBotMention,
  SUPPORT_ESCALATION,
} from '../dialogs/teams.js';
import { PROACTIVE_TURN } from './proactive.js';
import { isEscalationJourney } from './support/escalations.js';

/** Where the bot's own pages are, for the Teams dialog. */
export interface BotPages {
  /** The URL of the new-password page for a one-time token. */
  passwordPageUrl(token: string): string;
}

/** Routes every turn into the main dialog and saves the conversation's state afterwards. */
export class PasswordHelpBot extends ActivityHandler {
  private readonly dialogs: DialogSet;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly mainDialog: MainDialog,
    private readonly services: DialogServices,
    private readonly pages: BotPages,
  ) {
    super();
    const dialogState: StatePropertyAccessor<DialogState> = conversationState.createProperty('dialogState');
    this.dialogs = new DialogSet(dialogState).add(mainDialog);

    this.onMessage(async (context, next) => {
      stripBotMention(context);
      if (isSharedTeamsConversation(context)) await moveToPersonalChat(context, services);
      else await this.runDialog(context, { greet: mainDialog.routeOf(context) === undefined });
      await next();
    });

    // Work that finished outside the chat (the Teams dialog page, a text that could not be sent)
    // reaches the conversation as an event on a proactive turn; events from clients are ignored.
    this.onEvent(async (context, next) => {
      if (!context.turnState.get(PROACTIVE_TURN)) return next();
      if (context.activity.name === SUPPORT_ESCALATION) await this.startEscalation(context);
      if (context.activity.name === PHONE_CODE_NOT_SENT) {
        const { ending } = (context.activity.value ?? {}) as { ending?: string };
        await context.sendActivity(textsFor(context, services)('phoneChange.notSent', { ending: ending ?? '' }));
      }
      if (context.activity.name === PASSWORD_PAGE_DONE) {
        const dc = await this.dialogs.createContext(context);
        if (dc.activeDialog) await dc.continueDialog();
        if (!context.turnState.get(PASSWORD_PAGE_DONE))
          await context.sendActivity(textsFor(context, services)('password.changed'));
      }
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter(
        (member) => member.id !== context.activity.recipient?.id,
      );
      // In a Teams team or group chat a greeting to everyone would be noise.
      if (newcomers.length > 0 && !isSharedTeamsConversation(context)) await this.runDialog(context, { greet: true });
      await next();
    });
  }

  /** Support handed the person to a journey: whatever was under way gives way to it. */
  private async startEscalation(context: TurnContext): Promise<void> {
    const { escalationId, journey } = (context.activity.value ?? {}) as { escalationId?: string; journey?: string };
    if (!escalationId || !isEscalationJourney(journey)) return;
    const dc = await this.dialogs.createContext(context);
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

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }

  private async runDialog(context: TurnContext, startOptions: MainOptions): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    const result = context.activity.type === 'message' ? await dc.continueDialog() : { status: DialogTurnStatus.empty };
    if (result.status === DialogTurnStatus.empty && !dc.activeDialog) {
      await dc.beginDialog(MAIN_DIALOG, startOptions);
    }
  }
}
