import { expect } from 'chai';
import WebSocket from 'ws';
import { SECRET_PLACEHOLDER } from '../../src/directline/directLineServer.js';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { baseline, expectStillServing } from '../helpers/hostile.js';
import { latestResetLink, useTestApp } from '../helpers/testApp.js';

const WEBSITE_API_KEY = 'site-backend-key-0123456789abcdef';
const SUPPORT_API_KEY = 'support-desk-key-0123456789abcdef';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

type Logged = { id: string; type: string; text?: string; value?: unknown; from: { role: string } };

describe("the bot's own Direct Line endpoint, bounded", function () {
  this.timeout(30_000);
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate();
  });
  const app = useTestApp({
    accounts: [EMMA, LIAM],
    env: { WEBSITE_API_KEY, SUPPORT_API_KEY, WEBCHAT_SESSION_IDLE: '15m', WEBCHAT_SESSION_MAX: '40m' },
  });

  const dl = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${app.test.url}/v3/directline${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
    });

  async function open(session?: { email: string }): Promise<{ conversationId: string; token: string }> {
    const response = session
      ? await fetch(`${app.test.url}/api/webchat/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBSITE_API_KEY}` },
          body: JSON.stringify(session),
        })
      : await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' });
    expect(response.status).to.equal(201);
    const answer = (await response.json()) as { conversationId: string; token: string };
    expect((await dl('/conversations', answer.token, { method: 'POST' })).status).to.equal(201);
    return answer;
  }

  const post = (conversation: { conversationId: string; token: string }, activity: Record<string, unknown>) =>
    dl(`/conversations/${conversation.conversationId}/activities`, conversation.token, {
      method: 'POST',
      body: JSON.stringify({ from: { id: 'visitor' }, locale: 'en-US', ...activity }),
    });

  async function history(conversation: { conversationId: string; token: string }): Promise<Logged[]> {
    const response = await dl(`/conversations/${conversation.conversationId}/activities`, conversation.token);
    expect(response.status).to.equal(200);
    return ((await response.json()) as { activities: Logged[] }).activities;
  }

  function stream(conversation: { conversationId: string; token: string }): Promise<WebSocket | number> {
    const url = `${app.test.url.replace(/^http/, 'ws')}/v3/directline/conversations/${conversation.conversationId}/stream?t=${encodeURIComponent(conversation.token)}`;
    return new Promise((resolve) => {
      const socket = new WebSocket(url);
      sockets.push(socket);
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_req, response) => resolve(response.statusCode ?? 0));
      socket.once('error', () => resolve(0));
    });
  }

  describe('what the history keeps', () => {
    it('keeps a pasted link, a typed password and secret card fields only as a placeholder', async () => {
      const chat = await open();
      for (const text of ['reset', 'email', LIAM.email])
        expect((await post(chat, { type: 'message', text })).status).to.equal(200);
      const link = await latestResetLink(app.test, LIAM.email);
      expect((await post(chat, { type: 'message', text: link })).status).to.equal(200);
      expect((await post(chat, { type: 'message', text: NEW_PASSWORD })).status).to.equal(200);
      expect(
        (await post(chat, { type: 'message', value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).status,
      ).to.equal(200);

      expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);
      const mine = (await history(chat)).filter((activity) => activity.from.role === 'user');
      expect(mine.map((activity) => activity.text ?? null)).to.deep.equal([
        'reset',
        'email',
        LIAM.email,
        SECRET_PLACEHOLDER,
        SECRET_PLACEHOLDER,
        null,
      ]);
      expect(mine.at(-1)!.value).to.deep.equal({ password: SECRET_PLACEHOLDER, confirm: SECRET_PLACEHOLDER });
      const everything = JSON.stringify(await history(chat));
      expect(everything).not.to.contain(NEW_PASSWORD);
      expect(everything).not.to.contain(new URL(link).searchParams.get('token'));
    });

    it('refuses a value over 16 KB or nested over 32 levels, and the history and the stream still work', async () => {
      const before = await baseline();
      const chat = await open();
      let deep: unknown = 'x';
      for (let level = 0; level < 40; level++) deep = { deep };
      expect((await post(chat, { type: 'event', name: 'x', value: deep })).status).to.equal(400);
      expect((await post(chat, { type: 'message', value: { note: 'x'.repeat(17_000) } })).status).to.equal(400);
      expect((await post(chat, { type: 'message', text: 'x'.repeat(10_001) })).status).to.equal(400);
      expect(await history(chat)).to.have.length.greaterThan(0);
      expect(await stream(chat)).to.be.instanceOf(WebSocket);
      await expectStillServing(app.test, before);
    });
  });

  describe('what one client may use', () => {
    it('takes 30 activities a minute from one conversation, then answers 429 with when to retry', async () => {
      const chat = await open();
      for (let i = 0; i < 30; i++) expect((await post(chat, { type: 'typing' })).status).to.equal(200);
      const refused = await post(chat, { type: 'message', text: 'reset' });
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
      const other = await open();
      expect((await post(other, { type: 'typing' })).status).to.equal(200);
    });

    it('opens at most three sockets for one conversation', async () => {
      const chat = await open();
      for (let i = 0; i < 3; i++) expect(await stream(chat)).to.be.instanceOf(WebSocket);
      expect(await stream(chat)).to.equal(429);
      expect(await stream(await open())).to.be.instanceOf(WebSocket);
    });

    it('hands out stream URLs on the public address, whatever Host the request names, and no-store', async () => {
      const token = await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' });
      expect(token.headers.get('cache-control')).to.equal('no-store');
      const { token: value } = (await token.json()) as { token: string };
      const started = await dl('/conversations', value, { method: 'POST', headers: { host: 'evil.example' } });
      expect(started.headers.get('cache-control')).to.equal('no-store');
      const { streamUrl } = (await started.json()) as { streamUrl: string };
      expect(streamUrl.startsWith(`${app.test.config.publicBaseUrl.replace(/^http/, 'ws')}/v3/directline/`)).to.equal(
        true,
      );
      expect(streamUrl).not.to.contain('evil');
      const refreshed = await dl('/tokens/refresh', value, { method: 'POST' });
      expect(refreshed.headers.get('cache-control')).to.equal('no-store');
    });
  });

  describe('signed-in sessions', () => {
    it('end after the idle lifetime, and a token never reaches past it', async () => {
      const chat = await open({ email: EMMA.email });
      const refresh = async (token: string) =>
        (await (await dl('/tokens/refresh', token, { method: 'POST' })).json()) as {
          expires_in: number;
          token: string;
        };
      expect((await refresh(chat.token)).expires_in).to.equal(15 * 60);
      app.advanceClock(5 * 60_000);
      expect((await post(chat, { type: 'message', text: 'menu' })).status).to.equal(200);
      const renewed = await refresh(chat.token);
      expect(renewed.expires_in).to.equal(15 * 60, 'the idle clock started again at the message');
      app.advanceClock(14 * 60_000);
      const late = await refresh(renewed.token);
      expect(late.expires_in).to.equal(
        60,
        'a refresh is no activity: the session still ends 15 minutes after the message',
      );
      app.advanceClock(2 * 60_000);
      expect((await dl('/tokens/refresh', late.token, { method: 'POST' })).status).to.equal(403);
      expect((await dl(`/conversations/${chat.conversationId}/activities`, late.token)).status).to.equal(403);
    });

    it('end at the absolute lifetime however active the person is', async () => {
      const chat = await open({ email: EMMA.email });
      let { token } = chat;
      for (let minute = 4; minute <= 36; minute += 4) {
        app.advanceClock(4 * 60_000);
        expect((await post({ ...chat, token }, { type: 'message', text: 'menu' })).status).to.equal(200);
        token = ((await (await dl('/tokens/refresh', token, { method: 'POST' })).json()) as { token: string }).token;
      }
      app.advanceClock(4 * 60_000 + 1000);
      expect((await post({ ...chat, token }, { type: 'message', text: 'menu' })).status).to.equal(403);
    });

    it('end when the site revokes them, and their sockets close at once', async () => {
      const chat = await open({ email: EMMA.email });
      const socket = (await stream(chat)) as WebSocket;
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      const revoke = () =>
        fetch(`${app.test.url}/api/webchat/session/${chat.conversationId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${WEBSITE_API_KEY}` },
        });
      expect((await revoke()).status).to.equal(204);
      expect(await closed).to.equal(4001);
      // The audit trail names the conversation as it is, to follow it, though its id looks like a token.
      const audited = (await app.test.app.audit.readAll()) as Array<{
        event: string;
        detail?: Record<string, unknown>;
      }>;
      expect(audited.find((entry) => entry.event === 'webchat.session_revoked')?.detail).to.deep.equal({
        conversationId: chat.conversationId,
      });
      expect((await post(chat, { type: 'message', text: 'change-password' })).status).to.equal(403);
      expect((await dl('/tokens/refresh', chat.token, { method: 'POST' })).status).to.equal(403);
      const anonymous = await open();
      const refused = await fetch(`${app.test.url}/api/webchat/session/${anonymous.conversationId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${WEBSITE_API_KEY}` },
      });
      expect(refused.status).to.equal(404);
      expect((await post(anonymous, { type: 'message', text: 'menu' })).status).to.equal(200);
    });
  });

  describe('limits that fit who is calling', () => {
    it('keeps the site backend and support working while anonymous traffic from their address is locked out', async () => {
      for (let i = 0; i < 20; i++)
        expect((await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' })).status).to.equal(201);
      expect((await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' })).status).to.equal(429);

      expect((await open({ email: EMMA.email })).conversationId).to.match(/^wc-/);
      const support = await fetch(`${app.test.url}/api/support/escalations/E-none`, {
        headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
      });
      expect(support.status).to.equal(404);
      // The reset page is a family of its own.
      expect((await fetch(`${app.test.url}/reset?token=x`)).status).to.equal(404);
    });

    it('counts a wrong key against the address, so keys cannot be guessed', async () => {
      const attempt = () =>
        fetch(`${app.test.url}/api/support/escalations/E-none`, { headers: { authorization: 'Bearer guess' } });
      for (let i = 0; i < 20; i++) expect((await attempt()).status).to.equal(401);
      expect((await attempt()).status).to.equal(429);
      const rightKey = await fetch(`${app.test.url}/api/support/escalations/E-none`, {
        headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
      });
      expect(rightKey.status).to.equal(404);
    });

    it('ignores X-Forwarded-For when no proxy is trusted', async () => {
      for (let i = 0; i < 20; i++)
        await fetch(`${app.test.url}/api/webchat/token`, {
          method: 'POST',
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
        });
      const next = await fetch(`${app.test.url}/api/webchat/token`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      expect(next.status).to.equal(429);
    });
  });
});

describe('client addresses behind a trusted proxy (end to end)', () => {
  const app = useTestApp({ env: { TRUST_PROXY: '1' } });
  const token = (forwardedFor: string) =>
    fetch(`${app.test.url}/api/webchat/token`, { method: 'POST', headers: { 'x-forwarded-for': forwardedFor } });

  it('limits the address the proxy saw, and an IPv6 client by its /64', async () => {
    for (let i = 0; i < 20; i++)
      expect((await token(`spoofed-by-client, 2001:db8:1:2::${i + 1}`)).status).to.equal(201);
    expect((await token('2001:db8:1:2:ffff::1')).status).to.equal(429);
    expect((await token('2001:db8:1:3::1')).status).to.equal(201);
    expect((await token('192.0.2.10')).status).to.equal(201);
  });
});
