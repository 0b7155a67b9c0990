import { expect } from 'chai';
import { EMMA, LIAM, importAccounts } from '../helpers/accounts.js';
import {
  buttonTitles,
  hasPasswordCard,
  latestResetLink,
  replyText,
  startTestApp,
  type TestApp,
} from '../helpers/testApp.js';

const CARD = '4111 1111 1111 1111';

describe('recovery through billing details', () => {
  let test: TestApp;

  async function start(env: Record<string, string> = {}): Promise<void> {
    test = await startTestApp({ env });
    await importAccounts(test, EMMA, LIAM, {
      email: 'sam.jansen@example.com',
      password: 'river-stone-lamp',
      firstName: 'Sam',
      lastName: 'Jansen',
      payment: { type: 'card', cardNumber: '5500-0000-0000-0004' },
    });
  }

  afterEach(() => test.close());

  async function toCard(chat = test.conversation(), locale = 'en-US'): Promise<string> {
    chat.locale = locale;
    await chat.say('reset');
    expect(await chat.say('billing')).to.match(/How do you pay|Hoe betaal je/);
    return replyText(await chat.send(locale.startsWith('nl') ? 'Met een kaart' : 'By card'));
  }

  it('finds the account by name and card, typed one by one, and mails its own address', async () => {
    await start();
    const chat = test.conversation();
    expect(await toCard(chat)).to.contain('or type the first name on your StreamFlix account here');
    expect(await chat.say(' emma ')).to.contain('And the last name?');
    expect(await chat.say('DE VRIES')).to.contain('What is the number of the card you pay with?');
    const answer = await chat.say(CARD);
    expect(answer).to.contain(
      'If we found an account with these details, an email is on its way to the address on that account',
    );
    expect(answer).not.to.contain('emma');
    const link = await latestResetLink(test, EMMA.email);
    expect(hasPasswordCard(await chat.send(link))).to.equal(true);
  });

  it('answers a mismatch with the same words and mails nobody', async () => {
    await start();
    const matching = test.conversation();
    await toCard(matching);
    const matched = await matching.say({ value: { firstName: 'Emma', lastName: 'de Vries', cardNumber: CARD } });
    const other = test.conversation();
    await toCard(other);
    const unmatched = await other.say({
      value: { firstName: 'Emma', lastName: 'de Vries', cardNumber: '5500 0000 0000 0004' },
    });
    expect(unmatched).to.equal(matched);
    await test.app.idle();
    expect((await test.emails()).map((mail) => mail.to)).to.deep.equal([EMMA.email]);
  });

  it('catches a typo in the card number and takes the corrected one, in Dutch', async () => {
    await start();
    const chat = test.conversation(undefined, 'nl-NL');
    await toCard(chat, 'nl-NL');
    await chat.say('Sam');
    await chat.say('Jansen');
    expect(await chat.say('5500 0000 0000 0005')).to.contain('Dat kaartnummer lijkt niet te kloppen');
    expect(await chat.say('5500-0000-0000-0004')).to.contain('Als we een account met deze gegevens hebben gevonden');
    expect(await latestResetLink(test, 'sam.jansen@example.com')).to.contain('/reset?token=');
  });

  it('points partner customers to their provider, and others to support, in both languages', async () => {
    await start();
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('billing');
    const partners = await chat.send('Through my TV, internet or phone provider');
    expect(buttonTitles(partners)).to.include.members(['Ziggo', 'KPN', 'Telenet', 'Another provider']);
    const ziggo = await chat.say('ziggo');
    expect(ziggo)
      .to.contain('Ziggo handles your sign-in')
      .and.contain('https://www.ziggo.nl/klantenservice')
      .and.contain("I can't log in");

    const dutch = test.conversation(undefined, 'nl-NL');
    await dutch.say('reset');
    await dutch.say('betaalgegevens');
    await dutch.say('via mijn provider');
    expect(await dutch.say('Een andere provider')).to.contain('regelt je provider de aanmelding');

    const other = test.conversation();
    await other.say('reset');
    await other.say('billing');
    const answer = await other.say('Another way');
    expect(answer)
      .to.contain('Only accounts paid by card can be found')
      .and.contain('https://help.streamflix.example/contact');
  });

  it('says where the route is switched off, and offers support', async () => {
    await start({ BILLING_RECOVERY_REGIONS: 'NL,BE', SUPPORT_URL: 'https://support.streamflix.example/' });
    const american = test.conversation(undefined, 'en-US');
    await american.say('reset');
    const answer = await american.say('billing');
    expect(answer).to.contain('not available in your country').and.contain('https://support.streamflix.example/');
    const belgian = test.conversation(undefined, 'nl-BE');
    await belgian.say('reset');
    expect(await belgian.say('billing')).to.contain('Hoe betaal je voor StreamFlix?');
  });

  it('takes the card only through the card in Teams', async () => {
    await start();
    const chat = test.conversation(undefined, 'en-US', 'msteams');
    const card = await (async () => {
      await chat.say('reset');
      await chat.say('billing');
      return chat.send('By card');
    })();
    expect(card[0]!.attachments).to.have.length(1);
    expect(card[0]!.text ?? '').not.to.contain('type the first name');
    expect(await chat.say('Emma')).to.contain("please don't type your card details as a message");
    expect(await chat.say({ value: { firstName: 'Emma', lastName: 'de Vries', cardNumber: CARD } })).to.contain(
      'an email is on its way',
    );
  });

  it('limits lookups per conversation so card numbers cannot be tested', async () => {
    await start();
    const chat = test.conversation();
    let answer = '';
    for (let i = 0; i < 6; i++) {
      await toCard(chat);
      answer = await chat.say({ value: { firstName: 'Emma', lastName: 'de Vries', cardNumber: CARD } });
    }
    expect(answer).to.match(/please try again in \d+ minutes/);
  });

  it('leaves the card number nowhere on disk and in no log after a full run', async () => {
    await start();
    const chat = test.conversation();
    await toCard(chat);
    await chat.say('Emma');
    await chat.say('de Vries');
    await chat.say('4111 1111 1111 1112');
    await chat.say(CARD);
    await chat.send(await latestResetLink(test, EMMA.email));
    await test.app.idle();
    const data = (await test.allDataText()).replace(/\{"to":[^\n]*"at":"[^"]+"\}/g, '');
    const logs = test.logs.join('\n');
    for (const form of ['4111111111111111', CARD, '4111-1111-1111-1111', '4111111111111112', '4111 1111 1111 1112']) {
      expect(data, form).not.to.contain(form);
      expect(logs, form).not.to.contain(form);
    }
    // The outbox holds the reset mail only; it never mentions the card.
    expect((await test.emails()).map((mail) => mail.text).join()).not.to.contain('4111');
  });
});
