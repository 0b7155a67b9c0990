import { expect } from 'chai';
import { LIAM } from '../helpers/accounts.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { latestResetLink, useTestApp, type ChatDriver } from '../helpers/testApp.js';

const SUPPORT_API_KEY = 'support-desk-key-0123456789abcdef';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

/** Support → bot through the real server: the API starts a journey in a customer's conversation. */
describe('support hands a customer to the bot (end to end)', function () {
  this.timeout(30_000);
  const channel = useChannelStandIn();
  const app = useTestApp({ accounts: [LIAM], env: { SUPPORT_API_KEY } });

  /** A customer's chat the bot has seen, whose channel takes proactive messages at the stand-in. */
  async function customer(locale = 'en-US'): Promise<ChatDriver> {
    const chat = app.test.conversation(undefined, locale);
    chat.serviceUrl = channel.serviceUrl;
    await chat.send('hello');
    return chat;
  }

  async function escalate(body: unknown, key: string | null = SUPPORT_API_KEY) {
    const response = await fetch(`${app.test.url}/api/support/escalations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { id?: string; state?: string } };
  }

  async function stateOf(id: string): Promise<string | undefined> {
    const response = await fetch(`${app.test.url}/api/support/escalations/${id}`, {
      headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
    });
    return ((await response.json()) as { state?: string }).state;
  }

  for (const [locale, t] of [
    ['en-US', { intro: 'Customer support asked me to help you', method: 'How would you like to reset your password?' }],
    ['nl-NL', { intro: 'De klantenservice heeft me gevraagd', method: 'Hoe wil je je wachtwoord herstellen?' }],
  ] as const) {
    it(`starts the reset in the customer's chat and reports it completed when the person finishes (${locale})`, async () => {
      const chat = await customer(locale);
      const started = await escalate({ conversationId: chat.conversationId, journey: 'reset' });
      expect(started.status).to.equal(202);
      expect(started.body.state).to.equal('started');
      await channel.waitForMessage((activity) => (activity.text ?? '').includes(t.intro));
      await channel.waitForMessage((activity) => (activity.text ?? '').includes(t.method));
      expect(channel.received.every((entry) => entry.conversationId === chat.conversationId)).to.equal(true);

      await chat.send('email');
      await chat.send(LIAM.email);
      await chat.idle();
      await chat.send(await latestResetLink(app.test, LIAM.email));
      expect(await stateOf(started.body.id!)).to.equal('started');
      await chat.send({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } });
      expect(await stateOf(started.body.id!)).to.equal('completed');
      expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);
    });
  }

  it('reports an escalation the person cancels as abandoned, and keeps the final state', async () => {
    const chat = await customer();
    const { body } = await escalate({ conversationId: chat.conversationId, journey: 'billing' });
    await channel.waitForMessage((activity) => (activity.text ?? '').includes('How do you pay'));
    expect(await chat.say('cancel')).to.contain('stopped');
    expect(await stateOf(body.id!)).to.equal('abandoned');
    await chat.send('hello');
    expect(await stateOf(body.id!)).to.equal('abandoned');
  });

  it('refuses missing or wrong keys and bad bodies, and 404s an unknown conversation, starting nothing', async () => {
    const chat = await customer();
    const valid = { conversationId: chat.conversationId, journey: 'reset' };
    expect((await escalate(valid, null)).status).to.equal(401);
    expect((await escalate(valid, 'wrong-key-0123456789abcdef00000')).status).to.equal(401);
    expect((await escalate({ conversationId: chat.conversationId, journey: 'delete-account' })).status).to.equal(400);
    expect((await escalate({ journey: 'reset' })).status).to.equal(400);
    expect((await escalate('{"conversationId":')).status).to.equal(400);
    expect((await escalate({ conversationId: 'never-seen', journey: 'reset' })).status).to.equal(404);
    expect(channel.received).to.deep.equal([]);
    const unknown = await fetch(`${app.test.url}/api/support/escalations/nope`, {
      headers: { authorization: `Bearer ${SUPPORT_API_KEY}` },
    });
    expect(unknown.status).to.equal(404);
  });

  it('marks an escalation failed when the customer’s channel cannot be reached', async () => {
    const chat = await customer();
    await channel.close();
    const { status, body } = await escalate({ conversationId: chat.conversationId, journey: 'reset' });
    expect(status).to.equal(202);
    expect(body.state).to.equal('failed');
  });
});
