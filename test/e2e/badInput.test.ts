import { queryDatabase } from '../helpers/backend.js';
import { expect } from 'chai';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LIAM, importAccounts } from '../helpers/accounts.js';
import { startTestApp, type TestApp } from '../helpers/testApp.js';

describe('bad input at the Bot Framework endpoint', () => {
  let test: TestApp;

  beforeEach(async () => {
    test = await startTestApp();
    await importAccounts(test, LIAM);
  });

  afterEach(() => test.close());

  async function post(body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    const response = await fetch(`${test.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it('answers malformed JSON, a non-activity and a wrong content type with a 4xx and no stack trace', async () => {
    for (const [body, type] of [
      ['{"type":', 'application/json'],
      ['[]', 'application/json'],
      ['"text"', 'application/json'],
      ['{}', 'application/json'],
      ['\u0000\u0001binary', 'application/octet-stream'],
    ]) {
      const response = await post(body!, type);
      expect(response.status, body).to.be.within(400, 499);
      expect(response.text, body).not.to.match(/\n\s+at /);
    }
  });

  it('refuses a body over its size limit', async () => {
    const response = await post(JSON.stringify({ type: 'message', text: 'x'.repeat(400_000) }));
    expect(response.status).to.equal(413);
  });

  it('keeps answering after activities it has no use for', async () => {
    const chat = test.conversation();
    expect(await chat.post({ type: 'messageReaction', reactionsAdded: [{ type: 'like' }] })).to.deep.equal([]);
    expect(await chat.post({ type: 'typing' })).to.deep.equal([]);
    expect(await chat.say('reset')).to.contain('How would you like to reset your password?');
  });

  it('treats a message without text, or with a string as card value, as not understood', async () => {
    const chat = test.conversation();
    await chat.say('reset');
    expect(await chat.say({ value: 'just a string' })).to.contain('Please choose one of the options');
    expect(
      await chat.post({
        type: 'message',
        attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:9/x.png' }],
      }),
    ).to.have.length(1);
  });

  it('tells the person in their language when a turn fails, and the next message starts afresh', async () => {
    const conversationId = 'damaged-state';
    await test.conversation(conversationId, 'nl-NL').say('reset');
    await test.stop();
    // Damage this conversation's state, as a disk fault would, and start again.
    if (test.config.databaseUrl) {
      // A document PostgreSQL takes, naming a dialog the bot does not have.
      await queryDatabase(
        test.config.databaseUrl,
        `UPDATE bot_state SET doc = '{"dialogState":{"dialogStack":[{"id":"broken"}]}}'`,
      );
    } else {
      const dir = path.join(test.dataDir, 'conversations');
      for (const name of await readdir(dir)) await writeFile(path.join(dir, name), '{"broken":');
    }
    const restarted = await startTestApp({ dataDir: test.dataDir });
    try {
      const chat = restarted.conversation(conversationId, 'nl-NL');
      expect(await chat.say('e-mail')).to.contain('Sorry, er ging aan mijn kant iets mis');
      expect(await chat.say('wachtwoord vergeten')).to.contain('Hoe wil je je wachtwoord herstellen?');
      expect(restarted.logs.filter((line) => line.includes('"msg":"turn failed"'))).to.have.length(1);
    } finally {
      await restarted.stop();
    }
  });
});
