import { expect } from 'chai';
import path from 'node:path';
import { MainDialog } from '../../dialogs/mainDialog.js';
import type { OutboxSms } from '../../src/messaging/sms.js';
import { EMMA, LIAM, EMMA_TEAMS, LIAM_TEAMS } from '../helpers/accounts.js';
import { DialogHarness, type HarnessOptions } from '../helpers/dialogHarness.js';
import { buttonTitles, readJsonLines } from '../helpers/testApp.js';

const texts = {
  'en-US': {
    current: 'The phone number on your account ends in 78.',
    none: 'Your account has no phone number yet.',
    choicesWith: ['Use a new number', 'Remove my number', 'Keep it as it is'],
    choicesWithout: ['Add a number', 'Keep it as it is'],
    askNumber: 'Type the new mobile number',
    codeSent: "I've sent a 6-digit code by text message to the number ending in 21.",
    wrong: 'That code is not right. You can try 4 more times.',
    changed: 'Done: the number ending in 21 is now on your account.',
    confirm: 'Remove the number?',
    kept: 'your phone number stays as it is',
    removed: 'Your phone number has been removed.',
    inUse: 'That number is already linked to another StreamFlix account',
    same: "That's already the number on your account",
    notSignedIn: "For that you need to be signed in, and this chat isn't.",
    confirmIntro: 'Then you can change the phone number on your account',
    wrongPassword: "That isn't your current password. You can try 9 more times",
    method: 'How would you like to reset your password?',
  },
  'nl-NL': {
    current: 'Het telefoonnummer op je account eindigt op 78.',
    none: 'Er staat nog geen telefoonnummer op je account.',
    choicesWith: ['Een ander nummer gebruiken', 'Mijn nummer verwijderen', 'Zo laten'],
    choicesWithout: ['Een nummer toevoegen', 'Zo laten'],
    askNumber: 'Typ het nieuwe mobiele nummer',
    codeSent: 'Ik heb een code van 6 cijfers per sms gestuurd naar het nummer dat eindigt op 21.',
    wrong: 'Die code klopt niet. Je kunt het nog 4 keer proberen.',
    changed: 'Klaar: het nummer dat eindigt op 21 staat nu op je account.',
    confirm: 'Nummer verwijderen?',
    kept: 'je telefoonnummer blijft zoals het is',
    removed: 'Je telefoonnummer is verwijderd.',
    inUse: 'Dat nummer is al gekoppeld aan een ander StreamFlix-account',
    same: 'Dat nummer staat al op je account',
    notSignedIn: 'Daarvoor moet je ingelogd zijn, en in deze chat ben je dat niet.',
    confirmIntro: 'Daarna kun je het telefoonnummer op je account wijzigen',
    wrongPassword: 'Dat is niet je huidige wachtwoord. Je kunt het nog 9 keer proberen',
    method: 'Hoe wil je je wachtwoord herstellen?',
  },
};

describe('add or change the phone number (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  async function start(options: HarnessOptions): Promise<void> {
    harness = await DialogHarness.create((services) => new MainDialog(services), { initialOptions: {}, ...options });
    const { phone: _none, ...liamWithoutPhone } = LIAM;
    await harness.services.accounts.importAccounts([
      { ...EMMA, teamsAadObjectId: EMMA_TEAMS },
      { ...liamWithoutPhone, teamsAadObjectId: LIAM_TEAMS },
    ]);
  }

  /**
   * Opens the phone number change as the signed-in person: first the current password in its card, then what the
   * journey shows (the replies after "that's right").
   */
  async function openPhone(account: { password?: string }) {
    const asked = await harness.send('phone');
    expect(JSON.stringify(asked.at(-1)!.attachments)).to.contain('"id":"currentPassword"');
    const replies = await harness.send({ value: { currentPassword: account.password! } });
    expect(replies[0]!.text).to.match(/that's right|dat klopt/);
    return replies.slice(1);
  }

  async function phoneOf(email: string): Promise<unknown> {
    return (await harness.services.accounts.describe(email))?.phone;
  }

  async function texts_(): Promise<OutboxSms[]> {
    await harness.services.tasks.idle();
    return readJsonLines<OutboxSms>(path.join(harness.dataDir, 'outbox', 'sms.jsonl'));
  }

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}`, () => {
      it('adds a number once the code sent to it comes back by card, and tells the account by email', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: LIAM_TEAMS });
        const shown = await openPhone(LIAM);
        expect(shown[0]!.text).to.contain(t.none);
        expect(buttonTitles(shown)).to.deep.equal(t.choicesWithout);
        expect(await harness.say(t.choicesWithout[0]!)).to.contain(t.askNumber);

        const sent = await harness.send('06 11223321');
        expect(sent[0]!.text).to.contain(t.codeSent);
        expect(JSON.stringify(sent[1]!.attachments)).to.contain('"id":"code"');
        const sms = (await texts_()).at(-1)!;
        expect(sms.to).to.equal('+31611223321');
        const code = /\b(\d{6})\b/.exec(sms.body)![1]!;
        expect(await phoneOf(LIAM.email)).to.equal(null, 'not stored before the code comes back');

        const wrongCode = code === '000000' ? '111111' : '000000';
        expect(await harness.say({ value: { code: wrongCode } })).to.contain(t.wrong);
        expect(await harness.say({ value: { code } })).to.contain(t.changed);
        expect(await phoneOf(LIAM.email)).to.equal('+31611223321');
        const mail = (await harness.emails()).at(-1)!;
        expect(mail.to).to.equal(LIAM.email);
        expect(mail.text).to.contain('ending in 21');
      });

      it('replaces a number with a typed code, and voids a reset code sent to the old one', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS });
        await harness.services.sms.requestCode('06 12345678', { via: 'chat', conversationId: 'other', locale: 'nl' });
        const oldCode = /\b(\d{6})\b/.exec((await texts_()).at(-1)!.body)![1]!;

        const shown = await openPhone(EMMA);
        expect(shown[0]!.text).to.contain(t.current);
        expect(buttonTitles(shown)).to.deep.equal(t.choicesWith);
        await harness.send('new');
        await harness.send('+31 6 11223321');
        const code = /\b(\d{6})\b/.exec((await texts_()).at(-1)!.body)![1]!;
        expect(await harness.say(code)).to.contain(t.changed);
        expect(await phoneOf(EMMA.email)).to.equal('+31611223321');
        expect((await harness.services.sms.checkCode('other', oldCode)).kind).to.equal('expired');
      });

      it('removes the number only after a confirmation', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS });
        await openPhone(EMMA);
        expect(await harness.say(t.choicesWith[1]!)).to.contain(t.confirm);
        expect(await harness.say('no')).to.contain(t.kept);
        expect(await phoneOf(EMMA.email)).to.equal('+31612345678');

        await openPhone(EMMA);
        await harness.send('remove');
        expect(await harness.say('yes')).to.contain(t.removed);
        expect(await phoneOf(EMMA.email)).to.equal(null);
        expect((await harness.emails()).at(-1)!.text).to.contain('verwijderd');
      });

      it('refuses a number another account uses, after the code proves the person holds it', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: LIAM_TEAMS });
        await openPhone(LIAM);
        await harness.send('add');
        await harness.send(EMMA.phone!);
        const code = /\b(\d{6})\b/.exec((await texts_()).at(-1)!.body)![1]!;
        expect(await harness.say(code)).to.contain(t.inUse);
        expect(await phoneOf(LIAM.email)).to.equal(null);
        expect(await phoneOf(EMMA.email)).to.equal('+31612345678');
      });

      it('says so when the new number is the one already on the account', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS });
        await openPhone(EMMA);
        await harness.send('new');
        expect(await harness.say('+31612345678')).to.contain(t.same);
        expect(await texts_()).to.have.length(0);
      });

      it('asks for the current password before anything about the number, and a wrong one shows nothing', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS });
        const asked = await harness.send('phone');
        expect(JSON.stringify(asked)).not.to.contain(t.current);
        expect(JSON.stringify(asked)).to.contain(t.confirmIntro);
        const wrong = await harness.send({ value: { currentPassword: 'not-the-password' } });
        expect(wrong[0]!.text).to.contain(t.wrongPassword);
        expect(JSON.stringify(wrong)).not.to.contain(t.current);
        expect(JSON.stringify(wrong.at(-1)!.attachments)).to.contain('"id":"currentPassword"');
        expect(await phoneOf(EMMA.email)).to.equal('+31612345678');
      });

      it('goes to the reset when the person types "reset" instead of the current password', async () => {
        await start({ locale, channelId: 'msteams', teamsUser: EMMA_TEAMS });
        await harness.send('phone');
        expect(await harness.say('reset')).to.contain(t.method);
      });

      it('refuses a chat that is not signed in', async () => {
        await start({ locale });
        const replies = await harness.send('phone');
        expect(replies[0]!.text).to.contain(t.notSignedIn);
        expect(replies).to.have.length(1);
      });
    });
  }

  it('asks for the number again, for a new code, when the person says no text came', async () => {
    await start({ locale: 'nl-NL', channelId: 'msteams', teamsUser: EMMA_TEAMS });
    await openPhone(EMMA);
    await harness.send('new');
    await harness.send('06 11223321');
    expect(await harness.say('ik heb geen sms ontvangen')).to.contain('Een sms komt meestal binnen een minuut');
    expect(await harness.say('06 11223321')).to.contain('Ik heb een code van 6 cijfers per sms gestuurd');
    expect(await phoneOf(EMMA.email)).to.equal('+31612345678');
  });

  it('asks again for a malformed code and after five wrong codes stops without changing the number', async () => {
    await start({ locale: 'en-US', channelId: 'msteams', teamsUser: EMMA_TEAMS });
    await openPhone(EMMA);
    await harness.send('new');
    await harness.send('06 11223321');
    const code = /\b(\d{6})\b/.exec((await texts_()).at(-1)!.body)![1]!;
    const wrongCode = code === '000000' ? '111111' : '000000';
    expect(await harness.say('12 34')).to.contain('A code has 6 digits');
    for (let attempt = 1; attempt < 5; attempt++) await harness.send(wrongCode);
    expect(await harness.say(wrongCode)).to.contain('That was the fifth wrong try');
    expect(await phoneOf(EMMA.email)).to.equal('+31612345678');
  });
});
