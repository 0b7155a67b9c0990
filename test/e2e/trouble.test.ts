import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { buttonTitles, hasPasswordCard, latestResetLink, replyText, useTestApp } from '../helpers/testApp.js';

describe('trouble cases', () => {
  const app = useTestApp({ accounts: [EMMA, LIAM], env: { EMAIL_FROM: 'StreamFlix <help@streamflix.example>' } });

  describe('the email did not arrive', () => {
    it('from the menu: folders, filters, the sender, delays, then a new email in one step', async () => {
      const chat = app.test.conversation();
      await chat.open();
      const tips = await chat.say('The email did not arrive');
      expect(tips)
        .to.contain('spam or junk folder')
        .and.contain('filters')
        .and.contain('Add StreamFlix <help@streamflix.example> to your contacts');
      expect(tips).to.contain('sometimes for hours').and.contain('Shall I send you a new email?');
      expect(await chat.say('yes')).to.contain('What is the email address of your StreamFlix account?');
      expect(await chat.say(LIAM.email)).to.contain('an email is on its way');
      expect(await latestResetLink(app.test, LIAM.email)).to.contain('/reset?token=');
    });

    it('from free text in Dutch', async () => {
      const chat = app.test.conversation(undefined, 'nl-NL');
      const tips = await chat.say('ik heb geen e-mail ontvangen');
      expect(tips).to.contain('Kijk in je map met spam').and.contain('Zal ik je een nieuwe e-mail sturen?');
      expect(await chat.say('nee')).to.contain('Je kunt me altijd om een nieuwe link vragen');
    });

    it('inside the email reset, right where the person waits for the link, and resends to the same address', async () => {
      const chat = app.test.conversation();
      await chat.say('reset');
      await chat.say('email');
      const waiting = await chat.send(EMMA.email);
      expect(buttonTitles(waiting)).to.deep.equal(['The email did not arrive', 'The link does not work']);
      await chat.say('The email did not arrive');
      expect(await chat.say('Send a new email')).to.contain('an email is on its way');
      await app.test.app.idle();
      expect((await app.test.emails()).filter((mail) => mail.to === EMMA.email)).to.have.length(2);
      // Still waiting for the link: the newest one continues the journey.
      expect(hasPasswordCard(await chat.send(await latestResetLink(app.test, EMMA.email)))).to.equal(true);
    });
  });

  describe('the link does not work', () => {
    it('from the menu: old emails, cookies, only the newest link, another browser', async () => {
      const chat = app.test.conversation();
      const tips = await chat.say('the link does not work');
      expect(tips)
        .to.contain('Delete older reset emails')
        .and.contain('clear the cookies')
        .and.contain('another browser');
      expect(tips).to.contain('A link works once, for 24 hours.');
    });

    it('in Dutch, inside the email reset', async () => {
      const chat = app.test.conversation(undefined, 'nl-NL');
      await chat.say('reset');
      await chat.say('e-mail');
      await chat.say(EMMA.email);
      expect(await chat.say('De link werkt niet')).to.contain('Verwijder oudere herstelmails');
    });

    it('on an expired link, the tips and then the same offer again', async () => {
      const chat = app.test.conversation();
      await chat.say('reset');
      await chat.say('email');
      await chat.say(LIAM.email);
      const link = await latestResetLink(app.test, LIAM.email);
      app.advanceClock(25 * 3600_000);
      await chat.say(link);
      const tips = await chat.send("Why doesn't my link work?");
      expect(replyText(tips)).to.contain('Delete older reset emails').and.not.contain('That link has expired');
      expect(buttonTitles(tips)).to.include('Send a new email');
      expect(await chat.say('Send a new email')).to.contain('an email is on its way');
    });
  });

  describe('the password is refused as not safe or too common', () => {
    it('from the menu: what it means and how to choose one that passes', async () => {
      const chat = app.test.conversation();
      const text = await chat.say('My new password is refused');
      expect(text).to.contain('on lists of leaked or common passwords').and.contain('three or four unrelated words');
      expect(text).to.contain('at least 8 characters');
    });

    it('right after such a refusal, then back to the password step', async () => {
      const chat = app.test.conversation(undefined, 'nl-NL');
      await chat.say('reset');
      await chat.say('e-mail');
      await chat.say(EMMA.email);
      await chat.say(await latestResetLink(app.test, EMMA.email));
      const refused = await chat.send({ value: { password: 'Welkom2024!', confirm: 'Welkom2024!' } });
      expect(replyText(refused)).to.contain('niet veilig of te vaak gebruikt');
      expect(buttonTitles(refused)).to.deep.equal(['Hoe kies ik er een die wel lukt?']);
      const advice = await chat.send('Hoe kies ik er een die wel lukt?');
      expect(replyText(advice)).to.contain('drie of vier woorden');
      expect(hasPasswordCard(advice)).to.equal(true);
      expect(
        await chat.say({ value: { password: 'wolk-lepel-paard-zon', confirm: 'wolk-lepel-paard-zon' } }),
      ).to.contain('Je wachtwoord is gewijzigd');
    });
  });
});
