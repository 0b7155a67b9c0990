import { expect } from 'chai';
import { describeOncePerRun } from '../helpers/backend.js';
import { evaluate, MIN_EVAL_EXAMPLES } from '../../nlu/evaluate.js';
import { LOCALES } from '../../src/config.js';
import { IntentClassifier } from '../../src/nlu/classifier.js';
import { corpusHash, MIN_TRAINING_EXAMPLES, readCorpora, readCorpus, readSavedModel } from '../../src/nlu/corpus.js';
import { LanguageGuesser } from '../../src/nlu/languageGuess.js';
import { editDistance, Vocabulary } from '../../src/nlu/spelling.js';
import { wordsOf } from '../../src/nlu/text.js';

// The same on either store: run once, in the JSON pass.
describeOncePerRun('understanding free text (NLP.js, trained on the corpus in nlu/)', function () {
  this.timeout(30_000);
  let classifier: IntentClassifier;
  before(async () => {
    classifier = await IntentClassifier.fromRepository();
  });

  it('has at least 40 training and 25 held-out messages per intent and language, and no held-out one in training', async () => {
    for (const locale of LOCALES) {
      const training = await readCorpus('corpus', locale, MIN_TRAINING_EXAMPLES);
      const held = await readCorpus('eval', locale, MIN_EVAL_EXAMPLES);
      const trained = new Set(Object.values(training).flatMap((messages) => messages.map((m) => wordsOf(m).join(' '))));
      const leaked = Object.values(held)
        .flat()
        .filter((message) => trained.has(wordsOf(message).join(' ')));
      expect(leaked, `${locale}: held-out messages found in the training corpus`).to.deep.equal([]);
    }
  });

  it('understands at least 95 % of the held-out messages in each language', async () => {
    for (const report of await evaluate(classifier)) {
      const mistakes = report.mistakes.map((m) => `${m.expected} → ${m.understood}: ${m.message}`).join('\n');
      expect(report.accuracy, `${report.locale}:\n${mistakes}`).to.be.at.least(0.95);
    }
  });

  it('reads Dutch as Dutch in an English conversation, and neutral words in the conversation language', async () => {
    const dutch = await classifier.understand('ik ben mn ww vergeten', 'en');
    expect(dutch.language).to.equal('nl');
    expect(dutch.intents[0]?.intent).to.equal('reset');
    const english = await classifier.understand('I forgot my password', 'nl');
    expect(english.language).to.equal('en');
    expect(english.intents[0]?.intent).to.equal('reset');
    expect((await classifier.understand('sms', 'nl')).language).to.equal(undefined);
  });

  it('ships a model trained on the corpus as it is (else: npm run nlu:train)', async () => {
    const saved = await readSavedModel();
    expect(saved?.corpusHash, 'nlu/model.json is missing or was trained on another corpus').to.equal(
      corpusHash(await readCorpora()),
    );
  });

  it('trains from the corpus when no saved model fits, and understands the same', async () => {
    const trained = await IntentClassifier.train(await readCorpora());
    for (const [message, intent] of [
      ['I forgot my password', 'reset'],
      ['de link werkt niet', 'link-not-working'],
    ] as const)
      expect((await trained.understand(message, 'en')).intents[0]?.intent, message).to.equal(intent);
  });

  it('understands nothing in an empty or an endless message', async () => {
    expect(await classifier.understand('   ', 'en')).to.deep.equal({ intents: [], language: undefined });
    expect((await classifier.understand('password '.repeat(200), 'en')).intents).to.deep.equal([]);
  });
});

describe('spelling repair', () => {
  const vocabulary = new Vocabulary(['I forgot my password', 'hello there', 'wachtwoord vergeten']);

  it('repairs letters typed too often and one slip in a longer word', () => {
    expect(vocabulary.repair('Helllooo, I forgt my pasword')).to.equal('hello i forgot my password');
    expect(vocabulary.repair('wachtwoord vergten')).to.equal('wachtwoord vergeten');
  });

  it('leaves known words, short words and numbers as they are', () => {
    expect(vocabulary.repair('my pin 12345 is here')).to.equal('my pin 12345 is here');
    expect(vocabulary.repair('there')).to.equal('there');
  });

  it('counts edits, swaps of neighbours included, and stops past the limit', () => {
    expect(editDistance('password', 'pasword', 2)).to.equal(1);
    expect(editDistance('password', 'passowrd', 2)).to.equal(1);
    expect(editDistance('password', 'qwerty', 2)).to.equal(3);
  });
});

describe('language guess', () => {
  const guesser = new LanguageGuesser({
    en: ['I forgot my password', 'the link does not work', 'send me a text'],
    nl: ['ik ben mijn wachtwoord vergeten', 'de link werkt niet', 'stuur me een sms'],
  });

  it('guesses only when the words clearly say so', () => {
    expect(guesser.guess('my password, I forgot it')).to.equal('en');
    expect(guesser.guess('mijn wachtwoord ben ik vergeten')).to.equal('nl');
    expect(guesser.guess('link')).to.equal(undefined);
    expect(guesser.guess('xyzzy')).to.equal(undefined);
  });
});
