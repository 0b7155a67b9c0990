import { expect } from 'chai';
import { NewPasswordDialog } from '../../dialogs/newPasswordDialog.js';
import type { ResetGrant } from '../../src/recovery/types.js';
import { EMMA } from '../helpers/accounts.js';
import { DialogHarness } from '../helpers/dialogHarness.js';

async function harnessWithGrant(locale: string, channelId = 'test'): Promise<DialogHarness> {
  const options = { grant: undefined as ResetGrant | undefined };
  const harness = await DialogHarness.create((services) => new NewPasswordDialog(services), {
    locale,
    channelId,
    initialOptions: options,
  });
  await harness.services.accounts.importAccounts([EMMA]);
  await harness.services.reset.requestEmailReset(EMMA.email, { via: 'chat', locale: 'en' });
  const mail = (await harness.emails()).at(-1)!;
  const token = /token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  const check = await harness.services.reset.checkLink(token);
  if (check.kind !== 'valid') throw new Error('link not valid');
  options.grant = check.grant;
  return harness;
}

function card(password: string, confirm = password) {
  return { value: { password, confirm } };
}

describe('new password (dialog)', function () {
  this.timeout(20_000);
  let harness: DialogHarness;
  afterEach(() => harness.close());

  describe('in English', () => {
    beforeEach(async () => {
      harness = await harnessWithGrant('en-US');
      await harness.send('start');
    });

    const refusals: Array<[string, { value: unknown }, string]> = [
      ['too short', card('short'), 'That password is too short. Please use at least 8 characters.'],
      [
        'too long',
        card('a-long-passphrase-'.repeat(8)),
        'That password is too long. Please use at most 128 characters.',
      ],
      ['the current password', card(EMMA.password!), 'That is your current password.'],
      ['common', card('Welkom2024!'), 'That password is not safe or too common'],
      [
        'built from the name',
        card('EmmaDeVries1'),
        'That password is built from your name, your email address or the name StreamFlix',
      ],
      ['built from the service', card('StreamFlix2026!'), 'the name StreamFlix'],
      [
        'two different entries',
        card('ember-quiet-falcon-road', 'ember-quiet-falcon-rood'),
        'The two passwords are not the same.',
      ],
      [
        'an incomplete card',
        { value: { password: 'ember-quiet-falcon-road' } },
        'Please fill in both fields of the card.',
      ],
    ];
    for (const [label, input, reason] of refusals) {
      it(`refuses ${label} with its own reason and shows the card again`, async () => {
        const replies = await harness.send(input);
        expect(replies[0]!.text).to.contain(reason);
        expect(replies[1]!.attachments?.[0]?.contentType).to.equal('application/vnd.microsoft.card.adaptive');
      });
    }

    it('accepts a good password from the card and says what happened', async () => {
      expect(await harness.say(card('ember-quiet-falcon-road'))).to.contain('Your password has been changed');
      expect(await harness.services.accounts.checkPassword(EMMA.email, 'ember-quiet-falcon-road')).to.equal(true);
    });

    it('takes a typed password twice, never repeating it', async () => {
      const first = await harness.say('ember-quiet-falcon-road');
      expect(first).to.equal('Thanks. Please type the same password once more.');
      const second = await harness.say('ember-quiet-falcon-road');
      expect(second).to.contain('Your password has been changed');
      expect(first + second).not.to.contain('ember-quiet-falcon-road');
    });

    it('starts over when the typed second entry differs', async () => {
      await harness.say('ember-quiet-falcon-road');
      expect(await harness.say('ember-quiet-falcon-rood')).to.contain('The two passwords are not the same.');
      expect(await harness.services.accounts.checkPassword(EMMA.email, EMMA.password!)).to.equal(true);
    });

    it('takes the card at the second step too', async () => {
      await harness.say('ember-quiet-falcon-road');
      expect(await harness.say(card('other-quiet-falcon-lane'))).to.contain('Your password has been changed');
      expect(await harness.services.accounts.checkPassword(EMMA.email, 'other-quiet-falcon-lane')).to.equal(true);
    });

    for (const [label, input] of [
      ['an empty message', ''],
      ['a card with other fields', { value: { firstName: 'x' } }],
    ] as const) {
      it(`asks again after ${label}`, async () => {
        expect(await harness.say(input as string)).to.contain('Please type your new password, or use the card.');
      });
    }

    it('refuses 10 000 typed characters as too long instead of cutting them', async () => {
      expect(await harness.say('x'.repeat(10_000))).to.contain('That password is too long');
    });

    it('accepts emoji in a password', async () => {
      await harness.say('🐘 dansen op 🧊 bij maanlicht');
      expect(await harness.say('🐘 dansen op 🧊 bij maanlicht')).to.contain('Your password has been changed');
    });
  });

  describe('in Dutch', () => {
    beforeEach(async () => {
      harness = await harnessWithGrant('nl-NL');
      await harness.send('start');
    });

    const refusals: Array<[string, string]> = [
      ['kort', 'Dat wachtwoord is te kort. Gebruik minstens 8 tekens.'],
      [EMMA.password!, 'Dat is je huidige wachtwoord.'],
      ['Wachtwoord1!', 'Dat wachtwoord is niet veilig of te vaak gebruikt'],
      ['Emma.DeVries!', 'Dat wachtwoord is gemaakt van je naam'],
    ];
    for (const [password, reason] of refusals) {
      it(`refuses "${password}" with "${reason.slice(0, 30)}…"`, async () => {
        expect(await harness.say(card(password))).to.contain(reason);
      });
    }

    it('refuses different entries', async () => {
      expect(await harness.say(card('wolk-lepel-paard-zon', 'wolk-lepel-paard-zin'))).to.contain(
        'De twee wachtwoorden zijn niet hetzelfde.',
      );
    });

    it('accepts a good password', async () => {
      expect(await harness.say(card('wolk-lepel-paard-zon'))).to.contain('Je wachtwoord is gewijzigd');
    });
  });

  describe('in Microsoft Teams', () => {
    beforeEach(async () => {
      harness = await harnessWithGrant('en-US', 'msteams');
    });

    it('asks only through the card, with no invitation to type', async () => {
      const replies = await harness.send('start');
      expect(replies[0]!.text ?? '').not.to.contain('type your new password here');
      expect(replies[0]!.attachments).to.have.length(1);
    });

    it('never takes a typed password, and points to the card', async () => {
      await harness.send('start');
      expect(await harness.say('ember-quiet-falcon-road')).to.contain("please don't type your password as a message");
      expect(await harness.services.accounts.checkPassword(EMMA.email, EMMA.password!)).to.equal(true);
      expect(await harness.say(card('ember-quiet-falcon-road'))).to.contain('Your password has been changed');
    });
  });
});
