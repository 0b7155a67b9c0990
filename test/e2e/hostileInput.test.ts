import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { baseline, expectStillServing, rawRequest, upgradeRequest } from '../helpers/hostile.js';
import { useTestApp } from '../helpers/testApp.js';

const WEBSITE_API_KEY = 'site-backend-key-0123456789abcdef';
const SUPPORT_API_KEY = 'support-desk-key-0123456789abcdef';

/** Every route that takes a body, with the kind it takes. */
const POST_ROUTES: ReadonlyArray<[string, 'json' | 'form']> = [
  ['/api/messages', 'json'],
  ['/api/webchat/token', 'json'],
  ['/api/webchat/session', 'json'],
  ['/api/support/escalations', 'json'],
  ['/api/support/tickets/T-1/complete', 'json'],
  ['/v3/directline/conversations', 'json'],
  ['/v3/directline/tokens/refresh', 'json'],
  ['/reset', 'form'],
  ['/reset/renew', 'form'],
  ['/teams/password', 'form'],
  ['/api/twilio/status', 'form'],
];

describe('hostile input at every door (end to end)', function () {
  this.timeout(60_000);
  const app = useTestApp({ accounts: [EMMA, LIAM], env: { WEBSITE_API_KEY, SUPPORT_API_KEY } });

  describe('malformed URLs and upgrades', () => {
    it('answers a malformed upgrade with 400 and closes the socket, and keeps serving', async () => {
      const before = await baseline();
      for (const path of [
        '//',
        '/v3/directline/conversations/%E0%A4%A/stream',
        '/v3/directline/conversations/%/stream?t=x',
        '/%E0%A4%A',
      ]) {
        const answer = await rawRequest(app.test.url, upgradeRequest(path));
        expect(answer, path).to.deep.equal({ status: 400, closed: true });
      }
      expect(await rawRequest(app.test.url, upgradeRequest('/elsewhere'))).to.deep.equal({ status: 404, closed: true });
      expect(await rawRequest(app.test.url, upgradeRequest('/v3/directline/conversations/x/stream?t=%'))).to.deep.equal(
        { status: 401, closed: true },
      );
      await expectStillServing(app.test, before);
    });

    it('answers a malformed request path with 400 on every route', async () => {
      const before = await baseline();
      for (const path of ['//', '/api/support/escalations/%', '/v3/directline/conversations/%zz/activities', '*']) {
        const answer = await rawRequest(
          app.test.url,
          `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`,
        );
        expect(answer, path).to.deep.equal({ status: 400, closed: true });
      }
      await expectStillServing(app.test, before);
    });
  });

  describe('bodies', () => {
    it('refuses compressed bodies on every route before inflating a byte of them', async () => {
      const before = await baseline();
      // About 100 KB that would inflate to 100 MB.
      const bomb = gzipSync(Buffer.alloc(100 * 2 ** 20, 0x20), { level: 9 });
      expect(bomb.length).to.be.below(200 * 1024);
      for (const [path, kind] of POST_ROUTES) {
        const response = await fetch(`${app.test.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
            'content-encoding': 'gzip',
          },
          body: bomb,
        });
        expect(response.status, path).to.equal(415);
      }
      await expectStillServing(app.test, before);
    });

    it('refuses multipart uploads on every route and writes no temp file', async () => {
      const before = await baseline();
      for (const [path] of POST_ROUTES) {
        const upload = new FormData();
        upload.append('file', new Blob([Buffer.alloc(64 * 1024, 0x41)]), 'upload.bin');
        upload.append('password', 'lantern-orbit-velvet');
        const response = await fetch(`${app.test.url}${path}`, { method: 'POST', body: upload });
        expect(response.status, path).to.be.oneOf([413, 415]);
      }
      await expectStillServing(app.test, before);
    });

    it('takes only the content type each route needs', async () => {
      const json = await fetch(`${app.test.url}/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"token":"x","password":"a","confirm":"a"}',
      });
      expect(json.status).to.equal(415);
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=latin1']) {
        const response = await fetch(`${app.test.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: 'type=message',
        });
        expect(response.status, type).to.equal(415);
      }
    });

    it('refuses bodies nested deeper than 32 levels, and values over 16 KB, before anything keeps them', async () => {
      const before = await baseline();
      const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
      const activity = (value: string) =>
        `{"type":"message","channelId":"emulator","serviceUrl":"http://127.0.0.1:9/x","conversation":{"id":"c-deep"},"from":{"id":"u"},"value":${value}}`;
      for (const body of [activity(deep(40)), activity(deep(20_000)), deep(100_000)]) {
        const response = await fetch(`${app.test.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(response.status).to.equal(400);
      }
      const big = await fetch(`${app.test.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: activity(JSON.stringify({ note: 'x'.repeat(20_000) })),
      });
      expect(big.status).to.equal(400);
      expect(await big.text()).to.contain('16384 bytes');
      await expectStillServing(app.test, before);
    });

    it('logs a malformed body by its class, never a fragment of it', async () => {
      for (const [path, kind] of POST_ROUTES) {
        await fetch(`${app.test.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
          body: kind === 'json' ? '{"password":"sunflower-secret-99",' : 'password=sunflower-secret-99&%',
        });
      }
      expect(app.test.logs.join('\n')).not.to.contain('sunflower');
    });
  });

  describe('the Bot Framework endpoint', () => {
    it("refuses activities that claim the bot's own web chat endpoint or one of its conversations", async () => {
      const post = (fields: Record<string, unknown>) =>
        fetch(`${app.test.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            text: 'hello',
            channelId: 'emulator',
            serviceUrl: 'http://127.0.0.1:9/x',
            conversation: { id: 'c-1' },
            from: { id: 'u' },
            deliveryMode: 'expectReplies',
            ...fields,
          }),
        });
      const own = `${app.test.config.publicBaseUrl}/v3/directline/`;
      expect((await post({ serviceUrl: own })).status).to.equal(400);
      expect((await post({ serviceUrl: own.toUpperCase().replace(/\/$/, '') })).status).to.equal(400);
      expect((await post({ channelId: 'directline', conversation: { id: 'wc-someone-elses' } })).status).to.equal(400);
      expect((await post({})).status).to.equal(200);
    });
  });

  describe('store keys', () => {
    it('answers prototype names as ids with 404', async () => {
      for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        const escalation = await fetch(`${app.test.url}/api/support/escalations/${id}`, {
          headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
        });
        expect(escalation.status, id).to.equal(404);
        const ticket = await fetch(`${app.test.url}/api/support/tickets/${id}/complete`, {
          method: 'POST',
          headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
        });
        expect(ticket.status, id).to.equal(404);
        const session = await fetch(`${app.test.url}/api/webchat/session/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${WEBSITE_API_KEY}` },
        });
        expect(session.status, id).to.equal(404);
      }
    });
  });
});

describe('support commands from a client the channel does not vouch for (Emulator mode)', () => {
  const app = useTestApp({ accounts: [LIAM], env: { SUPPORT_API_KEY } });

  it('are not taken, even in the registered support channel', async () => {
    const supportChannel = '19:support@thread.tacv2';
    await writeFile(
      path.join(app.test.dataDir, 'support-channel.json'),
      JSON.stringify({
        reference: { channelId: 'msteams', conversation: { id: supportChannel }, serviceUrl: 'http://127.0.0.1:9/x' },
        registeredBy: 'admin',
        registeredAt: new Date().toISOString(),
      }),
    );
    const customer = app.test.conversation();
    await customer.say('agent');
    const forged = app.test.conversation(supportChannel, 'en-US', 'msteams');
    forged.extra = { conversation: { id: supportChannel, conversationType: 'channel', isGroup: true } };
    forged.from = { id: 'x', aadObjectId: 'admin' };
    expect(await forged.say(`escalate ${customer.conversationId} reset`)).not.to.contain('Escalation');
    const events = (await app.test.app.audit.readAll()) as Array<{ event: string }>;
    expect(events.map((entry) => entry.event)).not.to.include('support.escalation_started');
    expect(await customer.say('reset')).to.contain('will reply here soon');
  });
});
