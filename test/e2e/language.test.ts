import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { latestCode, useTestApp } from '../helpers/testApp.js';

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

describe('times in mails follow where the person is (end to end)', () => {
  const app = useTestApp({ accounts: [EMMA] });
  async function resetBySms(extra: Record<string, unknown>, password: string): Promise<string> {
    const chat = app.test.conversation(undefined, 'nl-NL');
    chat.extra = extra;
    await chat.send('sms');
    await chat.send(EMMA.phone!);
    await chat.send(await latestCode(app.test, '+31612345678'));
    await chat.send({ value: { password, confirm: password } });
    await app.test.app.idle();
    return (await app.test.emails()).at(-1)!.text;
  }

  it("shows the time of a change in the channel's time zone, else in the service's", async () => {
    // The test clock says 25 November 2026, 10:00 UTC.
    expect(await resetBySms({ localTimezone: 'America/New_York' }, 'ember-quiet-falcon-road')).to.contain(
      '25 november 2026 om 05:00',
    );
    expect(await resetBySms({}, 'copper-lantern-meadow-tide')).to.contain('25 november 2026 om 11:00 CET');
  });
});
