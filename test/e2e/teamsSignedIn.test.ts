import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EMMA, LIAM, EMMA_TEAMS, LIAM_TEAMS } from '../helpers/accounts.js';
import { SmsDeliveryError } from '../../src/messaging/sms.js';
import { StandInChannelCredentials, useChannelAuthStandIn } from '../helpers/channelAuth.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { asTeamsUser, inTeams, TEAMS_APP_ID } from '../helpers/teams.js';
import { hasPasswordCard, TEST_SERVICE_URL, useTestApp, type ChatDriver } from '../helpers/testApp.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

/**
 * The password change and the phone number change through the real server and CloudAdapter with authentication on: every request
 * carries a channel token signed by a local stand-in of the Bot Framework's token service.
 */
describe('signed-in journeys in Teams (end to end, authenticated)', function () {
  this.timeout(60_000);
  const auth = useChannelAuthStandIn();

  const app = useTestApp({
    accounts: [
      { ...EMMA, teamsAadObjectId: EMMA_TEAMS, profiles: [{ name: 'Emma' }] },
      {
        ...LIAM,
        teamsAadObjectId: LIAM_TEAMS,
        profiles: [{ name: 'Liam' }, { name: 'Kids', kids: true }],
        teamsProfile: 'Kids',
      },
    ],
    get env() {
      return auth.botEnv(TEAMS_APP_ID);
    },
  });

  function teamsChat(aadObjectId: string, locale = 'en-US'): ChatDriver {
    const chat = inTeams(app.test.conversation(`a:${randomUUID()}`, locale, 'msteams'), { tenantId: TENANT });
    chat.extra = { ...chat.extra, channelData: { tenant: { id: TENANT } } };
    return asTeamsUser(chat, auth, aadObjectId, 'Teams user');
  }

  it('refuses a request without a channel token, or with a token for another bot', async () => {
    const chat = teamsChat(EMMA_TEAMS);
    chat.token = undefined;
    await expectStatus(chat, 401);
    chat.token = () => auth.tokenFor({ appId: randomUUID(), serviceUrl: TEST_SERVICE_URL });
    await expectStatus(chat, 401);
  });

  for (const [locale, t] of [
    [
      'en-US',
      { changed: 'Your password has been changed', typed: "please don't type your password", wrong: '9 more times' },
    ],
    ['nl-NL', { changed: 'Je wachtwoord is gewijzigd', typed: 'niet als bericht', wrong: 'nog 9 keer' }],
  ] as const) {
    it(`changes the password of a linked Teams user, by card only (${locale})`, async () => {
      const chat = teamsChat(EMMA_TEAMS, locale);
      const asked = await chat.send('change-password');
      expect(JSON.stringify(asked)).to.contain('"id":"currentPassword"');
      expect(await chat.say(EMMA.password!)).to.contain(t.typed);
      expect(await chat.say({ value: { currentPassword: 'not-it' } })).to.contain(t.wrong);
      expect(hasPasswordCard(await chat.send({ value: { currentPassword: EMMA.password } }))).to.equal(true);
      expect(await chat.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).to.contain(t.changed);

      expect(await app.test.app.accounts.checkPassword(EMMA.email, NEW_PASSWORD)).to.equal(true);
      await chat.idle();
      expect((await app.test.emails()).map((mail) => mail.subject)).to.have.length(1);
      expect(await app.test.allDataText())
        .to.not.contain(NEW_PASSWORD)
        .and.not.contain(EMMA.password);
    });
  }

  it('locks the change after ten wrong current passwords', async () => {
    const chat = teamsChat(EMMA_TEAMS);
    await chat.send('change-password');
    for (let attempt = 1; attempt < 10; attempt++) await chat.send({ value: { currentPassword: `wrong-${attempt}` } });
    expect(await chat.say({ value: { currentPassword: 'wrong-10' } })).to.contain('locked for your account');
    await chat.send('cancel');
    // Locked before the card: not even the right password gets through now.
    const again = await chat.send('change-password');
    expect(JSON.stringify(again)).to.contain('locked for your account').and.not.contain('currentPassword');
    expect(await app.test.allDataText()).to.contain('password.current_locked');
  });

  it('refuses an unlinked Teams user and a Kids profile, and offers the reset', async () => {
    const stranger = await teamsChat(randomUUID()).say('change-password');
    expect(stranger).to.contain("Your Teams account isn't linked").and.contain('How would you like to reset');
    const kid = await teamsChat(LIAM_TEAMS, 'nl-NL').say('wachtwoord wijzigen');
    expect(kid).to.contain('Je gebruikt een Kids-profiel').and.contain('Hoe wil je je wachtwoord herstellen?');
  });

  it('refuses a token that names an issuer other than the channel service', async () => {
    const chat = teamsChat(EMMA_TEAMS);
    chat.token = () =>
      auth.tokenFor({ appId: TEAMS_APP_ID, serviceUrl: TEST_SERVICE_URL, issuer: 'https://sts.example/' });
    await expectStatus(chat, 401);
  });

  for (const [locale, t] of [
    ['en-US', { sent: 'ending in 21', changed: 'Done: the number ending in 21 is now on your account.' }],
    ['nl-NL', { sent: 'eindigt op 21', changed: 'Klaar: het nummer dat eindigt op 21 staat nu op je account.' }],
  ] as const) {
    it(`replaces the phone number after the code sent to the new one comes back (${locale})`, async () => {
      const chat = teamsChat(EMMA_TEAMS, locale);
      // The phone is a recovery factor: the current password first, in the card.
      expect(await chat.say('phone')).not.to.contain('78');
      expect(await chat.say({ value: { currentPassword: EMMA.password } })).to.contain(
        locale === 'nl-NL' ? 'eindigt op 78' : 'ends in 78',
      );
      await chat.send('new');
      expect(await chat.say('06 11223321')).to.contain(t.sent);
      await chat.idle();
      const sms = (await app.test.texts()).at(-1)!;
      expect(sms.to).to.equal('+31611223321');
      const code = /\b(\d{6})\b/.exec(sms.body)![1]!;
      expect(await chat.say({ value: { code } })).to.contain(t.changed);
      expect((await app.test.app.accounts.describe(EMMA.email))?.phone).to.equal('+31611223321');
      await chat.idle();
      // In the account's own language: Emma's is Dutch.
      expect((await app.test.emails()).at(-1)!.subject).to.contain('Het telefoonnummer op je StreamFlix-account');
    });
  }
});

async function expectStatus(chat: ChatDriver, status: number): Promise<void> {
  try {
    await chat.send('change-password');
  } catch (error) {
    expect((error as Error).message).to.contain(`answered ${status}`);
    return;
  }
  expect.fail(`expected the server to answer ${status}`);
}

describe('slow work in Teams: a text that cannot be sent (end to end, authenticated)', function () {
  this.timeout(30_000);
  const auth = useChannelAuthStandIn();
  const channel = useChannelStandIn();

  const app = useTestApp({
    accounts: [{ ...EMMA, teamsAadObjectId: EMMA_TEAMS }],
    get env() {
      return auth.botEnv(TEAMS_APP_ID);
    },
    app: {
      channelCredentials: new StandInChannelCredentials(TEAMS_APP_ID),
      smsSender: {
        send: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          throw new SmsDeliveryError('notMobile', 21614, 400);
        },
      },
    },
  });

  it('answers at once, then tells the chat proactively that the code could not be sent', async () => {
    const chat = asTeamsUser(
      inTeams(app.test.conversation(`a:${randomUUID()}`, 'en-US', 'msteams')),
      auth,
      EMMA_TEAMS,
      'Emma',
    );
    chat.serviceUrl = channel.serviceUrl;

    await chat.send('phone');
    await chat.send({ value: { currentPassword: EMMA.password } });
    await chat.send('new');
    expect(await chat.say('06 11223321')).to.contain("I've sent a 6-digit code");
    const notice = await channel.waitForMessage((activity) => (activity.text ?? '').includes("couldn't send a text"));
    expect(notice.text).to.contain('ending in 21');
    expect(notice.conversation?.id).to.equal(chat.conversationId);
    expect(channel.authorizations.at(-1)).to.equal('Bearer stand-in-bot-token');
    expect((await app.test.app.accounts.describe(EMMA.email))?.phone).to.equal('+31612345678');
  });
});
