import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { buttonTitles, hasPasswordCard, latestResetLink, useTestApp } from '../helpers/testApp.js';

describe('reset by email, through the real server', () => {
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  it('greets a new conversation with the menu as buttons', async () => {
    const chat = app.test.conversation();
    const replies = await chat.open();
    expect(replies.map((r) => r.text).join(' ')).to.contain('password help bot');
    expect(buttonTitles(replies)).to.deep.equal([
      'Reset my password',
      'Change my password',
      'Add or change my phone number',
      'The email did not arrive',
      'The link does not work',
      'My new password is refused',
      'Talk to a person',
    ]);
  });

  it('takes a person from "I forgot my password" to a new password in English', async () => {
    const chat = app.test.conversation();
    expect(await chat.say('I forgot my password')).to.contain('How would you like to reset your password?');
    expect(await chat.say('email')).to.contain('What is the email address of your StreamFlix account?');
    expect(await chat.say('Liam.Smith@example.com')).to.contain(
      'If an account uses this address, an email is on its way',
    );

    const link = await latestResetLink(app.test, LIAM.email);
    const mail = (await app.test.emails()).at(-1)!;
    expect(mail.subject).to.equal('Reset your StreamFlix password');
    expect(mail.text).to.contain('24 hours');
    expect(mail.html).to.contain(link.replace(/&/g, '&amp;'));

    const cardReplies = await chat.send(`Here it is: ${link}`);
    expect(hasPasswordCard(cardReplies)).to.equal(true);
    expect(
      await chat.say({ value: { password: 'ember-quiet-falcon-road', confirm: 'ember-quiet-falcon-road' } }),
    ).to.contain('Your password has been changed');

    await app.test.app.idle();
    expect(await app.test.app.accounts.checkPassword(LIAM.email, 'ember-quiet-falcon-road')).to.equal(true);
    expect(await app.test.app.accounts.checkPassword(LIAM.email, LIAM.password!)).to.equal(false);
    const notice = (await app.test.emails()).at(-1)!;
    expect(notice.to).to.equal(LIAM.email);
    expect(notice.subject).to.equal('Your StreamFlix password was changed');
  });

  it('takes a person through the same journey in Dutch, typing the password twice', async () => {
    const chat = app.test.conversation(undefined, 'nl-NL');
    expect(await chat.say('ik ben mijn wachtwoord vergeten')).to.contain('Hoe wil je je wachtwoord herstellen?');
    expect(await chat.say('e-mail')).to.contain('Wat is het e-mailadres van je StreamFlix-account?');
    expect(await chat.say(EMMA.email)).to.contain('Als er een account met dit adres is, is er een e-mail onderweg');

    const link = await latestResetLink(app.test, EMMA.email);
    const mail = (await app.test.emails()).at(-1)!;
    expect(mail.subject).to.equal('Herstel je wachtwoord van StreamFlix');
    expect(mail.text).to.contain('24 uur');

    expect(await chat.say(link)).to.contain('typ je nieuwe wachtwoord hier');
    expect(await chat.say('wolk-lepel-paard-zon')).to.contain('Typ hetzelfde wachtwoord nog een keer');
    expect(await chat.say('wolk-lepel-paard-zon')).to.contain('Je wachtwoord is gewijzigd');
    expect(await app.test.app.accounts.checkPassword(EMMA.email, 'wolk-lepel-paard-zon')).to.equal(true);
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const known = app.test.conversation();
    const unknown = app.test.conversation();
    for (const chat of [known, unknown]) {
      await chat.say('reset');
      await chat.say('email');
    }
    const knownReply = await known.say(LIAM.email);
    const unknownReply = await unknown.say('nobody@example.com');
    expect(unknownReply).to.equal(knownReply);
    await app.test.app.idle();
    expect((await app.test.emails()).map((mail) => mail.to)).to.deep.equal([LIAM.email]);
  });
});
