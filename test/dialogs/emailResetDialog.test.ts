import { expect } from 'chai';
import { EmailResetDialog } from '../../dialogs/emailResetDialog.js';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { LIAM } from '../helpers/accounts.js';
import { DialogHarness } from '../helpers/dialogHarness.js';

describe('reset by email (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  for (const [locale, ask, invalid, sent] of [
    [
      'en-US',
      'What is the email address',
      "That doesn't look like an email address",
      'If an account uses this address',
    ],
    ['nl-NL', 'Wat is het e-mailadres', 'Dat lijkt geen e-mailadres', 'Als er een account met dit adres is'],
  ] as const) {
    describe(`in ${locale}`, () => {
      beforeEach(async () => {
        harness = await DialogHarness.create((services) => new EmailResetDialog(services), { locale });
        await harness.services.accounts.importAccounts([LIAM]);
      });

      it('asks for the address, then answers and waits for the link', async () => {
        expect(await harness.say('hi')).to.contain(ask);
        const reply = await harness.say(LIAM.email);
        expect(reply).to.contain(sent);
        expect((await harness.emails()).map((mail) => mail.to)).to.deep.equal([LIAM.email]);
      });

      for (const [label, input] of [
        ['empty text', ''],
        ['10 000 characters', `${'x'.repeat(10_000)}@example.com`],
        ['emoji', '📧📧📧'],
        ['a sentence without an address', 'my email is the usual one'],
        ['a card submit', { value: { firstName: 'Liam' } }],
      ] as const) {
        it(`asks again after ${label}, and sends nothing`, async () => {
          await harness.send('hi');
          expect(await harness.say(input as string)).to.contain(invalid);
          expect(await harness.emails()).to.deep.equal([]);
        });
      }
    });
  }

  it('tells the person when to try again after too many requests', async () => {
    harness = await DialogHarness.create((services) => new MainDialog(services), {
      locale: 'en-US',
      initialOptions: {},
    });
    let reply = '';
    for (let i = 0; i < 6; i++) {
      await harness.send('cancel');
      await harness.send('reset');
      await harness.send('email');
      reply = await harness.say('someone@example.com');
    }
    expect(reply).to.match(/For your security, please try again in \d+ minutes\./);
  });
});
