import { expect } from 'chai';
import { hashPassword, saltOf } from '../../src/recovery/passwordHasher.js';
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
      expect(await policy.checkCandidate('zeven olifanten dansen 🐘 op ijs', context)).to.have.property(
        'kind',
        'acceptable',
      );
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
      expect(await policy.checkNotReused('current-lamp-river', context)).to.deep.equal({
        refusal: { reason: 'sameAsCurrent' },
      });
    });

    it('refuses a recent earlier password', async () => {
      expect(await policy.checkNotReused('oldest-tree-wind', context)).to.deep.equal({
        refusal: { reason: 'usedBefore' },
      });
    });

    it('accepts a password never used, and gives it in its history form', async () => {
      const check = await policy.checkNotReused('brand-new-phrase', context);
      expect(check)
        .to.have.property('historyHash')
        .that.matches(/^\$argon2id\$/);
    });

    describe('in the history form: one salt per account', () => {
      // What the account holds after the bot set "current-lamp-river", having had the two older ones.
      let history: PasswordContext;

      before(async () => {
        const first = await policy.checkNotReused('older-stone-cloud', context);
        const salt = saltOf((first as { historyHash: string }).historyHash)!;
        history = {
          ...context,
          currentHistoryHash: await hashPassword('current-lamp-river', salt),
          previousHashes: [await hashPassword('older-stone-cloud', salt), ...context.previousHashes],
        };
      });

      it('hashes the candidate with the account salt, so the next history entry shares it', async () => {
        const check = (await policy.checkNotReused('brand-new-phrase', history)) as { historyHash: string };
        expect(saltOf(check.historyHash)).to.deep.equal(saltOf(history.currentHistoryHash!));
        expect(check.historyHash).to.equal(await hashPassword('brand-new-phrase', saltOf(check.historyHash)));
      });

      it('refuses the current password and every earlier one, of either form', async () => {
        expect(await policy.checkNotReused('current-lamp-river', history)).to.deep.equal({
          refusal: { reason: 'sameAsCurrent' },
        });
        for (const earlier of ['older-stone-cloud', 'oldest-tree-wind']) {
          expect(await policy.checkNotReused(earlier, history), earlier).to.deep.equal({
            refusal: { reason: 'usedBefore' },
          });
        }
      });

      it('takes the history form of the current password over its sign-in hash', async () => {
        // The sign-in hash is of another password here: only the history form can say "current".
        const stale = { ...history, currentHash: await hashPassword('something-else-entirely') };
        expect(await policy.checkNotReused('current-lamp-river', stale)).to.deep.equal({
          refusal: { reason: 'sameAsCurrent' },
        });
      });
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
      it(`refuses "${password}"`, async () => {
        expect(await policy.checkNotGuessable(password, context)).to.deep.equal({ reason: 'common' });
      });
    }

    for (const password of ['StreamFlix2024', 'Str3amFl1x!', 'emma.devries1', 'EmmaDeVries!', 'devries1990']) {
      it(`refuses "${password}" as built from the service or the person`, async () => {
        expect(await policy.checkNotGuessable(password, context)).to.deep.equal({ reason: 'personal' });
      });
    }

    for (const password of [
      'lantern orbit velvet',
      'rode fiets onder de brug',
      'kx8#Lq2!vZ-walnut',
      'ember-quiet-falcon-road',
    ]) {
      it(`accepts "${password}"`, async () => {
        expect(await policy.checkNotGuessable(password, context)).to.equal(undefined);
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
    const refusal = async (password: string) => {
      const check = await policy.checkCandidate(password, context);
      return check.kind === 'refused' ? check.refusal : undefined;
    };
    expect(await refusal('pass')).to.deep.equal({ reason: 'tooShort', min: 8 });
    expect(await refusal('current-lamp-river')).to.deep.equal({ reason: 'sameAsCurrent' });
    expect(await refusal('password1')).to.deep.equal({ reason: 'common' });
  });

  it('honours a higher configured minimum', () => {
    expect(new PasswordPolicy(12, 'StreamFlix').checkLength('elevenchars')).to.deep.equal({
      reason: 'tooShort',
      min: 12,
    });
  });
});
