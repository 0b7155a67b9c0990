import { MemoryStorage, type Activity, type ConversationState, type Middleware } from 'botbuilder';
import { TurnConversationState } from '../../src/conversationState.js';
import { AuthenticationConstants, ClaimsIdentity } from 'botframework-connector';
import type { Dialog } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import path from 'node:path';
import type { DialogServices } from '../../dialogs/services.js';
import { lendStruggle, type Struggle } from '../../dialogs/struggle.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/security/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { readJsonLines } from './testApp.js';
import { makeTempDir } from './tempDir.js';
import { testBackend, type TestBackend } from './backend.js';
import type { OutboxEmail } from '../../src/messaging/email.js';
import type { OutboxSms } from '../../src/messaging/sms.js';

export interface HarnessOptions {
  locale?: string;
  channelId?: string;
  initialOptions?: unknown;
  now?: () => Date;
  /**
   * Sends every message from this Teams user, as if the Bot Connector had signed it: what the
   * adapter records after checking a real channel token (the end-to-end tests use real tokens).
   */
  teamsUser?: string;
}

function authenticatedAsChannel(): Middleware {
  return {
    onTurn: async (context, next) => {
      context.turnState.set(
        context.adapter.BotIdentityKey,
        new ClaimsIdentity(
          [{ type: AuthenticationConstants.IssuerClaim, value: AuthenticationConstants.ToBotFromChannelTokenIssuer }],
          true,
        ),
      );
      await next();
    },
  };
}

/** As the bot does: the conversation's record of what did not work, for the hand-offs. */
function lendingStruggle(conversationState: ConversationState): Middleware {
  const record = conversationState.createProperty<Struggle>('struggle');
  return {
    onTurn: async (context, next) => {
      await lendStruggle(context, record);
      await next();
    },
  };
}

/**
 * A dialog under test with botbuilder-testing, on the real domain services and a JSON store in a
 * temp directory. Each `send` returns every reply of that turn.
 */
export class DialogHarness {
  private constructor(
    readonly client: DialogTestClient,
    readonly services: Services,
    private readonly temp: ReturnType<typeof makeTempDir>,
    private readonly backend: TestBackend,
    public locale: string,
    private readonly teamsUser: string | undefined,
  ) {}

  static async create(
    makeDialog: (services: DialogServices) => Dialog,
    options: HarnessOptions = {},
  ): Promise<DialogHarness> {
    const temp = makeTempDir();
    // The store under test: the JSON files, or a fresh PostgreSQL database (TEST_BACKEND=postgres).
    const backend = await testBackend(temp.dir);
    const config = loadConfig({ DATA_DIR: temp.dir, SEED_DEMO_ACCOUNTS: 'false', ...backend.env });
    const services = await createServices(config, {
      logger: createLogger('silent'),
      ...(options.now ? { now: options.now } : {}),
    });
    const conversationState = new TurnConversationState(new MemoryStorage());
    const client = new DialogTestClient(
      options.channelId ?? 'test',
      makeDialog(services.dialogServices),
      options.initialOptions,
      [...(options.teamsUser ? [authenticatedAsChannel()] : []), lendingStruggle(conversationState)],
      conversationState,
    );
    return new DialogHarness(client, services, temp, backend, options.locale ?? 'en-US', options.teamsUser);
  }

  get dataDir(): string {
    return this.temp.dir;
  }

  /** Sends text, or a card submit `{ value }`, and returns every reply of the turn. */
  async send(input: string | Partial<Activity>): Promise<Partial<Activity>[]> {
    const message = typeof input === 'string' ? { text: input } : input;
    const replies: Partial<Activity>[] = [];
    const from = this.teamsUser
      ? { from: { id: `29:${this.teamsUser}`, name: 'Teams user', aadObjectId: this.teamsUser } }
      : {};
    let reply = await this.client.sendActivity({ type: 'message', locale: this.locale, ...from, ...message });
    while (reply) {
      if (reply.type === 'message') replies.push(reply);
      reply = this.client.getNextReply();
    }
    return replies;
  }

  async say(input: string | Partial<Activity>): Promise<string> {
    return (await this.send(input))
      .map((a) => a.text ?? '')
      .filter(Boolean)
      .join('\n');
  }

  async emails(): Promise<OutboxEmail[]> {
    await this.services.tasks.idle();
    return readJsonLines<OutboxEmail>(path.join(this.temp.dir, 'outbox', 'email.jsonl'));
  }

  /** The code in the newest text message (outbox). */
  async latestCode(): Promise<string> {
    await this.services.tasks.idle();
    const sms = (await readJsonLines<OutboxSms>(path.join(this.temp.dir, 'outbox', 'sms.jsonl'))).at(-1);
    const code = sms && /\b(\d{6})\b/.exec(sms.body)?.[1];
    if (!code) throw new Error('no code was sent');
    return code;
  }

  async close(): Promise<void> {
    await this.services.tasks.idle();
    await this.services.tasks.close();
    await this.services.store.close();
    await this.backend.remove();
    this.temp.remove();
  }
}
