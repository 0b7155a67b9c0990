import { expect } from 'chai';
import path from 'node:path';
import type { Ticket } from '../../src/support/tickets.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { LIAM } from '../helpers/accounts.js';
import { latestResetLink, readJsonLines, replyText, useTestApp } from '../helpers/testApp.js';

const SUPPORT_API_KEY = 'support-desk-key-0123456789abcdef';

/** Bot → person (the handover) through the real server: ticket, handoff event, waiting, release. */
describe('handing a person to customer support (end to end)', function () {
  this.timeout(30_000);
  const channel = useChannelStandIn();
  const app = useTestApp({ accounts: [LIAM], env: { SUPPORT_API_KEY, SUPPORT_WAIT: '10m' } });

  /** The outbox's tickets, once the bot has delivered what it had to. */
  const tickets = async () => {
    await app.test.app.idle();
    return readJsonLines<Ticket & { at: string }>(path.join(app.test.dataDir, 'outbox', 'support.jsonl'));
  };

  async function complete(ticketId: string, key = SUPPORT_API_KEY) {
    const response = await fetch(`${app.test.url}/api/support/tickets/${ticketId}/complete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    return response.status;
  }

  for (const [locale, t] of [
    [
      'en-US',
      {
        asked: 'Talk to a person',
        handed: "I've asked a colleague",
        wait: 'about 10 minutes',
        waiting: 'will reply here soon',
        released: 'Customer support has finished',
        menu: 'How would you like to reset your password?',
      },
    ],
    [
      'nl-NL',
      {
        asked: 'medewerker',
        handed: 'Ik heb een collega',
        wait: 'ongeveer 10 minuten',
        waiting: 'reageert hier zo',
        released: 'De klantenservice is klaar',
        menu: 'Hoe wil je je wachtwoord herstellen?',
      },
    ],
  ] as const) {
    it(`opens a ticket mid-journey, waits, and answers normally again once support completes it (${locale})`, async () => {
      const chat = app.test.conversation(undefined, locale);
      chat.serviceUrl = channel.serviceUrl;
      await chat.send('reset');
      await chat.send('email');
      // Free text that may hide a password, in the conversation's language (48 characters either way).
      await chat.send(
        locale === 'nl-NL'
          ? 'ik denk lantern-orbit-velvet maar dat klopt niet'
          : 'my password lantern-orbit-velvet no longer works',
      );
      const handed = await chat.postRaw({ type: 'message', text: t.asked });
      const event = handed.find((activity) => activity.type === 'event')!;
      expect(event.name).to.equal('handoff.initiate');
      expect(replyText(handed)).to.contain(t.handed).and.contain(t.wait);

      const [ticket] = await tickets();
      expect(ticket!.conversationId).to.equal(chat.conversationId);
      expect(ticket!.journey).to.equal('emailResetDialog');
      expect(ticket!.step).to.equal('email');
      expect(ticket!.locale).to.equal(locale.slice(0, 2));
      // What the bot understood, and no word of free text: a password can hide in it.
      expect(ticket!.summary).to.deep.equal([
        { step: 'menu', text: '[chose: reset]' },
        { step: 'method', text: '[chose: email]' },
        { step: 'email', text: '[free text withheld: 48 characters]' },
        { step: 'email', text: '[chose: agent]' },
      ]);
      expect(JSON.stringify(event) + JSON.stringify(ticket)).to.not.contain('lantern-orbit-velvet');

      expect(await chat.say('reset')).to.contain(t.waiting);
      expect(await complete(ticket!.id, 'wrong-key-0123456789abcdef000')).to.equal(401);
      expect(await complete(ticket!.id)).to.equal(200);
      await channel.waitForMessage((activity) => (activity.text ?? '').includes(t.released));
      expect(await complete(ticket!.id)).to.equal(404);
      expect(await chat.say('reset')).to.contain(t.menu);
    });
  }

  for (const [locale, t] of [
    [
      'en-US',
      {
        // Neither an address nor another request ("no idea" would now lead to billing recovery).
        notEmail: ['emma at example', 'emma.devries', 'streamflix'],
        invalid: "That doesn't look like an email address",
        failures: "Let's stop there: this isn't working out",
        limited: 'please try again in',
        limits: "That's the second limit you've run into",
        handed: "I've asked a colleague",
        waiting: 'will reply here soon',
      },
    ],
    [
      'nl-NL',
      {
        notEmail: ['emma bij example', 'emma.devries', 'streamflix'],
        invalid: 'Dat lijkt geen e-mailadres',
        failures: 'Laten we hier stoppen: dit lukt zo niet',
        limited: 'Probeer het voor je veiligheid over',
        limits: 'Dit is de tweede keer dat je tegen een limiet aanloopt',
        handed: 'Ik heb een collega',
        waiting: 'reageert hier zo',
      },
    ],
  ] as const) {
    it(`hands the person over when one step turns their answer down three times in a row (${locale})`, async () => {
      const chat = app.test.conversation(undefined, locale);
      await chat.send('reset');
      await chat.send('email');
      expect(await chat.say(t.notEmail[0])).to.contain(t.invalid);
      expect(await chat.say(t.notEmail[1])).to.contain(t.invalid);
      const handed = await chat.postRaw({ type: 'message', text: t.notEmail[2] });
      expect(handed.find((activity) => activity.type === 'event')?.name).to.equal('handoff.initiate');
      expect(replyText(handed)).to.contain(t.failures).and.contain(t.handed);
      const [ticket] = await tickets();
      expect(ticket).to.deep.include({
        reason: 'repeatedFailure',
        journey: 'emailResetDialog',
        step: 'email',
        conversationId: chat.conversationId,
      });
      expect(await chat.say('reset')).to.contain(t.waiting);
    });

    it(`hands the person over the second time a limit stops them (${locale})`, async () => {
      const chat = app.test.conversation(undefined, locale);
      const answers: string[] = [];
      for (let request = 1; request <= 7; request++) {
        await chat.send('cancel');
        await chat.send('reset');
        await chat.send('email');
        answers.push(await chat.say('someone@example.com'));
      }
      // Five requests an hour per address: the sixth is refused, the seventh hands over.
      expect(answers.slice(0, 5).join()).to.not.contain(t.limited);
      expect(answers[5]).to.contain(t.limited).and.not.contain(t.handed);
      expect(answers[6]).to.contain(t.limited).and.contain(t.limits).and.contain(t.handed);
      const [ticket] = await tickets();
      expect(ticket).to.deep.include({ reason: 'limitsReached', journey: 'emailResetDialog', step: 'email' });
      expect(JSON.stringify(ticket)).to.not.contain('someone@example.com');
    });
  }

  it('does not take a request typed at a password step as the password, and says there how to reach a person', async () => {
    const chat = app.test.conversation();
    await chat.send('reset');
    await chat.send('email');
    await chat.send(LIAM.email);
    await chat.idle();
    await chat.send(await latestResetLink(app.test, LIAM.email));
    // A menu label is never taken as a password: the bot offers help instead, and hands nobody over.
    expect(await chat.say('talk to a person')).to.contain('That looks like a question rather than a password');
    expect(await tickets()).to.deep.equal([]);
    expect(await chat.say('help')).to.contain('type "cancel" and then "agent"');
    await chat.send('cancel');
    expect(await chat.say('agent')).to.contain("I've asked a colleague");
    const [ticket] = await tickets();
    expect(JSON.stringify(ticket)).to.not.contain('talk to a person');
  });

  it('lets the person withdraw the request, and reports "another way" of paying to a person', async () => {
    const chat = app.test.conversation();
    await chat.send('billing');
    expect(await chat.say('other')).to.contain("I've asked a colleague");
    const [ticket] = await tickets();
    expect(ticket).to.deep.include({ journey: 'billingDialog', reason: 'noCardPayment' });
    expect(await chat.say('cancel')).to.contain("I've withdrawn your request");
    expect(await chat.say('reset')).to.contain('How would you like to reset your password?');
  });

  for (const by of ['ticket', 'conversation'] as const)
    it(`lets support hand a waiting person back to the bot by ${by}, ending the wait`, async () => {
      const chat = app.test.conversation();
      chat.serviceUrl = channel.serviceUrl;
      await chat.send('agent');
      const [ticket] = await tickets();
      const response = await fetch(`${app.test.url}/api/support/escalations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SUPPORT_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(by === 'ticket' ? { ticketId: ticket!.id } : { conversationId: chat.conversationId }),
          journey: 'reset',
        }),
      });
      expect(response.status).to.equal(202);
      await channel.waitForMessage((activity) => (activity.text ?? '').includes('How would you like to reset'));
      expect(await chat.say('email')).to.contain('What is the email address');
      expect(await complete(ticket!.id)).to.equal(404, 'the ticket is no longer open');
    });

  it('answers 404 for an escalation naming an unknown ticket', async () => {
    const unknown = await fetch(`${app.test.url}/api/support/escalations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SUPPORT_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ticketId: 'T-NOPE', journey: 'reset' }),
    });
    expect(unknown.status).to.equal(404);
  });

  it('opens no more than three tickets an hour for one conversation, and then points to support directly', async () => {
    const chat = app.test.conversation(undefined, 'nl-NL');
    for (let i = 0; i < 3; i++) {
      expect(await chat.say('medewerker')).to.contain('Ik heb een collega');
      expect(await chat.say('annuleren')).to.contain('ingetrokken');
    }
    const refused = await chat.postRaw({ type: 'message', text: 'medewerker' });
    expect(replyText(refused)).to.contain('al een paar keer aan de klantenservice doorgegeven');
    expect(replyText(refused)).to.contain('https://');
    expect(refused.some((activity) => activity.type === 'event')).to.equal(false, 'no handoff event');
    expect(await tickets()).to.have.length(3);
    expect(await chat.say('reset')).to.contain('Hoe wil je je wachtwoord herstellen?');
  });

  it('closes the ticket when the channel reports the hand-off completed', async () => {
    const chat = app.test.conversation(undefined, 'en-US', 'msteams');
    await chat.send('agent');
    const replies = await chat.post({ type: 'event', name: 'handoff.status', value: { state: 'completed' } });
    expect(replyText(replies)).to.contain('Customer support has finished');
    expect(await chat.say('reset')).to.contain('How would you like to reset your password?');
  });

  for (const channel of ['emulator', 'directline', 'webchat'])
    it(`ignores a hand-off status sent by a ${channel} client, which only the channel may send`, async () => {
      const chat = app.test.conversation(undefined, 'en-US', channel);
      await chat.send('agent');
      const replies = await chat.post({ type: 'event', name: 'handoff.status', value: { state: 'completed' } });
      expect(replyText(replies)).to.equal('');
      expect(await chat.say('reset')).to.contain('will reply here soon');
      expect(await tickets()).to.have.length(1);
      expect((await tickets())[0]!.state).to.equal('open');
    });
});
