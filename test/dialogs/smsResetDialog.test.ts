import { expect } from 'chai';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { SmsResetDialog } from '../../dialogs/smsResetDialog.js';
import { EMMA } from '../helpers/accounts.js';
import { DialogHarness } from '../helpers/dialogHarness.js';
import { buttonTitles, hasPasswordCard } from '../helpers/testApp.js';

const texts = {
  'en-US': {
    ask: 'What is the mobile number on your StreamFlix account?',
    invalid: "That doesn't look like a phone number.",
    landline: 'That looks like a landline',
    sent: 'a 6-digit code is on its way by text message',
    codeAsk: 'Type the 6-digit code from the text message here.',
    malformed: 'A code has 6 digits, like 123456.',
    wrong: 'That code is not right. You can try 4 more times.',
    offerRetry: 'Please choose one of the options',
    changed: 'Your password has been changed',
  },
  'nl-NL': {
    ask: 'Wat is het mobiele nummer van je StreamFlix-account?',
    invalid: 'Dat lijkt geen telefoonnummer.',
    landline: 'Dat lijkt een vast nummer',
    sent: 'is er een code van 6 cijfers per sms onderweg',
    codeAsk: 'Typ hier de code van 6 cijfers uit de sms.',
    malformed: 'Een code heeft 6 cijfers, zoals 123456.',
    wrong: 'Die code klopt niet. Je kunt het nog 4 keer proberen.',
    offerRetry: 'Kies een van de opties',
    changed: 'Je wachtwoord is gewijzigd',
  },
};

describe('reset by SMS (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}`, () => {
      beforeEach(async () => {
        harness = await DialogHarness.create((services) => new SmsResetDialog(services), { locale });
        await harness.services.accounts.importAccounts([EMMA]);
        expect(await harness.say('hi')).to.contain(t.ask);
      });

      it('goes from number to code to new password', async () => {
        expect(await harness.say('06 12345678')).to.contain(t.sent);
        const code = await harness.latestCode();
        await harness.say(code);
        expect(
          await harness.say({ value: { password: 'ember-quiet-falcon-road', confirm: 'ember-quiet-falcon-road' } }),
        ).to.contain(t.changed);
      });

      for (const [label, input] of [
        ['empty text', ''],
        ['10 000 characters', '0'.repeat(10_000)],
        ['emoji', '📱📱📱'],
        ['a card submit', { value: { phone: '0612345678' } }],
      ] as const) {
        it(`asks again for the number after ${label}`, async () => {
          expect(await harness.say(input as string)).to.contain(t.invalid);
        });
      }

      it('asks for a mobile number after a landline', async () => {
        expect(await harness.say('020 123 4567')).to.contain(t.landline);
      });

      describe('at the code prompt', () => {
        beforeEach(async () => {
          await harness.say('06 12345678');
        });

        for (const [label, input] of [
          ['empty text', ''],
          ['10 000 characters', '1'.repeat(10_000)],
          ['emoji', '🔢🔢'],
          ['five digits', '12345'],
          ['a card submit of the wrong type', { value: { code: 123456 } }],
        ] as const) {
          it(`explains the code's shape after ${label}, without counting a try`, async () => {
            expect(await harness.say(input as string)).to.contain(t.malformed);
            const code = await harness.latestCode();
            expect(await harness.say(code === '999999' ? '999998' : '999999')).to.contain(t.wrong);
          });
        }

        it('asks again, with the three choices, after something unclear at the offer', async () => {
          const code = await harness.latestCode();
          for (let i = 0; i < 5; i++) await harness.send(code === '000000' ? '000001' : '000000');
          const replies = await harness.send('🙂');
          expect(replies[0]!.text).to.contain(t.offerRetry);
          expect(buttonTitles(replies)).to.have.length(3);
        });
      });
    });
  }

  it('is reachable from the main menu and explains its steps on "help"', async () => {
    harness = await DialogHarness.create((services) => new MainDialog(services), {
      locale: 'en-US',
      initialOptions: {},
    });
    await harness.send('reset');
    await harness.send('sms');
    expect(await harness.say('help')).to.contain('Type the mobile number you added to your account');
    await harness.send('06 55512345');
    expect(await harness.say('help')).to.contain('Type the 6 digits from the text message');
    expect(await harness.say('cancel')).to.equal("OK, I've stopped. Nothing was changed.");
  });

  it('takes the code in a card in Teams, so it never has to be typed into the chat', async () => {
    harness = await DialogHarness.create((services) => new SmsResetDialog(services), { channelId: 'msteams' });
    await harness.services.accounts.importAccounts([EMMA]);
    await harness.send('hi');
    const sent = await harness.send('06 12345678');
    const card = sent.at(-1)!;
    expect(card.text).to.equal(undefined);
    expect(JSON.stringify(card.attachments)).to.contain('"id":"code"').and.contain('Enter the code');
    expect(await harness.say({ value: { code: '12' } })).to.contain('A code has 6 digits');
    const code = await harness.latestCode();
    expect(hasPasswordCard(await harness.send({ value: { code } }))).to.equal(true);
  });
});
