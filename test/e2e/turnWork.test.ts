import { expect } from 'chai';
import { createRequire } from 'node:module';
import { useTestApp } from '../helpers/testApp.js';

// The SDK's registration of the dialogs' memory scopes, as its dialog contexts build them.
const { DialogsComponentRegistration } = createRequire(import.meta.url)(
  'botbuilder-dialogs/lib/dialogsComponentRegistration.js',
) as { DialogsComponentRegistration: { prototype: { getMemoryScopes(): unknown[] } } };

describe('work a turn does not repeat (end to end)', function () {
  this.timeout(30_000);
  const app = useTestApp();

  it('builds the dialogs’ memory scopes on the first turn only, and the dialogs still run on them', async () => {
    const prototype = DialogsComponentRegistration.prototype;
    const original = prototype.getMemoryScopes;
    let built = 0;
    prototype.getMemoryScopes = function (this: unknown) {
      built++;
      return original.call(this);
    };
    try {
      const english = app.test.conversation(undefined, 'en-US');
      expect(await english.say('hello')).to.include('password help bot');
      const afterFirst = built;
      expect(afterFirst).to.be.at.least(1);
      expect(await english.say('menu')).to.include('What can I help you with');
      expect(await english.say('reset')).to.include('How would you like to reset your password');
      const dutch = app.test.conversation(undefined, 'nl-NL');
      expect(await dutch.say('hallo')).to.include('wachtwoordhulp');
      expect(await dutch.say('annuleren')).to.not.equal('');
      expect(built).to.equal(afterFirst);
    } finally {
      prototype.getMemoryScopes = original;
    }
  });
});
