import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { buttonTitles, latestCode, replyText, useTestApp, type ChatDriver } from '../helpers/testApp.js';

const CARD = '4111 1111 1111 1111';
const NEW_PASSWORD = 'ember-quiet-falcon-road';

const texts = {
  'en-US': { menu: 'Menu', agent: 'Talk to a person', greeting: "Hi! I'm the StreamFlix password help bot" },
  'nl-NL': {
    menu: 'Menu',
    agent: 'Met een medewerker praten',
    greeting: 'Hoi! Ik ben de wachtwoordhulp van StreamFlix',
  },
} as const;

/** The buttons of the last message of a turn: the way on a person sees. */
function wayOn(replies: Partial<Activity>[]): string[] {
  const last = replies.filter((activity) => activity.type === 'message').at(-1);
  return last ? buttonTitles([last]) : [];
}

describe('no dead ends: every ending answer offers a way on (end to end)', function () {
  this.timeout(30_000);
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  for (const [locale, t] of Object.entries(texts)) {
    describe(`in ${locale}`, () => {
      const chat = (): ChatDriver => app.test.conversation(undefined, locale);
      const expectWayOn = (replies: Partial<Activity>[], what: string) =>
        expect(wayOn(replies), what).to.include.members([t.menu, t.agent]);

      it('after cancel', async () => {
        const c = chat();
        await c.send('reset');
        expectWayOn(await c.send(locale === 'nl-NL' ? 'annuleren' : 'cancel'), 'cancel');
      });

      it('after the "password refused" explanation', async () => {
        const c = chat();
        const replies = await c.send('password-rejected');
        expect(wayOn(replies).length, 'the explanation').to.be.greaterThan(0);
      });

      it("after the partner's answer and after billing recovery", async () => {
        const partner = chat();
        await partner.send('reset');
        await partner.send('billing');
        await partner.send('partner');
        expectWayOn(await partner.send('Ziggo'), 'partner answer');

        const byCard = chat();
        await byCard.send('reset');
        await byCard.send('billing');
        await byCard.send('card');
        expectWayOn(
          await byCard.send({ value: { firstName: 'Emma', lastName: 'de Vries', cardNumber: CARD } }),
          'billing recovery',
        );
      });

      it('after "you must be signed in" for the phone journey', async () => {
        expectWayOn(await chat().send('phone'), 'signed-in refusal');
      });

      it('after a limit', async () => {
        for (let i = 0; i < 5; i++) {
          const c = chat();
          await c.send('email');
          await c.send(LIAM.email);
        }
        const limited = chat();
        await limited.send('email');
        expectWayOn(await limited.send(LIAM.email), 'rate limit');
      });

      it('after a finished reset, and "thanks" then gets a short closing, not the greeting', async () => {
        const c = chat();
        await c.send('sms');
        await c.send(EMMA.phone!);
        await c.send(await latestCode(app.test, '+31612345678'));
        expectWayOn(await c.send({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } }), 'finished reset');
        const thanks = await c.send(locale === 'nl-NL' ? 'top, bedankt!' : 'great, thanks!');
        expect(replyText(thanks)).not.to.contain(t.greeting);
        expect(wayOn(thanks)).to.deep.equal([t.menu]);
      });
    });
  }
});
