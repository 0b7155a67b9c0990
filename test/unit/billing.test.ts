import { expect } from 'chai';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPlausibleName, namesMatch, normalizePersonName } from '../../src/recovery/billingRecovery.js';
import { loadPartners, PartnersFileError } from '../../src/recovery/partners.js';
import {
  cardFingerprint,
  isLuhnValid,
  loadCardHmacKey,
  normalizeCardNumber,
} from '../../src/security/cardFingerprint.js';
import { makeTempDir } from '../helpers/tempDir.js';

describe('billing details', () => {
  describe('Luhn check', () => {
    for (const valid of [
      '4111111111111111',
      '5500000000000004',
      '340000000000009',
      '6011000000000004',
      '4012888888881881',
      '79927398713',
    ]) {
      it(`accepts ${valid}`, () => expect(isLuhnValid(valid)).to.equal(true));
    }
    for (const invalid of ['4111111111111112', '5500000000000005', '79927398710', '1234567812345678']) {
      it(`refuses ${invalid}`, () => expect(isLuhnValid(invalid)).to.equal(false));
    }
  });

  it('reads card numbers with spaces or dashes, and only digits of a card length', () => {
    expect(normalizeCardNumber('4111 1111 1111 1111')).to.equal('4111111111111111');
    expect(normalizeCardNumber('4111-1111-1111-1111')).to.equal('4111111111111111');
    for (const bad of ['4111', '4111 1111 1111 1111 1111 1111', '4111x1111x1111x1111', '']) {
      expect(normalizeCardNumber(bad), bad).to.equal(undefined);
    }
  });

  it('fingerprints a card with the key: same card same print, other key other print', () => {
    const a = cardFingerprint('key-one-0123456789abcdef0123456789', '4111111111111111');
    expect(a).to.match(/^[0-9a-f]{64}$/);
    expect(cardFingerprint('key-one-0123456789abcdef0123456789', '4111111111111111')).to.equal(a);
    expect(cardFingerprint('key-two-0123456789abcdef0123456789', '4111111111111111')).not.to.equal(a);
    expect(a).not.to.contain('4111');
  });

  it('compares names without case, accents, punctuation or surrounding spaces', () => {
    expect(normalizePersonName('  Dé  Vries-Smit ')).to.equal('de vries smit');
    expect(normalizePersonName("O'Brien")).to.equal('o brien');
    expect(
      namesMatch({ firstName: 'Emma', lastName: 'de Vries' }, { firstName: ' EMMA ', lastName: 'De Vriës' }),
    ).to.equal(true);
    expect(namesMatch({ firstName: 'Emma', lastName: 'de Vries' }, { firstName: 'Emma', lastName: 'Vries' })).to.equal(
      false,
    );
  });

  it('takes a name with letters, up to 100 characters', () => {
    expect(isPlausibleName('Zoë')).to.equal(true);
    for (const bad of ['', '   ', '1234', '🙂', 'x'.repeat(101)]) expect(isPlausibleName(bad), bad).to.equal(false);
  });

  describe('partner list', () => {
    let temp: ReturnType<typeof makeTempDir>;
    beforeEach(() => (temp = makeTempDir()));
    afterEach(() => temp.remove());

    async function problemsOf(content: string): Promise<string[]> {
      const file = path.join(temp.dir, 'partners.json');
      await writeFile(file, content);
      try {
        await loadPartners(file);
        return [];
      } catch (error) {
        if (error instanceof PartnersFileError) return error.problems;
        throw error;
      }
    }

    it('loads the shipped list with Dutch and Belgian providers in both languages', async () => {
      const partners = await loadPartners(path.resolve('config/partners.json'));
      expect(partners.map((p) => p.id)).to.include.members(['ziggo', 'kpn', 'telenet', 'proximus']);
      for (const partner of partners) expect(partner.signInHelpUrl.nl).to.match(/^https:\/\//);
    });

    it('names what is wrong with a broken file', async () => {
      expect((await problemsOf('{ not json'))[0]).to.match(/JSON|Expected/i);
      expect(await problemsOf('{"id":"x"}')).to.have.length(1);
      const problems = await problemsOf(
        JSON.stringify([
          {
            id: 'Bad Id',
            name: '',
            signInHelpUrl: { en: 'http://x', nl: 'https://y.example' },
            cantSignInSection: { en: 'a' },
          },
        ]),
      );
      expect(problems.join('\n'))
        .to.contain('#0.id')
        .and.contain('#0.name')
        .and.contain('#0.signInHelpUrl.en')
        .and.contain('#0.cantSignInSection.nl');
    });

    it('refuses the same id twice', async () => {
      const partner = {
        id: 'x',
        name: 'X',
        signInHelpUrl: { en: 'https://x.example', nl: 'https://x.example' },
        cantSignInSection: { en: 'a', nl: 'b' },
      };
      expect(await problemsOf(JSON.stringify([partner, partner]))).to.deep.equal(['the id "x" is used twice']);
    });
  });
});

describe('card key', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  it('uses the configured key as it is', async () => {
    expect(await loadCardHmacKey('configured-key-0123456789abcdef0123', temp.dir)).to.equal(
      'configured-key-0123456789abcdef0123',
    );
    expect(await readdir(temp.dir)).to.deep.equal([]);
  });

  it('generates a development key once, readable by the owner only, and keeps using it', async () => {
    const first = await loadCardHmacKey(undefined, temp.dir);
    expect(first).to.have.length.of.at.least(40);
    const mode = (await stat(path.join(temp.dir, 'card-hmac.key'))).mode & 0o777;
    expect(mode).to.equal(0o600);
    expect(await loadCardHmacKey(undefined, temp.dir)).to.equal(first);
  });
});
