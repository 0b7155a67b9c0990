import { expect } from 'chai';
import { EMMA, LIAM, importAccounts } from '../helpers/accounts.js';
import { ChatDriver, latestResetLink, startTestApp } from '../helpers/testApp.js';
import { makeTempDir } from '../helpers/tempDir.js';

describe('a journey across a restart, and what is left on disk and in the logs', () => {
  it('continues where it was after the server restarts in the middle of the journey', async () => {
    const temp = makeTempDir();
    try {
      let test = await startTestApp({ dataDir: temp.dir });
      await importAccounts(test, LIAM);
      const conversationId = 'restart-conversation';
      let chat = test.conversation(conversationId);
      await chat.say('reset');
      await chat.say('email');
      await chat.say(LIAM.email);
      const link = await latestResetLink(test, LIAM.email);
      await test.stop();

      // Restarted: the bot still waits for the link.
      test = await startTestApp({ dataDir: temp.dir });
      chat = test.conversation(conversationId);
      expect(await chat.say(link)).to.contain('type your new password here');
      expect(await chat.say('ember-quiet-falcon-road')).to.contain('Please type the same password once more');
      await test.stop();

      // Restarted between the two entries: the second one still completes the change.
      test = await startTestApp({ dataDir: temp.dir });
      chat = new ChatDriver(test.url, conversationId, 'en-US', 'emulator', test.app);
      expect(await chat.say('ember-quiet-falcon-road')).to.contain('Your password has been changed');
      expect(await test.app.accounts.checkPassword(LIAM.email, 'ember-quiet-falcon-road')).to.equal(true);
      await test.stop();
    } finally {
      temp.remove();
    }
  });

  it('keeps passwords and tokens out of every log line and data file', async () => {
    const test = await startTestApp();
    try {
      await importAccounts(test, EMMA);
      const chat = test.conversation(undefined, 'nl-NL');
      await chat.say('wachtwoord vergeten');
      await chat.say('e-mail');
      await chat.say(EMMA.email);
      const link = await latestResetLink(test, EMMA.email);
      const token = new URL(link).searchParams.get('token')!;
      await chat.say(link);
      await chat.say('Welkom2024!');
      await chat.say('sterke-wolk-lepel-paard');
      await chat.say('sterke-wolk-lepel-paard');
      await test.app.idle();
      expect(await test.app.accounts.checkPassword(EMMA.email, 'sterke-wolk-lepel-paard')).to.equal(true);

      const logs = test.logs.join('\n');
      const data = await test.allDataText();
      // The outbox is the mail itself (development delivery), so the link is there by design.
      const dataWithoutOutbox = data.replace(/\{"to":[^\n]*"at":"[^"]+"\}/g, '');
      for (const secret of [
        'sterke-wolk-lepel-paard',
        'Welkom2024!',
        EMMA.password!,
        token,
        '4111111111111111',
        '4111 1111 1111 1111',
      ]) {
        expect(logs, `log holds ${secret}`).not.to.contain(secret);
        expect(dataWithoutOutbox, `data holds ${secret}`).not.to.contain(secret);
      }
      expect(test.logs.filter((line) => line.includes('"level":"error"'))).to.deep.equal([]);
    } finally {
      await test.close();
    }
  });
});
