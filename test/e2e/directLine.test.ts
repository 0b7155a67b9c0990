import { expect } from 'chai';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import WebSocketClient from 'ws';
import type * as DirectLineModule from 'botframework-directlinejs';
import type { Activity, DirectLine as DirectLineClient } from 'botframework-directlinejs';
import { DirectLineTokens } from '../../src/directline/tokens.js';
import { keyedHash } from '../../src/recovery/secrets.js';
import { SmsDeliveryError } from '../../src/messaging/sms.js';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { latestResetLink, TEST_START, useTestApp } from '../helpers/testApp.js';

// The official client runs in Node with an XMLHttpRequest; polling, as Web Chat can.
const require = createRequire(import.meta.url);
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
// Node 20 has no WebSocket global: the `ws` package stands in for the browser's.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocketClient;
const { DirectLine } = require('botframework-directlinejs') as typeof DirectLineModule;

const CARD_HMAC_KEY = 'direct-line-test-key-0123456789abcdef0123';
const WEBSITE_API_KEY = 'site-backend-key-0123456789abcdef';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

/** A Direct Line client on the bot's own endpoint, with everything it received. */
class Client {
  readonly received: Activity[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly subscription: { unsubscribe(): void };

  constructor(readonly line: DirectLineClient) {
    this.subscription = line.activity$.subscribe((activity) => {
      this.received.push(activity);
      for (const wake of this.waiters) wake();
    });
  }

  /** Posts like Web Chat and resolves with the activity id the endpoint gave. */
  post(activity: Partial<Activity>): Promise<string> {
    return new Promise((resolve, reject) =>
      this.line
        .postActivity({ from: { id: 'visitor-1' }, locale: 'en-US', ...activity } as Activity)
        .subscribe({ next: resolve, error: reject }),
    );
  }

  /** The first bot message from now on whose text contains `text` (or any, for ''). */
  async botSays(text: string, after = this.received.length, timeoutMs = 10_000): Promise<Activity> {
    const found = () =>
      this.received
        .slice(after)
        .find((a) => a.type === 'message' && a.from.role === 'bot' && (a.text ?? '').includes(text));
    const deadline = Date.now() + timeoutMs;
    while (!found()) {
      if (Date.now() > deadline)
        throw new Error(`the bot did not say "${text}"; it said: ${this.botTexts(after).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
    return found()!;
  }

  /** The first activity from now on that matches. */
  async waitFor(match: (activity: Activity) => boolean, after: number, timeoutMs = 10_000): Promise<Activity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(after).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching activity arrived');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends a message and waits for the bot's answer containing `text`. */
  async say(message: string | { value: unknown }, text: string): Promise<Activity> {
    const after = this.received.length;
    await this.post(
      typeof message === 'string'
        ? { type: 'message', text: message }
        : ({ type: 'message', ...message } as Partial<Activity>),
    );
    return this.botSays(text, after);
  }

  botTexts(after = 0): string[] {
    return this.received
      .slice(after)
      .flatMap((a) => (a.type === 'message' && a.from.role === 'bot' ? [a.text ?? ''] : []));
  }

  end(): void {
    this.subscription.unsubscribe();
    this.line.end();
  }
}

describe("Direct Line on the bot's own endpoint (botframework-directlinejs)", function () {
  this.timeout(30_000);
  let failTexts = false;
  // Registered before the app's own hooks, so the clients stop polling before the server closes.
  const clients: Client[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.end();
    failTexts = false;
  });
  const app = useTestApp({
    accounts: [{ ...EMMA, profiles: [{ name: 'Emma' }, { name: 'Kids', kids: true }] }, LIAM],
    env: { CARD_HMAC_KEY, WEBSITE_API_KEY },
    app: {
      smsSender: {
        // No test here reads a text that went out; one test needs a text that cannot.
        send: async () => {
          if (failTexts) throw new SmsDeliveryError('notMobile', 21614, 400);
          return { id: 'SM1' };
        },
      },
    },
  });
  const directLineDomain = () => `${app.test.url}/v3/directline`;

  async function anonymousToken(): Promise<{ conversationId: string; token: string; expires_in: number }> {
    const response = await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' });
    expect(response.status).to.equal(201);
    return (await response.json()) as { conversationId: string; token: string; expires_in: number };
  }

  function connect(token: string, webSocket = false): Client {
    const client = new Client(new DirectLine({ token, domain: directLineDomain(), webSocket, pollingInterval: 200 }));
    clients.push(client);
    return client;
  }

  async function raw(path: string, token: string | undefined, init: RequestInit = {}) {
    return fetch(`${directLineDomain()}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...init.headers,
      },
    });
  }

  it('starts with a greeting, echoes what the person sends, and answers in order', async () => {
    const client = connect((await anonymousToken()).token);
    await client.botSays("Hi! I'm the StreamFlix password help bot");
    const id = await client.post({
      type: 'message',
      text: 'reset',
      channelData: { clientActivityID: 'c-1' },
    } as Partial<Activity>);
    await client.botSays('How would you like to reset your password?');
    const echo = client.received.find((a) => a.id === id)!;
    expect(echo.from.role).to.equal('user');
    expect((echo.channelData as { clientActivityID?: string }).clientActivityID).to.equal('c-1');
    expect(client.received.some((a) => a.type === 'typing')).to.equal(true, 'typing indicators reach the client');
  });

  it('streams over a WebSocket: the greeting and the answers arrive without polling', async () => {
    const client = connect((await anonymousToken()).token, true);
    await client.botSays("Hi! I'm the StreamFlix password help bot");
    await client.say('reset', 'How would you like to reset your password?');
    await client.say('email', 'What is the email address');
  });

  it('refuses a stream for another conversation or without a valid token', async () => {
    const mine = await anonymousToken();
    const other = await anonymousToken();
    const attempt = (conversationId: string, token: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocketClient(
          `${app.test.url.replace('http', 'ws')}/v3/directline/conversations/${conversationId}/stream?t=${token}`,
        );
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    expect(await attempt(mine.conversationId, mine.token)).to.equal(101);
    expect(await attempt(mine.conversationId, other.token)).to.equal(401);
    expect(await attempt(mine.conversationId, 'forged.token')).to.equal(401);
  });

  it('reads from a watermark, refreshes the token, and refuses other conversations and expired tokens', async () => {
    const first = await anonymousToken();
    const start = await raw('/conversations', first.token, { method: 'POST' });
    expect(start.status).to.equal(201);
    const read = async (token: string, watermark?: string) => {
      const response = await raw(
        `/conversations/${first.conversationId}/activities${watermark ? `?watermark=${watermark}` : ''}`,
        token,
      );
      return {
        status: response.status,
        body: (await response.json()) as { activities: Activity[]; watermark: string },
      };
    };
    const all = await read(first.token);
    expect(all.body.activities.map((a) => (a as { text?: string }).text).join(' ')).to.contain('password help bot');
    expect((await read(first.token, all.body.watermark)).body.activities).to.deep.equal([]);

    const refreshed = await raw('/tokens/refresh', first.token, { method: 'POST' });
    const renewed = (await refreshed.json()) as { conversationId: string; token: string };
    expect(renewed.conversationId).to.equal(first.conversationId);
    expect(renewed.token).to.not.equal(first.token);
    expect((await read(renewed.token, all.body.watermark)).status).to.equal(200);

    const other = await anonymousToken();
    expect((await read(other.token)).status).to.equal(403);
    const posted = await raw(`/conversations/${first.conversationId}/activities`, other.token, {
      method: 'POST',
      body: JSON.stringify({ type: 'message', text: 'hello', from: { id: 'x' } }),
    });
    expect(posted.status).to.equal(403);

    const key = keyedHash(CARD_HMAC_KEY, 'directline', 'token-key');
    // Issued 31 minutes before the bot's clock (the test's) says it is now.
    const expired = new DirectLineTokens(key, () => new Date(TEST_START.getTime() - 31 * 60_000)).issue(
      first.conversationId,
    ).token;
    const expiredRead = await read(expired);
    expect(expiredRead.status).to.equal(403);
    expect(JSON.stringify(expiredRead.body)).to.contain('TokenExpired');
    const forged = `${first.token.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await read(forged)).status).to.equal(401);
    expect((await read('')).status).to.equal(401);
  });

  for (const [label, body, status] of [
    ['an array', '[]', 400],
    ['a number as text', '{"type":"message","text":5}', 400],
    ['an unknown type', '{"type":"invoke","name":"x"}', 400],
    ['broken JSON', '{"type":', 400],
    ['an attachment', '{"type":"message","attachments":[{"contentType":"image/png","contentUrl":"x"}]}', 415],
  ] as const) {
    it(`answers ${label} with ${status} and nothing processed`, async () => {
      const { conversationId, token } = await anonymousToken();
      const response = await raw(`/conversations/${conversationId}/activities`, token, { method: 'POST', body });
      expect(response.status).to.equal(status);
      const read = await raw(`/conversations/${conversationId}/activities`, token);
      expect(((await read.json()) as { activities: unknown[] }).activities).to.deep.equal([]);
    });
  }

  it('completes a reset by email, with the password card submitted as a value (Dutch)', async () => {
    const client = connect((await anonymousToken()).token);
    await client.botSays('');
    const post = (activity: Partial<Activity>) => client.post({ locale: 'nl-NL', ...activity });
    await post({ type: 'message', text: 'wachtwoord vergeten' });
    await client.botSays('Hoe wil je je wachtwoord herstellen?');
    let after = client.received.length;
    await post({ type: 'message', text: 'e-mail' });
    await client.botSays('e-mailadres', after);
    after = client.received.length;
    await post({ type: 'message', text: LIAM.email });
    await client.botSays('onderweg', after);
    await app.test.app.idle();
    after = client.received.length;
    await post({ type: 'message', text: await latestResetLink(app.test, LIAM.email) });
    const card = await client.waitFor((a) => JSON.stringify(a).includes('"style":"Password"'), after);
    after = client.received.length;
    await post({ type: 'message', value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } });
    await client.botSays('Je wachtwoord is gewijzigd', after);
    expect(card).to.not.equal(undefined);
    expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);
  });

  describe('signed-in sessions', () => {
    async function session(body: unknown, key: string | null = WEBSITE_API_KEY) {
      const response = await fetch(`${app.test.url}/api/webchat/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { token?: string; conversationId?: string } };
    }

    it('refuses a missing or wrong key, and bad bodies, opening nothing', async () => {
      expect((await session({ email: EMMA.email }, null)).status).to.equal(401);
      expect((await session({ email: EMMA.email }, 'wrong-key-0123456789abcdef0000')).status).to.equal(401);
      expect((await session({ mail: EMMA.email })).status).to.equal(400);
      expect((await session({ email: EMMA.email, profile: 'Nobody' })).status).to.equal(400);
      expect((await session({ email: 'nobody@example.com' })).status).to.equal(404);
    });

    it('lets the signed-in person change the password in the chat', async () => {
      const opened = await session({ email: EMMA.email });
      expect(opened.status).to.equal(201);
      const client = connect(opened.body.token!);
      await client.botSays('');
      const after = client.received.length;
      await client.post({ type: 'message', text: 'change-password' });
      await client.waitFor((a) => JSON.stringify(a).includes('"id":"currentPassword"'), after);
      await client.say({ value: { currentPassword: EMMA.password } }, "Thanks, that's right.");
      await client.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } }, 'Your password has been changed');
      expect(await app.test.app.accounts.checkPassword(EMMA.email, NEW_PASSWORD)).to.equal(true);
    });

    it('applies the Kids profile rule, and keeps anonymous visitors out', async () => {
      const kids = connect((await session({ email: EMMA.email, profile: 'Kids' })).body.token!);
      await kids.botSays('');
      await kids.say('change-password', "You're using a Kids profile");
      const visitor = connect((await anonymousToken()).token);
      await visitor.botSays('');
      // Naming an account in the activity does nothing: only the session counts.
      await visitor.say('change-password', "For that you need to be signed in, and this chat isn't.");
    });

    it('delivers a proactive message to the right client: a text that could not be sent', async () => {
      failTexts = true;
      const client = connect((await session({ email: EMMA.email })).body.token!);
      const bystander = connect((await anonymousToken()).token);
      await client.botSays('');
      await bystander.botSays('');
      await client.say('phone', 'type your current password');
      await client.say({ value: { currentPassword: EMMA.password } }, 'What would you like to do?');
      await client.say('new', 'Type the new mobile number');
      await client.say('06 11223321', "I've sent a 6-digit code");
      await client.botSays("I couldn't send a text message to the number ending in 21");
      expect(bystander.botTexts().join(' ')).to.not.contain("couldn't send");
    });
  });
});

describe('web chat with Azure Direct Line (DIRECTLINE_SECRET)', function () {
  this.timeout(20_000);
  const SECRET = 'azure-direct-line-secret-value';
  let standIn: http.Server;
  let standInUrl = '';
  const seen: Array<string | undefined> = [];
  before(async () => {
    standIn = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      if (
        req.method === 'POST' &&
        req.url === '/v3/directline/tokens/generate' &&
        req.headers.authorization === `Bearer ${SECRET}`
      ) {
        res.end(JSON.stringify({ conversationId: 'azure-conv-1', token: 'azure-token-1', expires_in: 3600 }));
        return;
      }
      res.statusCode = 403;
      res.end('{}');
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/v3/directline`;
  });
  after(() => new Promise<void>((resolve) => standIn.close(() => resolve())));
  const app = useTestApp({
    get env() {
      return { DIRECTLINE_SECRET: SECRET, DIRECTLINE_DOMAIN: standInUrl };
    },
  });

  it("exchanges the secret on the server and gives the page only a token and Azure's domain", async () => {
    const response = await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' });
    expect(response.status).to.equal(201);
    const body = await response.text();
    expect(JSON.parse(body)).to.deep.equal({
      conversationId: 'azure-conv-1',
      token: 'azure-token-1',
      expires_in: 3600,
      domain: standInUrl,
    });
    expect(seen.at(-1)).to.equal(`Bearer ${SECRET}`);
    const page = await (await fetch(`${app.test.url}/`)).text();
    expect(body + page).to.not.contain(SECRET);
  });
});

describe('Direct Line from a site on another origin', () => {
  const app = useTestApp({});

  it('answers the preflight and marks every answer as readable cross-origin (Bearer tokens, no cookies)', async () => {
    const preflight = await fetch(`${app.test.url}/v3/directline/conversations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://www.streamflix.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-ms-bot-agent',
      },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal('*');
    expect(preflight.headers.get('access-control-allow-headers')).to.contain('x-ms-bot-agent');
    const refused = await fetch(`${app.test.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { origin: 'https://www.streamflix.example' },
    });
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('access-control-allow-origin')).to.equal('*');
  });
});
