import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { MAIN_DIALOG, type MainDialog, type MainOptions } from '../dialogs/mainDialog.js';
import type { DialogServices } from '../dialogs/services.js';
import { isSharedTeamsConversation, moveToPersonalChat, stripBotMention } from '../dialogs/teams.js';

/** Routes every turn into the main dialog and saves the conversation's state afterwards. */
export class PasswordHelpBot extends ActivityHandler {
  private readonly dialogs: DialogSet;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly mainDialog: MainDialog,
    services: DialogServices,
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

    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter(
        (member) => member.id !== context.activity.recipient?.id,
      );
      // In a Teams team or group chat a greeting to everyone would be noise.
      if (newcomers.length > 0 && !isSharedTeamsConversation(context)) await this.runDialog(context, { greet: true });
      await next();
    });
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
