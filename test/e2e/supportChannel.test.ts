import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { StandInChannelCredentials, useChannelAuthStandIn } from '../helpers/channelAuth.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { LIAM } from '../helpers/accounts.js';
import { asTeamsUser, inTeams, TEAMS_APP_ID, TEAMS_BOT } from '../helpers/teams.js';
import { latestResetLink, readJsonLines, replyText, useTestApp, type ChatDriver } from '../helpers/testApp.js';

const ADMIN = '11111111-2222-4333-8444-555555555555';
const AGENT = '66666666-7777-4888-9999-000000000000';
const CUSTOMER = '0b7e2c3d-8f9a-4b1c-a2d3-e4f5a6b7c8d9';
const SUPPORT_CHANNEL = '19:support-desk@thread.tacv2';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

/** The support team's Teams channel, authenticated end to end, with the channel's reply endpoint stood in. */
describe("support team's Teams channel (end to end, authenticated)", function () {
  this.timeout(30_000);
  const auth = useChannelAuthStandIn();
  const channel = useChannelStandIn();
  const app = useTestApp({
    accounts: [LIAM],
    get env() {
      return {
        ...auth.botEnv(TEAMS_APP_ID),
        SUPPORT_ADMINS: ADMIN.toUpperCase(),
      };
    },
    app: { channelCredentials: new StandInChannelCredentials(TEAMS_APP_ID) },
  });

  function teams(aadObjectId: string, conversation: Record<string, unknown>): ChatDriver {
    const chat = app.test.conversation(String(conversation.id), 'en-US', 'msteams');
    chat.serviceUrl = channel.serviceUrl;
    return asTeamsUser(inTeams(chat, conversation), auth, aadObjectId, 'Someone');
  }
  const inSupportChannel = (aadObjectId: string) =>
    teams(aadObjectId, { id: SUPPORT_CHANNEL, conversationType: 'channel', isGroup: true });
  const customerChat = () => teams(CUSTOMER, { id: `a:${randomUUID()}`, conversationType: 'personal' });
  const mention = (text: string) => ({
    type: 'message',
    text: `<at>StreamFlix Password Help</at> ${text}`,
    entities: [{ type: 'mention', mentioned: TEAMS_BOT, text: '<at>StreamFlix Password Help</at>' }],
  });
  const cardIn = (activity: Partial<Activity>) => JSON.stringify(activity.attachments ?? []);
  /** The id the channel gave a message the bot posted, and the update that replaced one. */
  const postedIdOf = (activity: Partial<Activity>) =>
    `sent-${channel.received.findIndex((e) => e.activity === activity) + 1}`;
  const updateOf = (activity: Partial<Activity>) => channel.updated.find((entry) => entry.activity === activity)!;

  it('lets only an admin register the channel; tickets then arrive there as cards, and "Mark done" releases the customer', async () => {
    expect(replyText(await inSupportChannel(AGENT).post(mention('register support channel')))).to.contain(
      'Only a support admin',
    );
    expect(replyText(await inSupportChannel(ADMIN).post(mention('register support channel')))).to.contain(
      'This channel now receives support tickets',
    );

    const customer = customerChat();
    expect(await customer.say('Talk to a person')).to.contain("I've asked a colleague");
    const card = await channel.waitForMessage((activity) => cardIn(activity).includes('Mark done'));
    const ticketId = /Ticket (T-[0-9A-F]{8})/.exec(cardIn(card))![1]!;
    expect(channel.received.find((entry) => entry.activity === card)!.conversationId).to.equal(SUPPORT_CHANNEL);
    expect(cardIn(card)).to.contain('[chose: agent]');
    await app.test.app.idle();
    const outbox = await readJsonLines(path.join(app.test.dataDir, 'outbox', 'support.jsonl'));
    expect(outbox).to.deep.equal([], 'posted to the channel, so not to the outbox');

    expect(await customer.say('hello?')).to.contain('will reply here soon');
    const done = await inSupportChannel(AGENT).post({
      type: 'message',
      value: { supportAction: 'complete', ticketId },
    });
    expect(replyText(done)).to.contain(`Ticket ${ticketId} is done`);
    await channel.waitForMessage((activity) => (activity.text ?? '').includes('Customer support has finished'));
    expect(await customer.say('reset')).to.contain('How would you like to reset your password?');

    // The ticket's own card now says who finished it, and can no longer be marked done.
    const shown = await channel.waitForUpdate((activity) => cardIn(activity).includes(`Done (by ${AGENT})`));
    expect(cardIn(shown)).to.not.contain('Mark done');
    expect(updateOf(shown)).to.deep.include({ conversationId: SUPPORT_CHANNEL, activityId: postedIdOf(card) });
  });

  it('shows on the card why the bot handed the person over, and that the person withdrew the request', async () => {
    await inSupportChannel(ADMIN).post(mention('register support channel'));
    const customer = customerChat();
    await customer.send('reset');
    await customer.send('sms');
    for (const notANumber of ['blue elephant', 'my number is secret', 'no']) await customer.send(notANumber);
    const card = await channel.waitForMessage((activity) => cardIn(activity).includes('Mark done'));
    expect(cardIn(card)).to.contain('turned down three times in a row');
    expect(cardIn(card)).to.contain('[free text withheld: 13 characters]');

    expect(await customer.say('cancel')).to.contain('withdrawn your request');
    const shown = await channel.waitForUpdate((activity) => cardIn(activity).includes('Withdrawn by the customer'));
    expect(updateOf(shown).activityId).to.equal(postedIdOf(card));
    expect(cardIn(shown)).to.not.contain('Mark done');
  });

  it('hands a customer to the bot on "@bot escalate" and reports the outcome in the channel', async () => {
    await inSupportChannel(ADMIN).post(mention('register support channel'));
    const customer = customerChat();
    await customer.send('Talk to a person');
    const card = await channel.waitForMessage((activity) => cardIn(activity).includes('Mark done'));
    const ticketId = /Ticket (T-[0-9A-F]{8})/.exec(cardIn(card))![1]!;

    const started = await inSupportChannel(AGENT).post(mention(`escalate ${ticketId} reset`));
    expect(replyText(started)).to.match(/Escalation [0-9a-f-]{36}: reset is started\./);
    await channel.waitForMessage((activity) => (activity.text ?? '').includes('How would you like to reset'));
    await channel.waitForUpdate((activity) => cardIn(activity).includes('reset: started'));
    expect(await customer.say('cancel')).to.contain('stopped');

    // The outcome lands on the ticket's card, in place, not as a message of its own.
    const shown = await channel.waitForUpdate((activity) => cardIn(activity).includes('reset: abandoned'));
    expect(updateOf(shown).activityId).to.equal(postedIdOf(card));
    expect(cardIn(shown)).to.contain(`Done (by ${AGENT})`);
    expect(channel.received.some((entry) => /reset is abandoned/.test(entry.activity.text ?? ''))).to.equal(false);

    expect(replyText(await inSupportChannel(AGENT).post(mention('escalate T-00000000 reset')))).to.contain(
      "I don't know ticket T-00000000",
    );
    expect(replyText(await inSupportChannel(AGENT).post(mention('what can you do')))).to.contain('escalate <ticket');
  });

  it('answers "@bot escalate <conversation>" with a card of its own that shows the outcome when the customer finishes', async () => {
    await inSupportChannel(ADMIN).post(mention('register support channel'));
    const customer = customerChat();
    await customer.send('hello');
    const agent = inSupportChannel(AGENT);
    // Replies go through the channel's endpoint here, as in Teams, so the card gets an id to update.
    agent.extra = { ...agent.extra, deliveryMode: 'normal' };
    await agent.post(mention(`escalate ${customer.conversationId} reset`));
    const card = await channel.waitForMessage((activity) => cardIn(activity).includes('reset: started'));
    expect(cardIn(card)).to.contain(customer.conversationId).and.to.contain(AGENT);

    expect(await customer.say('email')).to.contain('email address');
    await customer.send(LIAM.email);
    await customer.idle();
    await customer.send(await latestResetLink(app.test, LIAM.email));
    expect(await customer.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).to.contain(
      'Your password has been changed',
    );
    const shown = await channel.waitForUpdate((activity) => cardIn(activity).includes('reset: completed'));
    expect(updateOf(shown).activityId).to.equal(postedIdOf(card));
  });

  it('keeps pointing people in any other channel to a private chat', async () => {
    const other = teams(AGENT, { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true });
    await inSupportChannel(ADMIN).post(mention('register support channel'));
    expect(replyText(await other.post(mention('escalate T-00000000 reset')))).to.contain('private chat');
  });
});
