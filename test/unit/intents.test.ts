import { expect } from 'chai';
import { IntentRecognizer, MENU_CHOICES, METHOD_CHOICES, normalizeUtterance } from '../../dialogs/intents.js';
import { LOCALES } from '../../src/config.js';
import { createTexts } from '../../src/i18n.js';

describe('understanding free text in both languages', () => {
  const recognizer = new IntentRecognizer(createTexts('StreamFlix'), LOCALES);
  const menu = (text: string) => recognizer.recognize(text, MENU_CHOICES, (choice) => `menu.${choice}`);

  it('normalises case, accents and punctuation', () => {
    expect(normalizeUtterance('  Wachtwoord   VERGETEN?! ')).to.equal('wachtwoord vergeten?');
    expect(normalizeUtterance('Één e-mail')).to.equal('een e-mail');
  });

  const examples: Array<[string, string]> = [
    ['I forgot my password', 'reset'],
    ['ik ben mijn wachtwoord vergeten', 'reset'],
    ["I can't log in", 'reset'],
    ['Ik kan niet inloggen', 'reset'],
    ['I want to change my password', 'change-password'],
    ['wachtwoord wijzigen', 'change-password'],
    ["I didn't get an email", 'email-not-received'],
    ['ik heb geen e-mail ontvangen', 'email-not-received'],
    ['the link does not work', 'link-not-working'],
    ['de link werkt niet', 'link-not-working'],
    ['my password is not safe or too common?', 'password-rejected'],
    ['wachtwoord niet veilig', 'password-rejected'],
    ['talk to a person please', 'agent'],
    ['medewerker', 'agent'],
    ['change my phone number', 'phone'],
  ];
  for (const [text, intent] of examples) {
    it(`hears "${text}" as ${intent}`, () => expect(menu(text)).to.equal(intent));
  }

  it('takes the choice ids typed as text, in any locale', () => {
    for (const choice of MENU_CHOICES) expect(menu(choice)).to.equal(choice);
    for (const choice of METHOD_CHOICES) expect(recognizer.recognize(choice, METHOD_CHOICES)).to.equal(choice);
  });

  it('takes a button label in either language', () => {
    expect(menu('Reset my password')).to.equal('reset');
    expect(menu('Mijn wachtwoord herstellen')).to.equal('reset');
    expect(recognizer.recognize('Via sms', METHOD_CHOICES, (c) => `method.${c}`)).to.equal('sms');
  });

  it('recognises nothing in unrelated, empty, huge or emoji input', () => {
    for (const text of ['hello there', '', '   ', '🙂🙂🙂', 'x'.repeat(10_000), undefined]) {
      expect(menu(text as string), String(text).slice(0, 20)).to.equal(undefined);
    }
  });

  it('hears cancel, help and menu only as the whole message', () => {
    expect(recognizer.interruption('cancel')).to.equal('cancel');
    expect(recognizer.interruption('Annuleren')).to.equal('cancel');
    expect(recognizer.interruption('stop')).to.equal('cancel');
    expect(recognizer.interruption('hulp')).to.equal('help');
    expect(recognizer.interruption('start over')).to.equal('menu');
    expect(recognizer.interruption('please stop sending mail')).to.equal(undefined);
  });
});
