import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { buttonTitles, hasPasswordCard, latestResetLink, replyText, useTestApp } from '../helpers/testApp.js';

describe('links pasted into the chat', () => {
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  async function askForLink(chat = app.test.conversation(), email = LIAM.email): Promise<string> {
    await chat.say('reset');
    await chat.say('email');
    await chat.say(email);
    return latestResetLink(app.test, email);
  }

  it('continues from a link pasted into a fresh conversation', async () => {
    const link = await askForLink();
    const later = app.test.conversation();
    const replies = await later.send(link);
    expect(hasPasswordCard(replies)).to.equal(true);
    expect(
      await later.say({ value: { password: 'ember-quiet-falcon-road', confirm: 'ember-quiet-falcon-road' } }),
    ).to.contain('Your password has been changed');
  });

  it('says an expired link has expired and sends a new email in one step', async () => {
    const chat = app.test.conversation();
    const old = await askForLink(chat);
    app.advanceClock(25 * 3600_000);
    const replies = await chat.send(old);
    expect(replyText(replies))
      .to.contain('That link has expired: a link works for 24 hours.')
      .and.contain('Shall I send you a new email?');
    expect(buttonTitles(replies)).to.deep.equal(['Send a new email', 'No, thanks', "Why doesn't my link work?"]);
    expect(await chat.say('Send a new email')).to.contain('an email is on its way');
    const fresh = await latestResetLink(app.test, LIAM.email);
    expect(fresh).not.to.equal(old);
    expect(hasPasswordCard(await chat.send(fresh))).to.equal(true);
  });

  it('refuses a link the second time, in Dutch, and offers a new one', async () => {
    const chat = app.test.conversation(undefined, 'nl-NL');
    const link = await askForLink(chat, EMMA.email);
    await chat.say(link);
    await chat.say({ value: { password: 'wolk-lepel-paard-zon', confirm: 'wolk-lepel-paard-zon' } });
    const again = await chat.say(link);
    expect(again).to.contain('Die link is al gebruikt').and.contain('Zal ik je een nieuwe e-mail sturen?');
    expect(await chat.say('nee')).to.contain('Je kunt me altijd om een nieuwe link vragen');
  });

  it('keeps asking for the link when something else is pasted, and explains where it starts', async () => {
    const chat = app.test.conversation();
    await askForLink(chat);
    expect(await chat.say('hmm where is it')).to.contain(`it starts with ${app.test.config.publicBaseUrl}/reset`);
    expect(await chat.say({ value: { password: 'x', confirm: 'x' } })).to.contain("doesn't look like the link");
  });

  it('answers an unknown token with "doesn\'t work" and asks for the address for a new email', async () => {
    const chat = app.test.conversation();
    const reply = await chat.say(`${app.test.config.publicBaseUrl}/reset?token=${'Zz9'.repeat(14)}a`);
    expect(reply).to.contain("That link doesn't work");
    expect(await chat.say('yes')).to.contain('What is the email address of your StreamFlix account?');
  });

  it('voids an older link once the password was changed with a newer one', async () => {
    const chat = app.test.conversation();
    const first = await askForLink(chat);
    await chat.say('cancel');
    const second = await askForLink(chat);
    expect(second).not.to.equal(first);
    await chat.say(second);
    await chat.say({ value: { password: 'ember-quiet-falcon-road', confirm: 'ember-quiet-falcon-road' } });
    expect(await chat.say(first)).to.contain("That link doesn't work");
  });
});
