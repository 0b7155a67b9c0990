import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { MAIN_DIALOG, type MainDialog, type MainOptions } from '../dialogs/mainDialog.js';

/** Routes every turn into the main dialog and saves the conversation's state afterwards. */
export class PasswordHelpBot extends ActivityHandler {
  private readonly dialogs: DialogSet;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly mainDialog: MainDialog,
  ) {
    super();
    const dialogState: StatePropertyAccessor<DialogState> = conversationState.createProperty('dialogState');
    this.dialogs = new DialogSet(dialogState).add(mainDialog);

    this.onMessage(async (context, next) => {
      await this.runDialog(context, { greet: mainDialog.routeOf(context) === undefined });
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter(
        (member) => member.id !== context.activity.recipient?.id,
      );
      if (newcomers.length > 0) await this.runDialog(context, { greet: true });
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
