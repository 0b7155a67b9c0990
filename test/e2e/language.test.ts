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

  it("answers clear Dutch in Dutch even in a client set to English, and words both share in the conversation's language", async () => {
    const chat = app.test.conversation(undefined, 'en-US');
    // Not signed in, so the reset instead: its question waits, in English.
    expect(await chat.say('change-password')).to.contain('you need to be signed in');
    // Clear Dutch: the question comes again, now in Dutch.
    expect(await chat.say('ik wil gewoon mijn wachtwoord herstellen')).to.contain('Kies een van de opties');
    expect(await chat.say('sms')).to.contain('Wat is het mobiele nummer');
  });
});
