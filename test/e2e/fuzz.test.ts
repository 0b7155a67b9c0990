import { queryDatabase } from '../helpers/backend.js';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { baseline, expectStillServing, rawRequest } from '../helpers/hostile.js';
import { latestResetLink, TEST_SERVICE_URL, useTestApp, type TestApp } from '../helpers/testApp.js';

const WEBSITE_API_KEY = 'site-backend-key-0123456789abcdef';
const SUPPORT_API_KEY = 'support-desk-key-0123456789abcdef';

/** Every route of the bot, with `{id}` where the path takes an id. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['POST', '/api/messages'],
  ['GET', '/healthz'],
  ['GET', '/'],
  ['GET', '/reset'],
  ['POST', '/reset'],
  ['POST', '/reset/renew'],
  ['GET', '/teams/password'],
  ['POST', '/teams/password'],
  ['POST', '/api/webchat/token'],
  ['POST', '/api/webchat/session'],
  ['DELETE', '/api/webchat/session/{id}'],
  ['POST', '/api/support/escalations'],
  ['GET', '/api/support/escalations/{id}'],
  ['POST', '/api/support/tickets/{id}/complete'],
  ['POST', '/api/twilio/status'],
  ['POST', '/v3/directline/conversations'],
  ['GET', '/v3/directline/conversations/{id}'],
  ['GET', '/v3/directline/conversations/{id}/activities'],
  ['POST', '/v3/directline/conversations/{id}/activities'],
  ['POST', '/v3/directline/conversations/{id}/upload'],
  ['POST', '/v3/directline/tokens/refresh'],
  ['OPTIONS', '/v3/directline/conversations'],
];

const printable = fc.string({ unit: fc.constantFrom(...' !#$%&()*+,-./0123456789:;<=>?@ABCXYZabcxyz[]^_{|}~') });

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'application/octet-stream',
    '',
  ),
  printable,
);

/** Bodies of every shape: JSON of any kind, deep nesting, text, forms, bytes. */
const bodies = fc.oneof(
  fc.json({ maxDepth: 6 }),
  fc.nat({ max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.nat({ max: 5000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.string({ maxLength: 2000 }),
  fc.dictionary(printable, printable).map((fields) => new URLSearchParams(fields).toString()),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

/** What a client may put in an activity: any type, text, value, name or locale, also wrong ones. */
const activityFields = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'event', 'invoke', 'typing', 'messageReaction'), fc.string()),
    text: fc.oneof(fc.string({ maxLength: 300 }), fc.anything({ maxDepth: 2 })),
    value: fc.anything({ maxDepth: 5, withNullPrototype: true }),
    name: fc.oneof(fc.constantFrom('handoff.status', 'task/fetch', 'task/submit'), fc.string()),
    locale: fc.oneof(fc.constantFrom('nl-NL', 'en-US', 'xx', '__proto__'), fc.string()),
    channelData: fc.anything({ maxDepth: 3 }),
    attachments: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 2 }),
  },
  { requiredKeys: ['type'] },
);

/** Account records in the store: whatever the fuzz sends, none of them may change. */
async function accountsDigest(test: TestApp): Promise<string> {
  const hash = createHash('sha256');
  if (test.config.databaseUrl) {
    const rows = await queryDatabase<{ row: string }>(
      test.config.databaseUrl,
      'SELECT a::text AS row FROM accounts a ORDER BY id',
    );
    for (const { row } of rows) hash.update(row);
    return hash.digest('hex');
  }
  for (const dir of ['accounts', path.join('index', 'email'), path.join('index', 'phone')]) {
    const full = path.join(test.dataDir, dir);
    for (const name of (await readdir(full)).sort()) hash.update(name).update(await readFile(path.join(full, name)));
  }
  return hash.digest('hex');
}

describe('fuzz: generated requests to every route and every prompt (fast-check)', function () {
  this.timeout(120_000);
  const app = useTestApp({ accounts: [EMMA, LIAM], env: { WEBSITE_API_KEY, SUPPORT_API_KEY } });

  /** A response of the bot: never a 5xx, never a stack trace. */
  async function expectCalm(response: Response, what: string): Promise<void> {
    const text = await response.text();
    expect(response.status, what).to.be.below(500);
    expect(text, what).not.to.match(/\n\s+at \S+ \(|node_modules/);
  }

  it('answers any method, path, headers and body on every route with less than a 5xx', async () => {
    const before = await baseline();
    const digest = await accountsDigest(app.test);
    const keys = fc.constantFrom(undefined, `Bearer ${WEBSITE_API_KEY}`, `Bearer ${SUPPORT_API_KEY}`, 'Bearer x');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.string({ maxLength: 60 }),
        contentTypes,
        fc.constantFrom(undefined, 'gzip', 'deflate', 'identity', 'br, gzip'),
        keys,
        bodies,
        async ([method, template], id, contentType, encoding, authorization, body) => {
          const url = `${app.test.url}${template.replace('{id}', encodeURIComponent(id))}`;
          const headers: Record<string, string> = { 'content-type': contentType };
          if (encoding) headers['content-encoding'] = encoding;
          if (authorization) headers.authorization = authorization;
          const takesBody = method !== 'GET' && method !== 'OPTIONS';
          const response = await fetch(url, { method, headers, ...(takesBody ? { body } : {}) });
          await expectCalm(response, `${method} ${url}`);
        },
      ),
      { numRuns: 150 },
    );
    for (const path of ['/%', '/%%', '/%c0%af', '/reset/%ff', '//x', '/v3/directline/conversations/%E0/stream'])
      expect((await rawRequest(app.test.url, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)).status).to.be.below(500);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 80 }), async (garbage) => {
        const target = `/${Buffer.from(garbage, 'utf8').toString('latin1').replace(/[\s]/g, '')}`;
        const answer = await rawRequest(app.test.url, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`, 1000);
        if (answer.status !== undefined) expect(answer.status, target).to.be.below(500);
      }),
      { numRuns: 50 },
    );
    expect(await accountsDigest(app.test)).to.equal(digest);
    await expectStillServing(app.test, before);
  });

  it('answers any activity at every prompt, on the Bot Framework endpoint and on web chat, with less than a 5xx', async () => {
    const before = await baseline();
    // A reset link for LIAM, pasted to reach the password step; it is never used up by the fuzz.
    const opener = app.test.conversation();
    for (const text of ['reset', 'email', LIAM.email]) await opener.say(text);
    const link = await latestResetLink(app.test, LIAM.email);
    const digest = await accountsDigest(app.test);
    const prompts: string[][] = [
      [],
      ['reset'],
      ['reset', 'email'],
      ['reset', 'sms'],
      ['reset', 'sms', '+31 6 98765432'],
      ['reset', 'billing'],
      ['reset', 'billing', 'card'],
      ['reset', 'billing', 'card', 'Emma'],
      ['reset', 'billing', 'card', 'Emma', 'de Vries'],
      ['email-not-received'],
      ['change-password'],
      ['phone'],
      [link],
    ];
    const tokenAnswer = await fetch(`${app.test.url}/api/webchat/token`, { method: 'POST' });
    const { conversationId, token } = (await tokenAnswer.json()) as { conversationId: string; token: string };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prompts), activityFields, async (prefix, fields) => {
        const chat = app.test.conversation(`fuzz-${++run}`, 'en-US');
        for (const text of prefix) await chat.say(text);
        const response = await fetch(`${app.test.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            channelId: 'emulator',
            serviceUrl: TEST_SERVICE_URL,
            conversation: { id: chat.conversationId },
            from: { id: 'user-1' },
            recipient: { id: 'bot' },
            deliveryMode: 'expectReplies',
            ...fields,
          }),
        });
        await expectCalm(response, JSON.stringify(fields).slice(0, 200));
        const posted = await fetch(`${app.test.url}/v3/directline/conversations/${conversationId}/activities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(fields),
        });
        await expectCalm(posted, `web chat: ${JSON.stringify(fields).slice(0, 200)}`);
      }),
      { numRuns: 120 },
    );
    const read = await fetch(`${app.test.url}/v3/directline/conversations/${conversationId}/activities`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).to.equal(200);
    expect(await accountsDigest(app.test)).to.equal(digest);
    expect(app.test.logs.filter((line) => line.includes('"msg":"turn failed"'))).to.deep.equal([]);
    await expectStillServing(app.test, before);
  });
});
