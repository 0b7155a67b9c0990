// The SDK's floor, a second baseline beside the echo bot: what botbuilder itself costs for the
// benchmark's menu turn, with none of the bot's code. On the same CloudAdapter and restify as the
// echo bot, it keeps conversation state in memory (the SDK's MemoryStorage: no file, no database)
// and runs one waterfall dialog whose text prompt shows the bot's seven menu buttons as suggested
// actions; any message re-prompts, so "hello" on a new conversation begins the dialog and "menu"
// in an open one shows the menu again, as the bot does. The benchmark reports it for reference:
// the goals stay ratios against the echo bot. It prints its address as one JSON line once it
// listens.
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConversationState,
  MemoryStorage,
  MessageFactory,
  type TurnContext,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog } from 'botbuilder-dialogs';
import restify from 'restify';

const MENU = [
  'Reset my password',
  'Change my password',
  'Add or change my phone number',
  'The email did not arrive',
  'The link does not work',
  'My new password is refused',
  'Talk to a person',
];

const conversationState = new ConversationState(new MemoryStorage());
const dialogs = new DialogSet(conversationState.createProperty('dialogState'));
dialogs.add(new TextPrompt('menu'));
dialogs.add(
  new WaterfallDialog('main', [
    async (step) => step.prompt('menu', { prompt: MessageFactory.suggestedActions(MENU, 'What can I help you with?') }),
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
// No app id and password: the Emulator's mode, as the bot runs in the benchmark.
const adapter = new CloudAdapter(
  new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions),
);
const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
