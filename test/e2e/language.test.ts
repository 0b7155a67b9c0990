import { expect } from 'chai';
import { LIAM } from '../helpers/accounts.js';
import { useTestApp } from '../helpers/testApp.js';

describe('the reply language follows the person when the channel names none (end to end)', () => {
  const app = useTestApp({ accounts: [LIAM] });

  it('answers Dutch typed without a locale in Dutch, and keeps Dutch for words both languages use', async () => {
    const chat = app.test.conversation(undefined, '');
    expect(await chat.say('hoi, ik ben mijn wachtwoord vergeten')).to.contain('Hoe wil je je wachtwoord herstellen?');
    expect(await chat.say('sms')).to.contain('Wat is het mobiele nummer');
  });

  it('answers English typed without a locale in English, and switches when the person clearly writes Dutch', async () => {
    const chat = app.test.conversation(undefined, '');
    expect(await chat.say('I forgot my password')).to.contain('How would you like to reset your password?');
    expect(await chat.say('menu')).to.contain('What can I help you with?');
    expect(await chat.say('ik wil met een medewerker praten')).to.contain('collega');
  });

  it('keeps to the channel language when the channel names one the bot speaks', async () => {
    const chat = app.test.conversation(undefined, 'en-US');
    expect(await chat.say('ik ben mijn wachtwoord vergeten')).to.contain('How would you like to reset your password?');
  });
});
