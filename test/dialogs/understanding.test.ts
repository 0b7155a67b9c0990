import { expect } from 'chai';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { DialogHarness } from '../helpers/dialogHarness.js';
import { buttonTitles, replyText } from '../helpers/testApp.js';

/** What each language's replies say, so that one test reads in both. */
const texts = {
  'en-US': {
    method: 'How would you like to reset your password?',
    unsure: "I'm not quite sure what you mean",
    somethingElse: 'Something else',
    menu: 'What can I help you with?',
    welcome: "You're welcome!",
    greeting: "Hi! I'm the StreamFlix password help bot.",
    subscription: "I can't cancel or change a subscription",
    hacked: "Let's get your account safe again.",
    agent: 'Talk to a person',
    reset: 'Reset my password',
  },
  'nl-NL': {
    method: 'Hoe wil je je wachtwoord herstellen?',
    unsure: 'Ik weet niet precies wat je bedoelt',
    somethingElse: 'Iets anders',
    menu: 'Waarmee kan ik je helpen?',
    welcome: 'Graag gedaan!',
    greeting: 'Hoi! Ik ben de wachtwoordhulp van StreamFlix.',
    subscription: 'Een abonnement of betaling opzeggen of wijzigen kan ik hier niet',
    hacked: 'Laten we je account weer veilig maken.',
    agent: 'Met een medewerker praten',
    reset: 'Mijn wachtwoord herstellen',
  },
} as const;

/** Messages as people write them, none of them in the corpus: each must reach its journey. */
const firstMessages = {
  'en-US': [
    ['i forgott my pasword again, what now', 'How would you like to reset your password?'],
    ['Hello, since yesterday I can not login on the smart tv, it says password is wrong', 'How would you like'],
    ['the link in your mail gives me an error page', 'Delete older reset emails'],
    ['still no email after 2 hours', 'spam'],
    ['it keeps telling me my new password is too weak', 'easy to guess'],
  ],
  'nl-NL': [
    ['ik ben mn ww alweer vergeten', 'Hoe wil je je wachtwoord herstellen?'],
    ['goeiedag, ik geraak sinds gisteren niet meer binnen op de tv', 'Hoe wil je'],
    ['de link uit de mail geeft een foutmelding', 'Verwijder oudere herstelmails'],
    ['na 2 uur nog steeds geen mailtje', 'spam'],
    ['hij blijft zeggen dat mijn nieuwe wachtwoord te zwak is', 'makkelijk te raden'],
  ],
} as const;

describe('understanding what people write, before any journey (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  async function start(locale: string): Promise<void> {
    harness = await DialogHarness.create((services) => new MainDialog(services), { locale, initialOptions: {} });
  }

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}`, () => {
      for (const [message, expected] of firstMessages[locale as keyof typeof firstMessages])
        it(`takes "${message}" to its journey`, async () => {
          await start(locale);
          const reply = await harness.say(message);
          expect(reply).to.contain(expected);
          expect(reply).not.to.contain(t.menu);
        });

      it('asks "did you mean" when it is close but not sure, and takes the chosen button to the journey', async () => {
        await start(locale);
        const replies = await harness.send(locale === 'nl-NL' ? 'wachtwoord' : 'password');
        expect(replyText(replies)).to.contain(t.unsure);
        const buttons = buttonTitles(replies);
        expect(buttons.at(-1)).to.equal(t.somethingElse);
        expect(buttons.length).to.be.within(2, 4);
        expect(await harness.say(t.somethingElse)).to.contain(t.menu);
      });

      it('answers thanks with a short closing and a way on, not the greeting', async () => {
        await start(locale);
        const replies = await harness.send(locale === 'nl-NL' ? 'top, dank je wel!' : 'great, thank you so much!');
        expect(replyText(replies)).to.contain(t.welcome);
        expect(replyText(replies)).not.to.contain(t.greeting);
        expect(buttonTitles(replies)).to.deep.equal(['Menu']);
        expect(await harness.say('Menu')).to.contain(t.menu);
      });

      it('says honestly what it cannot do, and offers a person and the menu', async () => {
        await start(locale);
        const replies = await harness.send(
          locale === 'nl-NL' ? 'hoe kan ik mijn abonnement opzeggen' : 'how can I cancel my subscription',
        );
        expect(replyText(replies)).to.contain(t.subscription);
        expect(buttonTitles(replies)).to.deep.equal([t.agent, 'Menu']);
      });

      it('helps with a hacked account: secure it, reset, or a person', async () => {
        await start(locale);
        const replies = await harness.send(
          locale === 'nl-NL' ? 'volgens mij is mijn account gehackt' : 'I think somebody hacked my account',
        );
        expect(replyText(replies)).to.contain(t.hacked);
        expect(buttonTitles(replies)).to.include.members([t.reset, t.agent]);
        expect(buttonTitles(replies)).to.have.length(3);
        expect(await harness.say(t.reset)).to.contain(t.method);
      });

      it('greets and shows the menu when it understands nothing', async () => {
        await start(locale);
        const replies = await harness.send('qwxz vbnm');
        expect(replyText(replies)).to.contain(t.greeting);
        expect(replyText(replies)).to.contain(t.menu);
      });
    });
  }

  it('still takes the choice ids and the button labels as they are', async () => {
    await start('en-US');
    expect(await harness.say('sms')).to.contain('mobile number');
    await harness.close();
    await start('en-US');
    expect(await harness.say('Mijn wachtwoord herstellen')).to.contain('How would you like to reset your password?');
  });
});
