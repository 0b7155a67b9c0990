import { expect } from 'chai';
import { hashPassword } from '../../src/recovery/passwordHasher.js';
import { PasswordPolicy, type PasswordContext } from '../../src/recovery/passwordPolicy.js';

describe('password policy (the new-password step)', function () {
  this.timeout(30_000);
  const policy = new PasswordPolicy(8, 'StreamFlix');
  let context: PasswordContext;

  before(async () => {
    context = {
      currentHash: await hashPassword('current-lamp-river'),
      previousHashes: [await hashPassword('older-stone-cloud'), await hashPassword('oldest-tree-wind')],
      personalWords: ['emma.devries', 'Emma', 'de Vries'],
    };
  });

  describe('length', () => {
    it('refuses fewer than the minimum, counting characters not bytes', () => {
      expect(policy.checkLength('short12')).to.deep.equal({ reason: 'tooShort', min: 8 });
      expect(policy.checkLength('ééééééé')).to.deep.equal({ reason: 'tooShort', min: 8 });
      expect(policy.checkLength('😀😀😀😀😀😀😀😀')).to.equal(undefined);
    });

    it('refuses more than 128 characters instead of cutting them off', () => {
      expect(policy.checkLength('a'.repeat(128))).to.equal(undefined);
      expect(policy.checkLength('a'.repeat(129))).to.deep.equal({ reason: 'tooLong', max: 128 });
    });

    it('allows spaces and any Unicode character', async () => {
      expect(await policy.checkCandidate('zeven olifanten dansen 🐘 op ijs', context)).to.equal(undefined);
    });

    it('normalises to NFKC, so look-alike encodings are the same password', () => {
      const composed = 'caf\u00e9-lamp-river-x';
      const decomposed = 'cafe\u0301-lamp-river-x';
      expect(policy.normalize(decomposed)).to.equal(policy.normalize(composed));
      expect(policy.normalize('ｆｕｌｌｗｉｄｔｈ')).to.equal('fullwidth');
    });
  });

  describe('reuse', () => {
    it('refuses the current password', async () => {
      expect(await policy.checkNotReused('current-lamp-river', context)).to.deep.equal({ reason: 'sameAsCurrent' });
    });

    it('refuses a recent earlier password', async () => {
      expect(await policy.checkNotReused('oldest-tree-wind', context)).to.deep.equal({ reason: 'usedBefore' });
    });

    it('accepts a password never used', async () => {
      expect(await policy.checkNotReused('brand-new-phrase', context)).to.equal(undefined);
    });
  });

  describe('not safe or too common', () => {
    const refusedAsCommon = [
      'password',
      'Wachtwoord',
      'wachtwoord123',
      'P@ssw0rd',
      'P@$$w0rd2024',
      'Welkom01',
      'welcome2023!',
      'qwertyuiop',
      'iloveyou1',
      'Zonneschijn99',
      'geheim123456',
      'Feyenoord1908',
      '12345678',
      'aaaaaaaaaa',
    ];
    for (const password of refusedAsCommon) {
      it(`refuses "${password}"`, () => {
        expect(policy.checkNotGuessable(password, context)).to.deep.equal({ reason: 'common' });
      });
    }

    for (const password of ['StreamFlix2024', 'Str3amFl1x!', 'emma.devries1', 'EmmaDeVries!', 'devries1990']) {
      it(`refuses "${password}" as built from the service or the person`, () => {
        expect(policy.checkNotGuessable(password, context)).to.deep.equal({ reason: 'personal' });
      });
    }

    for (const password of [
      'lantern orbit velvet',
      'rode fiets onder de brug',
      'kx8#Lq2!vZ-walnut',
      'ember-quiet-falcon-road',
    ]) {
      it(`accepts "${password}"`, () => {
        expect(policy.checkNotGuessable(password, context)).to.equal(undefined);
      });
    }
  });

  describe('confirmation', () => {
    it('refuses two different entries', () => {
      expect(policy.checkConfirmation('lantern orbit velvet', 'lantern orbit velvey')).to.deep.equal({
        reason: 'mismatch',
      });
    });

    it('treats the same text in two Unicode forms as the same', () => {
      expect(policy.checkConfirmation('caf\u00e9-lamp-river', 'cafe\u0301-lamp-river')).to.equal(undefined);
    });
  });

  it('checks the rules in order: length before reuse before commonness', async () => {
    expect(await policy.checkCandidate('pass', context)).to.deep.equal({ reason: 'tooShort', min: 8 });
    expect(await policy.checkCandidate('current-lamp-river', context)).to.deep.equal({ reason: 'sameAsCurrent' });
    expect(await policy.checkCandidate('password1', context)).to.deep.equal({ reason: 'common' });
  });

  it('honours a higher configured minimum', () => {
    expect(new PasswordPolicy(12, 'StreamFlix').checkLength('elevenchars')).to.deep.equal({
      reason: 'tooShort',
      min: 12,
    });
  });
});
