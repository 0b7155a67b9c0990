import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { buttonTitles, hasPasswordCard, latestCode, useTestApp } from '../helpers/testApp.js';

const EMMA_PHONE = '+31612345678';
const LIAM_PHONE = '+447911123456';

describe('reset by SMS code, through the real server (outbox)', () => {
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  async function askCode(chat = app.test.conversation(), number = '06-1234 5678'): Promise<string> {
    await chat.say('reset');
    await chat.say('sms');
    return chat.say(number);
  }

  it('takes a person from "sms" to a new password in English', async () => {
    const chat = app.test.conversation();
    expect(await chat.say('I forgot my password')).to.contain('How would you like to reset your password?');
    expect(await chat.say('By text message (SMS)')).to.contain('What is the mobile number on your StreamFlix account?');
    const answer = await chat.say('+44 7911 123456');
    expect(answer).to.contain(
      'If this number is linked to an account, a 6-digit code is on its way by text message. It works for 20 minutes.',
    );
    expect(answer).to.contain('A number that was never added to your account cannot receive codes');

    const code = await latestCode(app.test, LIAM_PHONE);
    const [sms] = await app.test.texts();
    expect(sms!.body).to.equal(
      `${code} is your StreamFlix reset code. It works for 20 minutes. Never share it with anyone.`,
    );
    expect(hasPasswordCard(await chat.send(code.replace(/(\d{3})/, '$1 ')))).to.equal(true);
    expect(
      await chat.say({ value: { password: 'ember-quiet-falcon-road', confirm: 'ember-quiet-falcon-road' } }),
    ).to.contain('Your password has been changed');
    expect(await app.test.app.accounts.checkPassword(LIAM.email, 'ember-quiet-falcon-road')).to.equal(true);
    await app.test.app.idle();
    expect((await app.test.emails()).map((mail) => mail.subject)).to.deep.equal([
      'Your StreamFlix password was changed',
    ]);
  });

  it('takes a person through the same journey in Dutch, with a national number', async () => {
    const chat = app.test.conversation(undefined, 'nl-NL');
    const answer = await askCode(chat, '06 12 34 56 78');
    expect(answer).to.contain(
      'Als dit nummer aan een account is gekoppeld, is er een code van 6 cijfers per sms onderweg',
    );
    const code = await latestCode(app.test, EMMA_PHONE);
    expect((await app.test.texts()).at(-1)!.body).to.equal(
      `${code} is je herstelcode voor StreamFlix. De code is 20 minuten geldig. Deel hem met niemand.`,
    );
    await chat.say(code);
    expect(await chat.say({ value: { password: 'wolk-lepel-paard-zon', confirm: 'wolk-lepel-paard-zon' } })).to.contain(
      'Je wachtwoord is gewijzigd',
    );
  });

  it('answers an unknown number exactly like a known one, down to the wrong-code answers', async () => {
    const known = app.test.conversation();
    const unknown = app.test.conversation();
    expect(await askCode(unknown, '06 55512345')).to.equal(await askCode(known, '06 12345678'));
    await app.test.app.idle();
    expect((await app.test.texts()).map((sms) => sms.to)).to.deep.equal([EMMA_PHONE]);
    for (let i = 0; i < 5; i++) {
      const code = `00000${i}`;
      expect(await unknown.say(code)).to.equal(await known.say(code));
    }
  });

  it('counts down wrong codes and kills the code after the fifth, then sends a new one in one step', async () => {
    const chat = app.test.conversation();
    await askCode(chat);
    const code = await latestCode(app.test, EMMA_PHONE);
    const wrong = code === '111111' ? '222222' : '111111';
    expect(await chat.say(wrong)).to.contain('That code is not right. You can try 4 more times.');
    for (let i = 0; i < 3; i++) await chat.say(wrong);
    const fifth = await chat.send(wrong);
    expect(fifth.map((a) => a.text).join(' ')).to.contain(
      'That was the fifth wrong try, so this code no longer works.',
    );
    expect(buttonTitles(fifth)).to.deep.equal(['Send a new code', 'Use email instead', 'No, thanks']);
    expect(await chat.say(code)).to.contain('Please choose');
  });

  it('does not take the right code once it is dead, and works with the new one', async () => {
    const chat = app.test.conversation();
    await askCode(chat);
    const dead = await latestCode(app.test, EMMA_PHONE);
    for (let i = 0; i < 5; i++) await chat.say(dead === '000000' ? '999999' : '000000');
    expect(await chat.say('Send a new code')).to.contain('a 6-digit code is on its way');
    const fresh = await latestCode(app.test, EMMA_PHONE);
    expect(hasPasswordCard(await chat.send(fresh))).to.equal(true);
  });

  it('says an expired code has expired and offers a new one or the email route', async () => {
    const chat = app.test.conversation();
    await askCode(chat);
    const code = await latestCode(app.test, EMMA_PHONE);
    app.advanceClock(20 * 60_000);
    expect(await chat.say(code)).to.contain('That code no longer works: a code works for 20 minutes');
    expect(await chat.say('Use email instead')).to.contain('What is the email address of your StreamFlix account?');
  });

  it('works only in the conversation that asked for it', async () => {
    const asking = app.test.conversation();
    await askCode(asking);
    const code = await latestCode(app.test, EMMA_PHONE);
    const other = app.test.conversation();
    await askCode(other, '06 55598765');
    expect(await other.say(code)).to.contain('That code is not right');
  });

  it('voids the older code when a newer one is sent', async () => {
    const first = app.test.conversation();
    await askCode(first);
    const old = await latestCode(app.test, EMMA_PHONE);
    await askCode(app.test.conversation());
    expect(await first.say(old)).to.contain('That code no longer works');
  });

  it('asks again for a number it cannot use, without counting it', async () => {
    const chat = app.test.conversation();
    await chat.say('reset');
    await chat.say('sms');
    expect(await chat.say('12 34')).to.contain("That doesn't look like a phone number");
    expect(await chat.say('020 123 4567')).to.contain('That looks like a landline');
    expect(await chat.say('0612345678')).to.contain('a 6-digit code is on its way');
    const other = app.test.conversation();
    await other.say('sms');
    expect(await other.say({ value: { phone: '0612345678' } })).to.contain("That doesn't look like a phone number");
  });

  it('limits codes per number to 5 an hour, with the same answer for unknown numbers', async () => {
    for (const number of ['06 12345678', '06 55555555']) {
      let answer = '';
      for (let i = 0; i < 6; i++) answer = await askCode(app.test.conversation(), number);
      expect(answer, number).to.match(/For your security, please try again in \d+ minutes\./);
    }
    await app.test.app.idle();
    expect((await app.test.texts()).filter((sms) => sms.to === EMMA_PHONE)).to.have.length(5);
  });

  it('keeps codes out of the logs and out of the store', async () => {
    const chat = app.test.conversation();
    await askCode(chat);
    const code = await latestCode(app.test, EMMA_PHONE);
    await chat.say(code === '123456' ? '654321' : '123456');
    await chat.say(code);
    const data = (await app.test.allDataText()).replace(/\{"to":[^\n]*"at":"[^"]+"\}/g, '');
    expect(app.test.logs.join('\n')).not.to.contain(code);
    expect(data).not.to.contain(code);
  });
});
