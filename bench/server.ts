// The bot as `npm start` runs it, plus three routes the benchmark needs: an echo bot on the same
// CloudAdapter, the newest reset link per address (mail kept in memory), and process statistics.
import { ActivityHandler } from 'botbuilder';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Request, Response } from 'restify';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { EmailMessage, EmailSender } from '../src/messaging/email.js';
import { createLogger } from '../src/security/logger.js';
import { MAX_ACTIVITY_BYTES } from '../src/web/activityShape.js';
import { acceptBody } from '../src/web/requestBody.js';

/** Keeps the newest reset link per address; a reader can wait for one newer than what it has. */
class MemoryMail implements EmailSender {
  private readonly latestLink = new Map<string, string>();
  private readonly waiting = new Map<string, Array<() => void>>();

  async send(message: EmailMessage): Promise<void> {
    const link = /\/reset\?token=[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
    if (!link) return;
    this.latestLink.set(message.to, link);
    for (const wake of this.waiting.get(message.to) ?? []) wake();
    this.waiting.delete(message.to);
  }

  /** The newest link other than `previous`, waiting up to `timeoutMs` for it. */
  async next(to: string, previous: string | undefined, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const link = this.latestLink.get(to);
      if (link && link !== previous) return link;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiting.set(to, [...(this.waiting.get(to) ?? []), () => (clearTimeout(timer), resolve())]);
      });
    }
    return null;
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
let cpuAtStart = process.cpuUsage();
let wallAtStart = performance.now();

app.server.post('/bench/echo', acceptBody('json', MAX_ACTIVITY_BYTES), async (req: Request, res: Response) => {
  await app.adapter.process(req, res, (context) => echo.run(context));
});
app.server.get('/bench/link', async (req: Request, res: Response) => {
  const query = req.query as Record<string, string>;
  res.send(200, { link: await mail.next(String(query.to), query.after || undefined, 10_000) });
});
app.server.post('/bench/lag', (req: Request, res: Response, next) => {
  const action = (req.query as Record<string, string>).action;
  if (action === 'start') {
    lag.reset();
    lag.enable();
    cpuAtStart = process.cpuUsage();
    wallAtStart = performance.now();
  } else lag.disable();
  const cpu = process.cpuUsage(cpuAtStart);
  res.send(200, {
    p99Ms: lag.percentile(99) / 1e6,
    maxMs: lag.max / 1e6,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    cpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - wallAtStart),
  });
  next();
});
app.server.get('/bench/stats', (_req: Request, res: Response, next) => {
  // After a full collection, so the reading is what the process keeps, not garbage not yet swept.
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const mb = (bytes: number) => bytes / 2 ** 20;
  res.send(200, {
    rssMb: mb(memory.rss),
    heapUsedMb: mb(memory.heapUsed),
    heapTotalMb: mb(memory.heapTotal),
    externalMb: mb(memory.external),
  });
  next();
});

const url = await app.listen();
// performance.now() counts from the start of the process: this is the whole start-up.
process.stdout.write(
  JSON.stringify({ url, startupMs: performance.now(), rssMb: process.memoryUsage().rss / 2 ** 20 }) + '\n',
);
// A normal exit on SIGTERM, so V8 flags such as --cpu-prof can write their output.
process.on('SIGTERM', () => process.exit(0));
