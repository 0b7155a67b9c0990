import { expect } from 'chai';
import { LIAM } from '../helpers/accounts.js';
import { freshBackend, queryDatabase } from '../helpers/backend.js';
import { startTestApp, useTestApp } from '../helpers/testApp.js';

describe('operations: /readyz and /metrics', () => {
  const app = useTestApp({ accounts: [LIAM] });

  it('counts turns, journeys by journey, channel and language, and mail sent, without personal data', async () => {
    const chat = app.test.conversation();
    await chat.say('reset');
    await chat.say('email');
    await chat.say(LIAM.email);
    await chat.say('cancel');
    await app.test.app.idle();
    const response = await fetch(`${app.test.url}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.contain('text/plain');
    const text = await response.text();
    expect(text).to.match(/bot_turns_total\{channel="emulator",type="message"\} 4/);
    expect(text).to.match(/bot_journeys_total\{journey="\w+",stage="started",channel="emulator",language="en"\} 1/);
    expect(text).to.match(/bot_journeys_total\{journey="\w+",stage="stopped",channel="emulator",language="en"\} 1/);
    expect(text).to.contain('bot_messages_total{medium="mail",result="sent"} 1');
    expect(text).to.match(/bot_turn_duration_seconds_count\{channel="emulator"\} 4/);
    expect(text).to.contain('bot_pending_tasks 0');
    expect(text).to.contain('process_resident_memory_bytes');
    expect(text).not.to.contain(LIAM.email);
    expect(text).not.to.contain(chat.conversationId);
  });

  it('counts what a client names freely (its channel, its language) as "other", so no label grows without end', async () => {
    for (const n of [1, 2, 3]) {
      const chat = app.test.conversation(undefined, `xx-Made${n}`, `made-up-channel-${n}`);
      await chat.say('hello');
    }
    const text = await (await fetch(`${app.test.url}/metrics`)).text();
    expect(text).not.to.contain('made-up-channel');
    expect(text).not.to.contain('xx');
    expect(text).to.match(/bot_turns_total\{channel="other",type="message"\} 3/);
  });

  it('is ready on the JSON store, which needs nothing outside the process', async () => {
    const response = await fetch(`${app.test.url}/readyz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ready' });
  });

  it('is not ready while its database cannot be reached, and alive all the same', async function () {
    this.timeout(30_000);
    const backend = await freshBackend();
    const test = await startTestApp({ env: backend.env });
    try {
      expect((await fetch(`${test.url}/readyz`)).status).to.equal(200);
      // The database goes away under the running bot.
      const name = new URL(backend.env.DATABASE_URL!).pathname.slice(1);
      await queryDatabase(
        backend.env.DATABASE_URL!.replace(`/${name}`, '/postgres'),
        `DROP DATABASE ${name} WITH (FORCE)`,
      );
      const ready = await fetch(`${test.url}/readyz`);
      expect(ready.status).to.equal(503);
      expect(await ready.json()).to.deep.equal({ status: 'unavailable' });
      expect((await fetch(`${test.url}/healthz`)).status).to.equal(200);
    } finally {
      await test.close();
      await backend.remove();
    }
  });
});
