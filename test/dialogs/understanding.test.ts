import { expect } from 'chai';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { EMMA } from '../helpers/accounts.js';
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

/** What each step's extra understanding answers, in both languages. */
const stepTexts = {
  'en-US': {
    emailSent: 'If an account uses this address, an email is on its way',
    linkTips: 'Delete older reset emails',
    codeSent: 'a 6-digit code is on its way by text message',
    notArrived: 'A text message usually arrives within a minute',
    newCode: 'Send a new code',
    question: "That looks like a question rather than a password, so I didn't use it.",
    helpButton: 'Help',
    askConfirm: 'Please type the same password once more.',
    emailNotReceived: 'spam',
  },
  'nl-NL': {
    emailSent: 'Als er een account met dit adres is, is er een e-mail onderweg',
    linkTips: 'Verwijder oudere herstelmails',
    codeSent: 'is er een code van 6 cijfers per sms onderweg',
    notArrived: 'Een sms komt meestal binnen een minuut',
    newCode: 'Stuur een nieuwe code',
    question: 'Dat lijkt me een vraag en geen wachtwoord, dus ik heb het niet gebruikt.',
    helpButton: 'Hulp',
    askConfirm: 'Typ hetzelfde wachtwoord nog een keer.',
    emailNotReceived: 'spam',
  },
} as const;

const stepMessages = {
  'en-US': {
    address: 'sure, it is emma.devries@example.com thanks',
    brokenLink: 'the reset link you sent gives an error',
    number: 'my mobile number is 06 12345678',
    noText: "I didn't get any text message",
    question: 'how long must my password be?',
  },
  'nl-NL': {
    address: 'ja hoor, het is emma.devries@example.com',
    brokenLink: 'de resetlink die jullie stuurden geeft een foutmelding',
    number: 'mijn nummer is 06 12345678',
    noText: 'ik heb geen sms gekregen',
    question: 'hoe lang moet mijn wachtwoord zijn?',
  },
} as const;

describe('understanding at every step (dialog)', () => {
  let harness: DialogHarness;
  afterEach(() => harness.close());

  for (const [locale, t] of Object.entries(stepTexts)) {
    const said = stepMessages[locale as keyof typeof stepMessages];
    describe(`in ${locale}`, () => {
      beforeEach(async () => {
        harness = await DialogHarness.create((services) => new MainDialog(services), { locale, initialOptions: {} });
        await harness.services.accounts.importAccounts([EMMA]);
      });

      it('takes the address from a sentence at the address step', async () => {
        await harness.send('email');
        expect(await harness.say(said.address)).to.contain(t.emailSent);
        expect((await harness.emails()).at(-1)?.to).to.equal(EMMA.email);
      });

      it('hears a trouble case at the address step and goes there', async () => {
        await harness.send('email');
        expect(await harness.say(said.brokenLink)).to.contain(t.linkTips);
      });

      it('takes the number from a sentence at the number step', async () => {
        await harness.send('sms');
        expect(await harness.say(said.number)).to.contain(t.codeSent);
      });

      it('offers a new code at the code step when the person says none came', async () => {
        await harness.send('sms');
        await harness.send('06 12345678');
        const replies = await harness.send(said.noText);
        expect(replyText(replies)).to.contain(t.notArrived);
        expect(buttonTitles(replies)).to.include(t.newCode);
        expect(await harness.say(t.newCode)).to.contain(t.codeSent);
      });

      it('does not take a question at the password step as the password, and offers help', async () => {
        await harness.send('sms');
        await harness.send('06 12345678');
        await harness.send(await harness.latestCode());
        const replies = await harness.send(said.question);
        expect(replyText(replies)).to.contain(t.question);
        expect(buttonTitles(replies)).to.deep.equal([t.helpButton, 'Menu']);
        expect(replyText(replies)).not.to.contain(t.askConfirm);
        expect(await harness.say('ember-quiet-falcon-road')).to.contain(t.askConfirm);
      });

      it('switches journey when a menu choice is typed at another step', async () => {
        await harness.send('billing');
        await harness.send('card');
        const label = locale === 'nl-NL' ? 'De e-mail is niet aangekomen' : 'The email did not arrive';
        expect(await harness.say(label)).to.contain(t.emailNotReceived);
      });
    });
  }

  it('reads a Belgian mobile number with an nl-BE locale', async () => {
    harness = await DialogHarness.create((services) => new MainDialog(services), {
      locale: 'nl-BE',
      initialOptions: {},
    });
    await harness.send('sms');
    expect(await harness.say('mijn gsm is 0470 12 34 56')).to.contain(stepTexts['nl-NL'].codeSent);
  });
});
