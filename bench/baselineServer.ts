// What the benchmark's two baselines (bench/echoBot.ts, bench/sdkFloorBot.ts) share, and nothing of
// the bot's: a CloudAdapter with no app id and password (the Emulator's mode, as the bot runs in the
// benchmark) behind restify with its body parser, as in the SDK's samples, on a free port of the
// loopback address, which it prints as one JSON line once it listens.
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import restify from 'restify';

export function serveBaseline(logic: (context: TurnContext) => Promise<void>): void {
  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions),
  );
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, logic);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }) + '\n');
  });
  process.on('SIGTERM', () => process.exit(0));
}
