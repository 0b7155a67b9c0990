import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import type { AccountImportRecord } from '../../src/recovery/accounts.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { EmailSender, OutboxEmail } from '../../src/messaging/email.js';
import type { OutboxSms } from '../../src/messaging/sms.js';
import { createLogger } from '../../src/security/logger.js';
import { storedText, testBackend } from './backend.js';
import { makeTempDir } from './tempDir.js';

export interface TestApp {
  app: App;
  url: string;
  config: Config;
  dataDir: string;
  /** Every log line the app wrote. */
  logs: string[];
  conversation(id?: string, locale?: string, channelId?: string): ChatDriver;
  emails(): Promise<OutboxEmail[]>;
  texts(): Promise<OutboxSms[]>;
  /** Reads every file under the data directory, for "no secret on disk" checks. */
  allDataText(): Promise<string>;
  stop(): Promise<void>;
  /** Stops the server and removes the data directory. */
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  emailSender?: EmailSender;
  now?: () => Date;
  configure?: (config: Config) => void;
  /** Replaces the SMS sender or the channel credentials (see AppOptions). */
  app?: Pick<AppOptions, 'smsSender' | 'channelCredentials'>;
}

let conversationCounter = 0;

/** The real server with the real CloudAdapter, on a free port with its own data directory. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const temp = options.dataDir ? undefined : makeTempDir();
  const dataDir = options.dataDir ?? temp!.dir;
  // A port known before the start, so that the public address (in links and stream URLs) is the real one.
  const port = await freePort();
  const backend = await testBackend(dataDir);
  const config = loadConfig({
    DATA_DIR: dataDir,
    SEED_DEMO_ACCOUNTS: 'false',
    LOG_LEVEL: 'debug',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://localhost:${port}`,
    ...backend.env,
    ...options.env,
  });
  options.configure?.(config);
  const logs: string[] = [];
  const app = await createApp(config, {
    logger: createLogger('debug', (line) => logs.push(line)),
    ...(options.emailSender ? { emailSender: options.emailSender } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...options.app,
  });
  const url = await app.listen();
  const stop = () => app.close();
  return {
    app,
    url,
    config,
    dataDir,
    logs,
    conversation: (id = `conv-${++conversationCounter}-${Date.now()}`, locale = 'en-US', channelId = 'emulator') =>
      new ChatDriver(url, id, locale, channelId, app),
    emails: () => readJsonLines<OutboxEmail>(path.join(dataDir, 'outbox', 'email.jsonl')),
    texts: () => readJsonLines<OutboxSms>(path.join(dataDir, 'outbox', 'sms.jsonl')),
    allDataText: async () => (await readTree(dataDir)) + (await storedText(config.databaseUrl)),
    stop,
    close: async () => {
      await stop();
      if (temp) await backend.remove();
      temp?.remove();
    },
  };
}

/** A port nothing listens on right now, as the system hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The serviceUrl every test activity names (nothing listens there: replies come back in the response). */
export const TEST_SERVICE_URL = 'http://127.0.0.1:9/unused';

/** Talks to POST /api/messages like a channel, with replies in the response (expectReplies). */
export class ChatDriver {
  /** Who sends the messages. */
  from: Record<string, unknown> = { id: 'user-1', name: 'Test person' };
  /** The channel's Bearer token for each request; none for the Emulator. */
  token: (() => string) | undefined;
  /** Where the channel takes replies outside the response (proactive messages). */
  serviceUrl = TEST_SERVICE_URL;
  /** Extra fields of every activity (a Teams conversation type, a tenant). */
  extra: Record<string, unknown> = {};

  constructor(
    readonly baseUrl: string,
    readonly conversationId: string,
    public locale: string,
    readonly channelId: string,
    private readonly app: App,
  ) {}

  /** Sends a message (text, or a card submit value) and returns the bot's replies. */
  async send(input: string | { value: unknown; text?: string }): Promise<Partial<Activity>[]> {
    const message = typeof input === 'string' ? { text: input } : input;
    return this.post({ type: 'message', ...message });
  }

  /** The channel's conversationUpdate when the person opens the chat. */
  async open(): Promise<Partial<Activity>[]> {
    return this.post({ type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }, { id: 'bot' }] });
  }

  /** Sends and returns the reply texts joined, the usual thing a test reads. */
  async say(input: string | { value: unknown; text?: string }): Promise<string> {
    return replyText(await this.send(input));
  }

  idle(): Promise<void> {
    return this.app.idle();
  }

  async post(activity: Record<string, unknown>): Promise<Partial<Activity>[]> {
    return (await this.postRaw(activity)).filter((a) => a.type === 'message');
  }

  /** Every activity the bot answered with, typing indicators included. */
  async postRaw(activity: Record<string, unknown>): Promise<Partial<Activity>[]> {
    const response = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token()}` } : {}),
      },
      body: JSON.stringify({
        id: `act-${randomUUID()}`,
        channelId: this.channelId,
        serviceUrl: this.serviceUrl,
        deliveryMode: 'expectReplies',
        conversation: { id: this.conversationId },
        from: this.from,
        recipient: { id: 'bot', name: 'Bot' },
        locale: this.locale,
        timestamp: new Date().toISOString(),
        ...this.extra,
        ...activity,
      }),
    });
    if (response.status !== 200)
      throw new Error(`POST /api/messages answered ${response.status}: ${await response.text()}`);
    // Without expectReplies the replies go to serviceUrl and the response is empty.
    const text = await response.text();
    const body = (text ? JSON.parse(text) : {}) as { activities?: Partial<Activity>[] };
    return body.activities ?? [];
  }
}

export function replyText(activities: Partial<Activity>[]): string {
  return activities
    .map((a) => a.text ?? '')
    .filter(Boolean)
    .join('\n');
}

export function buttonTitles(activities: Partial<Activity>[]): string[] {
  return activities.flatMap((a) => a.suggestedActions?.actions.map((action) => action.title ?? '') ?? []);
}

export function hasPasswordCard(activities: Partial<Activity>[]): boolean {
  return activities.some((a) =>
    a.attachments?.some((attachment) => JSON.stringify(attachment.content ?? {}).includes('"style":"Password"')),
  );
}

/** The code in the newest text message to a number (E.164). */
export async function latestCode(test: TestApp, to: string): Promise<string> {
  await test.app.idle();
  const message = (await test.texts()).filter((sms) => sms.to === to).at(-1);
  const code = message && /\b(\d{6})\b/.exec(message.body)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

/** The reset link in the newest email to an address. */
export async function latestResetLink(test: TestApp, to: string): Promise<string> {
  await test.app.idle();
  const mail = (await test.emails()).filter((email) => email.to === to).at(-1);
  if (!mail) throw new Error(`no email to ${to}`);
  const link = /https?:\/\/\S+\/reset\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no reset link in the email to ${to}`);
  return link;
}

export async function readJsonLines<T>(file: string): Promise<T[]> {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as T);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readTree(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      parts.push(await readFile(path.join(entry.parentPath ?? (entry as { path: string }).path, entry.name), 'utf8'));
  }
  return parts.join('\n');
}

export const TEST_START = new Date('2026-11-25T10:00:00Z');

/**
 * A fresh app for every test of the surrounding `describe`, with a clock the test can move and
 * the given accounts imported; closed after each test.
 */
export function useTestApp(
  options: { accounts?: AccountImportRecord[]; env?: Record<string, string>; app?: StartOptions['app'] } = {},
): {
  readonly test: TestApp;
  advanceClock(ms: number): void;
} {
  let current: TestApp | undefined;
  let clock = TEST_START;
  beforeEach(async () => {
    clock = TEST_START;
    current = await startTestApp({
      now: () => clock,
      ...(options.env ? { env: options.env } : {}),
      ...(options.app ? { app: options.app } : {}),
    });
    const report = await current.app.accounts.importAccounts(options.accounts ?? []);
    if (report.problems.length > 0) throw new Error(report.problems.join('; '));
  });
  afterEach(() => current?.close());
  return {
    get test() {
      if (!current) throw new Error('useTestApp: no app outside a test');
      return current;
    },
    advanceClock: (ms) => {
      clock = new Date(clock.getTime() + ms);
    },
  };
}
