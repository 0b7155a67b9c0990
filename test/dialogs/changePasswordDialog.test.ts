import { expect } from 'chai';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { EMMA, LIAM, EMMA_TEAMS } from '../helpers/accounts.js';
import { DialogHarness, type HarnessOptions } from '../helpers/dialogHarness.js';
import { buttonTitles, hasPasswordCard } from '../helpers/testApp.js';

const KID_TEAMS = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const STRANGER_TEAMS = 'ffffffff-0000-4000-8000-000000000000';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

const texts = {
  'en-US': {
    cardTitle: "First, confirm it's you",
    typedRefused: "please don't type your password as a message here",
    wrong9: 'You can try 9 more times',
    verified: "Thanks, that's right.",
    changed: 'Your password has been changed',
    notLinked: "Your Teams account isn't linked to a StreamFlix account",
    kids: "You're using a Kids profile",
    locked: 'changing the password is locked for your account for',
    method: 'How would you like to reset your password?',
  },
  'nl-NL': {
    cardTitle: 'Eerst even checken of jij het bent',
    typedRefused: 'niet als bericht',
    wrong9: 'Je kunt het nog 9 keer proberen',
    verified: 'Bedankt, dat klopt.',
    changed: 'Je wachtwoord is gewijzigd',
    notLinked: 'Je Teams-account is niet gekoppeld aan een StreamFlix-account',
    kids: 'Je gebruikt een Kids-profiel',
    locked: 'wachtwoord wijzigen is voor je account geblokkeerd voor',
    method: 'Hoe wil je je wachtwoord herstellen?',
  },
};

function cardTitleOf(replies: Awaited<ReturnType<DialogHarness['send']>>): string | undefined {
  const card = replies.flatMap((reply) => reply.attachments ?? [])[0]?.content as
    { body?: Array<{ text?: string }> } | undefined;
  return card?.body?.[0]?.text;
}

describe('change password (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  async function start(options: HarnessOptions): Promise<void> {
    harness = await DialogHarness.create((services) => new MainDialog(services), { initialOptions: {}, ...options });
    await harness.services.accounts.importAccounts([
      { ...EMMA, teamsAadObjectId: EMMA_TEAMS, profiles: [{ name: 'Emma' }, { name: 'Kids', kids: true }] },
      {
        ...LIAM,
        teamsAadObjectId: KID_TEAMS,
        profiles: [{ name: 'Liam' }, { name: 'Kids', kids: true }],
        teamsProfile: 'Kids',
      },
    ]);
  }

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}, for a linked Teams user`, () => {
      beforeEach(() => start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS }));

      it('asks for the current password by card only, then changes it with the same after-effects as a reset', async () => {
        const asked = await harness.send('change-password');
        expect(cardTitleOf(asked)).to.equal(t.cardTitle);
        expect(asked.every((reply) => reply.text === undefined)).to.equal(true, 'no "or type it" text in Teams');

        expect(await harness.say(EMMA.password!)).to.contain(t.typedRefused);
        expect(await harness.services.accounts.checkPassword(EMMA.email, EMMA.password!)).to.equal(true);

        expect(await harness.say({ value: { currentPassword: 'not-my-password' } })).to.contain(t.wrong9);
        const verified = await harness.send({ value: { currentPassword: EMMA.password } });
        expect(verified[0]!.text).to.equal(t.verified);
        expect(hasPasswordCard(verified)).to.equal(true);

        expect(await harness.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).to.contain(t.changed);
        expect(await harness.services.accounts.checkPassword(EMMA.email, NEW_PASSWORD)).to.equal(true);
        const mails = await harness.emails();
        expect(mails.map((mail) => mail.to)).to.deep.equal([EMMA.email]);
        // In the account's own language (Emma's is Dutch), whatever the chat's.
        expect(mails[0]!.text).to.contain('Het wachtwoord van je StreamFlix-account is gewijzigd');
      });

      it('voids a reset link sent before the change', async () => {
        await harness.services.reset.requestEmailReset(EMMA.email, { via: 'chat', locale: 'en' });
        const token = /token=([\w-]+)/.exec((await harness.emails())[0]!.text)![1]!;
        await harness.send('change-password');
        await harness.send({ value: { currentPassword: EMMA.password } });
        await harness.send({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } });
        expect((await harness.services.reset.checkLink(token)).kind).to.equal('used');
      });

      it('locks the journey for an hour after ten wrong current passwords, and offers the reset', async () => {
        await harness.send('change-password');
        for (let attempt = 1; attempt < 10; attempt++)
          await harness.send({ value: { currentPassword: `wrong-${attempt}` } });
        const locked = await harness.say({ value: { currentPassword: 'wrong-10' } });
        expect(locked).to.contain(t.locked);
        expect(locked).to.contain(t.method);

        await harness.send('cancel');
        const again = await harness.send('change-password');
        expect(again.map((reply) => reply.text).join('\n')).to.contain(t.locked);
        expect(hasPasswordCard(again)).to.equal(false);
        // Even the right password does not get through a lock.
        const lock = await harness.services.dialogServices.passwordChange.lockOf((await accountId(EMMA.email))!);
        expect(lock?.retryAfterMs).to.be.within(59 * 60_000, 60 * 60_000);
      });

      it('leaves for the reset route when the person types "reset" instead', async () => {
        await harness.send('change-password');
        expect(await harness.say(locale === 'nl-NL' ? 'herstellen' : 'reset')).to.contain(t.method);
      });
    });

    it(`explains to an unlinked Teams user why not, and offers the reset (${locale})`, async () => {
      await start({ locale, channelId: 'msteams', teamsUser: STRANGER_TEAMS });
      const replies = await harness.send('change-password');
      expect(replies[0]!.text).to.contain(t.notLinked);
      expect(replies.map((reply) => reply.text).join('\n')).to.contain(t.method);
      expect(hasPasswordCard(replies)).to.equal(false);
    });

    it(`refuses a Kids profile and offers the reset (${locale})`, async () => {
      await start({ locale, channelId: 'msteams', teamsUser: KID_TEAMS });
      const replies = await harness.send('change-password');
      expect(replies[0]!.text).to.contain(t.kids);
      expect(buttonTitles(replies).length).to.be.greaterThan(0);
    });
  }

  it('never counts a Teams id sent on an unauthenticated turn as signed in', async () => {
    // The same activity fields, but no channel token: what the Emulator without an app id sends.
    harness = await DialogHarness.create((services) => new MainDialog(services), {
      initialOptions: {},
      channelId: 'msteams',
    });
    await harness.services.accounts.importAccounts([{ ...EMMA, teamsAadObjectId: EMMA_TEAMS }]);
    const replies = await harness.send({
      text: 'change-password',
      from: { id: 'x', name: 'x', aadObjectId: EMMA_TEAMS },
    });
    expect(replies[0]!.text).to.contain(texts['en-US'].notLinked);
  });

  it('tells a person outside Teams that the chat is not signed in', async () => {
    await start({ locale: 'en-US' });
    expect(await harness.say('Change my password')).to.contain(
      "For that you need to be signed in, and this chat isn't",
    );
  });

  async function accountId(email: string): Promise<string | undefined> {
    return (await harness.services.accounts.describe(email))?.id as string | undefined;
  }
});
