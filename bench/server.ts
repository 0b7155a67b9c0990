// The bot as `npm start` runs it, plus three routes the benchmark needs: an echo bot on the same
// CloudAdapter, the newest reset link per address (mail kept in memory), and process statistics.
import { ActivityHandler } from 'botbuilder';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Request, Response } from 'restify';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { EmailMessage, EmailSender } from '../src/messaging/email.js';
import { createLogger } from '../src/security/logger.js';

class MemoryMail implements EmailSender {
  readonly latestLink = new Map<string, string>();
  async send(message: EmailMessage): Promise<void> {
    const link = /\/reset\?token=[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
    if (link) this.latestLink.set(message.to, link);
  }
}

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`Echo: ${context.activity.text}`);
      await next();
    });
  }
}

const config = loadConfig({ ...process.env, SEED_DEMO_ACCOUNTS: 'false', LOG_LEVEL: 'warn' });
config.port = 0;
// The benchmark repeats resets for the same accounts far beyond the production limits.
config.limits = {
  ...config.limits,
  perIdentifierHour: 1e9,
  perIdentifierDay: 1e9,
  perAccountHour: 1e9,
  perAccountDay: 1e9,
  perConversationHour: 1e9,
};
const mail = new MemoryMail();
const app = await createApp(config, {
  logger: createLogger('warn', (line) => process.stderr.write(line + '\n')),
  emailSender: mail,
});
const echo = new EchoBot();
const lag = monitorEventLoopDelay({ resolution: 10 });

app.server.post('/bench/echo', async (req: Request, res: Response) => {
  await app.adapter.process(req, res, (context) => echo.run(context));
});
app.server.get('/bench/link', (req: Request, res: Response, next) => {
  res.send(200, { link: mail.latestLink.get(String((req.query as Record<string, string>).to)) ?? null });
  next();
});
app.server.post('/bench/lag', (req: Request, res: Response, next) => {
  const action = (req.query as Record<string, string>).action;
  if (action === 'start') {
    lag.reset();
    lag.enable();
  } else lag.disable();
  res.send(200, { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6, rssMb: process.memoryUsage().rss / 2 ** 20 });
  next();
});
app.server.get('/bench/stats', (_req: Request, res: Response, next) => {
  // After a full collection, so the reading is what the process keeps, not garbage not yet swept.
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  res.send(200, { rssMb: memory.rss / 2 ** 20, heapUsedMb: memory.heapUsed / 2 ** 20 });
  next();
});

const url = await app.listen();
// performance.now() counts from the start of the process: this is the whole start-up.
process.stdout.write(
  JSON.stringify({ url, startupMs: performance.now(), rssMb: process.memoryUsage().rss / 2 ** 20 }) + '\n',
);
