import { expect } from 'chai';
import { BillingDialog } from '../../dialogs/billingDialog.js';
import { EMMA } from '../helpers/accounts.js';
import { DialogHarness } from '../helpers/dialogHarness.js';

const texts = {
  'en-US': {
    ask: 'How do you pay for StreamFlix?',
    retry: 'Please choose: by card, through a provider, or another way.',
    card: 'By card',
    invalidName: 'Please type a name, with letters.',
    lastName: 'And the last name?',
    number: 'What is the number of the card you pay with?',
    invalidCard: "That card number doesn't look right.",
    incomplete: 'Please fill in all three fields of the card.',
    sent: 'If we found an account with these details',
  },
  'nl-NL': {
    ask: 'Hoe betaal je voor StreamFlix?',
    retry: 'Kies: met een betaalkaart, via een provider, of op een andere manier.',
    card: 'kaart',
    invalidName: 'Typ een naam, met letters.',
    lastName: 'En de achternaam?',
    number: 'Wat is het nummer van de betaalkaart waarmee je betaalt?',
    invalidCard: 'Dat kaartnummer lijkt niet te kloppen.',
    incomplete: 'Vul alle drie de velden van het formulier in.',
    sent: 'Als we een account met deze gegevens hebben gevonden',
  },
};

describe('billing details (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}`, () => {
      beforeEach(async () => {
        harness = await DialogHarness.create((services) => new BillingDialog(services), { locale });
        await harness.services.accounts.importAccounts([EMMA]);
        expect(await harness.say('start')).to.contain(t.ask);
      });

      for (const input of ['', '🙂', 'x'.repeat(10_000)]) {
        it(`asks again how the person pays after ${JSON.stringify(input.slice(0, 5))}`, async () => {
          expect(await harness.say(input)).to.contain(t.retry);
        });
      }

      describe('by card', () => {
        beforeEach(async () => {
          await harness.say(t.card);
        });

        for (const [label, input] of [
          ['digits', '12345'],
          ['emoji', '🙂🙂'],
          ['101 characters', 'x'.repeat(101)],
          ['an empty message', ''],
        ] as const) {
          it(`refuses ${label} as a first name`, async () => {
            expect(await harness.say(input)).to.contain(t.invalidName);
          });
        }

        it('refuses a bad last name and keeps the first', async () => {
          await harness.say('Emma');
          expect(await harness.say('123')).to.contain(t.invalidName);
          expect(await harness.say('de Vries')).to.contain(t.number);
        });

        for (const [label, input] of [
          ['letters', 'my visa card'],
          ['too few digits', '4111 1111'],
          ['10 000 characters', '4'.repeat(10_000)],
          ['a Luhn typo', '4111 1111 1111 1112'],
        ] as const) {
          it(`asks for the number again after ${label}`, async () => {
            await harness.say('Emma');
            await harness.say('de Vries');
            expect(await harness.say(input)).to.contain(t.invalidCard);
            expect(await harness.say('4111-1111-1111-1111')).to.contain(t.sent);
          });
        }

        it('asks for the whole card again when a field is missing', async () => {
          expect(await harness.say({ value: { firstName: 'Emma', cardNumber: '4111111111111111' } })).to.contain(
            t.incomplete,
          );
        });

        it('mails the account once the card matches', async () => {
          await harness.say({ value: { firstName: 'emma', lastName: 'DE VRIES', cardNumber: '4111 1111 1111 1111' } });
          expect((await harness.emails()).map((mail) => mail.to)).to.deep.equal([EMMA.email]);
        });
      });
    });
  }

  it('gives the general advice for a provider that is not listed', async () => {
    harness = await DialogHarness.create((services) => new BillingDialog(services), { locale: 'en-US' });
    await harness.say('start');
    await harness.say('partner');
    expect(await harness.say('Delta Fiber')).to.contain('your provider handles the sign-in');
  });
});
