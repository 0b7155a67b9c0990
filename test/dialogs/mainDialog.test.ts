import { expect } from 'chai';
import type { MemoryStorage } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { activeStepIn, MainDialog } from '../../dialogs/mainDialog.js';
import { LIAM } from '../helpers/accounts.js';
import { DialogHarness } from '../helpers/dialogHarness.js';
import { buttonTitles } from '../helpers/testApp.js';

describe('greeting and menu (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  async function start(locale: string, initialOptions: unknown = { greet: true }): Promise<void> {
    harness = await DialogHarness.create((services) => new MainDialog(services), { locale, initialOptions });
  }

  it('reads the step the person is at from the saved dialog state, through nested journeys', async () => {
    await start('en-US');
    await harness.services.accounts.importAccounts([LIAM]);
    const saved = async (): Promise<DialogState> => {
      // The test client's own MemoryStorage, holding this one conversation.
      const storage = (harness.client.conversationState as unknown as { storage: MemoryStorage }).storage;
      const key = Object.keys((storage as unknown as { memory: Record<string, string> }).memory)[0]!;
      const item = (await storage.read([key]))[key] as { DialogState: DialogState };
      return item.DialogState;
    };
    const steps: string[] = [];
    for (const input of ['hello', 'reset', 'email', LIAM.email, 'the link', 'cancel']) {
      const token = input === 'the link' && /token=([\w-]+)/.exec((await harness.emails()).at(-1)!.text)![1]!;
      await harness.send(token ? `https://help.example/reset?token=${token}` : input);
      steps.push(activeStepIn(await saved()));
    }
    expect(steps).to.deep.equal(['menu', 'method', 'email', 'link', 'password', 'menu']);
  });

  it('greets and shows the seven menu choices as buttons, in English', async () => {
    await start('en-US');
    const replies = await harness.send('hello');
    expect(replies[0]!.text).to.equal(
      "Hi! I'm the StreamFlix password help bot. I can help you get back into your account.",
    );
    expect(replies[1]!.text).to.equal('What can I help you with?');
    expect(buttonTitles(replies)).to.have.length(7);
  });

  it('greets and shows the menu in Dutch', async () => {
    await start('nl-NL');
    const replies = await harness.send('hallo');
    expect(replies[0]!.text).to.contain('Ik ben de wachtwoordhulp van StreamFlix');
    expect(buttonTitles(replies)).to.include('Mijn wachtwoord herstellen');
  });

  it('falls back to the default language for an unknown locale', async () => {
    await start('fr-FR');
    const replies = await harness.send('bonjour');
    expect(replies[1]!.text).to.equal('What can I help you with?');
  });

  describe('at the menu prompt', () => {
    beforeEach(async () => {
      await start('en-US');
      await harness.send('hello');
    });

    for (const [label, input] of [
      ['empty text', ''],
      ['10 000 characters', 'x'.repeat(10_000)],
      ['emoji', '🔑🔑🔑'],
      ['a card submit', { value: { password: 'abc', confirm: 'abc' } }],
    ] as const) {
      it(`asks again, politely, after ${label}`, async () => {
        const replies = await harness.send(input as string);
        expect(replies[0]!.text).to.equal("Sorry, I didn't understand that. Please pick one of the options below.");
        expect(buttonTitles(replies)).to.have.length(7);
      });
    }

    it('accepts a choice id typed as text', async () => {
      expect(await harness.say('reset')).to.equal('How would you like to reset your password?');
    });

    it('accepts a button label in the other language', async () => {
      expect(await harness.say('Mijn wachtwoord herstellen')).to.equal('How would you like to reset your password?');
    });

    it('explains the step on "help" and asks again', async () => {
      const replies = await harness.send('help');
      expect(replies[0]!.text).to.contain('Choose what you need help with');
      expect(buttonTitles(replies)).to.have.length(7);
    });

    it('explains that changing the password needs a signed-in chat, and offers the reset', async () => {
      const replies = await harness.send('change-password');
      expect(replies[0]!.text).to.contain("For that you need to be signed in, and this chat isn't.");
      expect(replies[1]!.text).to.equal('How would you like to reset your password?');
    });

    it('hands the person to customer support with a ticket when they ask for a person', async () => {
      const replies = await harness.client.sendActivity({ type: 'message', text: 'Talk to a person', locale: 'en-US' });
      expect(replies?.type).to.equal('event');
      expect(replies?.name).to.equal('handoff.initiate');
      const told = harness.client.getNextReply();
      expect(told?.text).to.match(
        /^I've asked a colleague from customer support to take over \(ticket T-[0-9A-F]{8}\)/,
      );
      expect(told?.text).to.contain('https://help.streamflix.example/contact');
    });
  });

  it('offers email, SMS and billing as the ways to reset', async () => {
    await start('nl-NL', {});
    const replies = await harness.send('wachtwoord vergeten');
    expect(replies[0]!.text).to.equal('Hoe wil je je wachtwoord herstellen?');
    expect(buttonTitles(replies)).to.deep.equal(['Via e-mail', 'Via sms', 'Ik weet mijn e-mail of telefoon niet']);
    expect(await harness.say('🙂')).to.contain('Kies een van de opties');
  });

  describe('cancel, help and menu at every step', () => {
    beforeEach(() => start('en-US', {}));

    it('stops the journey on "cancel" and says nothing changed', async () => {
      await harness.send('reset');
      await harness.send('email');
      expect(await harness.say('cancel')).to.equal("OK, I've stopped. Nothing was changed.");
      expect(harness.client.dialogTurnResult.status).to.equal('complete');
    });

    it('stops on the Dutch "annuleren" too', async () => {
      harness.locale = 'nl-NL';
      await harness.send('reset');
      expect(await harness.say('annuleren')).to.equal('Oké, ik ben gestopt. Er is niets gewijzigd.');
    });

    it('returns to the menu on "start over"', async () => {
      await harness.send('reset');
      await harness.send('email');
      const replies = await harness.send('start over');
      expect(replies.at(-1)!.text).to.equal('What can I help you with?');
    });

    it('explains the email step on "help" and asks again', async () => {
      await harness.send('reset');
      await harness.send('email');
      const text = await harness.say('help');
      expect(text).to.contain('Type the email address you signed up with');
      expect(text).to.contain('What is the email address of your StreamFlix account?');
    });

    it('explains the method step on "hulp" in Dutch', async () => {
      harness.locale = 'nl-NL';
      await harness.send('reset');
      expect(await harness.say('hulp')).to.contain('Je kunt een herstellink per e-mail krijgen');
    });
  });
});
