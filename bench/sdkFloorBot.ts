// The SDK's floor, a second baseline beside the echo bot: what botbuilder itself costs for the
// benchmark's menu turn, with none of the bot's code. On the same CloudAdapter and restify as the
// echo bot, it keeps conversation state in memory (the SDK's MemoryStorage: no file, no database)
// and runs one waterfall dialog whose text prompt shows the bot's seven menu buttons as suggested
// actions; any message re-prompts, so "hello" on a new conversation begins the dialog and "menu"
// in an open one shows the menu again, as the bot does. The benchmark reports it for reference:
// the goals stay ratios against the echo bot.
import { readFileSync } from 'node:fs';
import { ActivityHandler, ConversationState, MemoryStorage, MessageFactory, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog } from 'botbuilder-dialogs';
import { MENU_INTENTS } from '../src/nlu/intents.js';
import { serveBaseline } from './baselineServer.js';

// The menu's question and buttons in the bot's own English words, read from its locale file: the
// menu's choice ids (a list of names, none of the bot's logic) are the keys of their labels.
const { menu } = JSON.parse(readFileSync('src/locales/en.json', 'utf8')) as { menu: Record<string, string> };

const conversationState = new ConversationState(new MemoryStorage());
const dialogs = new DialogSet(conversationState.createProperty('dialogState'));
dialogs.add(new TextPrompt('menu'));
dialogs.add(
  new WaterfallDialog('main', [
    async (step) =>
      step.prompt('menu', {
        prompt: MessageFactory.suggestedActions(
          MENU_INTENTS.map((choice) => menu[choice]!),
          menu.prompt,
        ),
      }),
    async (step) => step.replaceDialog('main'),
  ]),
);

class FloorBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const dialogContext = await dialogs.createContext(context);
      const result = await dialogContext.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dialogContext.beginDialog('main');
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await conversationState.saveChanges(context);
  }
}

const bot = new FloorBot();
serveBaseline((context) => bot.run(context));
