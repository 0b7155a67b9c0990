import { expect } from 'chai';
import { TestAdapter, TurnContext } from 'botbuilder';
import {
  forgetStruggle,
  handOffDue,
  newStruggle,
  noteLimitReached,
  noteStepOutcome,
  type Struggle,
} from '../../dialogs/struggle.js';
import { turnOf } from '../../dialogs/turn.js';

/** The record lives in the conversation's state; each turn gets a fresh turn context. */
function turnsOf(struggle: Struggle): () => TurnContext {
  const adapter = new TestAdapter();
  return () => {
    const context = new TurnContext(adapter, { type: 'message', text: 'x', conversation: { id: 'c' } } as never);
    turnOf(context).struggle = struggle;
    return context;
  };
}

describe('when the bot hands a struggling person over (the handover)', () => {
  it('makes a hand-off due on the third answer in a row turned down at one step, and not before', () => {
    const turn = turnsOf(newStruggle());
    for (let failure = 1; failure <= 2; failure++) {
      const context = turn();
      noteStepOutcome(context, 'email', 'email');
      expect(handOffDue(context), `failure ${failure}`).to.equal(undefined);
    }
    const third = turn();
    noteStepOutcome(third, 'email', 'email');
    expect(handOffDue(third)).to.equal('repeatedFailure');
  });

  it('starts counting afresh when the person gets past the step, reaches another, or a journey begins', () => {
    const struggle = newStruggle();
    const turn = turnsOf(struggle);
    noteStepOutcome(turn(), 'email', 'email');
    noteStepOutcome(turn(), 'email', 'email');
    noteStepOutcome(turn(), 'email', 'link');
    noteStepOutcome(turn(), 'phone', 'phone');
    noteStepOutcome(turn(), 'phone', 'phone');
    noteStepOutcome(turn(), undefined, undefined);
    const context = turn();
    noteStepOutcome(context, 'phone', 'phone');
    expect(handOffDue(context)).to.equal(undefined);
    expect(struggle).to.deep.include({ step: 'phone', failures: 1 });
  });

  it('leaves steps with their own limit to that limit: wrong codes and passwords are not counted', () => {
    const turn = turnsOf(newStruggle());
    for (const step of ['code', 'phoneCode', 'currentPassword', 'password']) {
      for (let failure = 1; failure <= 4; failure++) {
        const context = turn();
        noteStepOutcome(context, step, step);
        expect(handOffDue(context), `${step} ${failure}`).to.equal(undefined);
      }
    }
  });

  it('makes a hand-off due at the second limit reached, across journeys, until a hand-off resets it', () => {
    const struggle = newStruggle();
    const turn = turnsOf(struggle);
    const first = turn();
    noteLimitReached(first);
    expect(handOffDue(first)).to.equal(undefined);
    noteStepOutcome(turn(), undefined, undefined);
    const second = turn();
    noteLimitReached(second);
    expect(handOffDue(second)).to.equal('limitsReached');
    forgetStruggle(second);
    expect(handOffDue(second)).to.equal(undefined);
    expect(struggle).to.deep.equal(newStruggle());
  });

  it('does nothing in a turn that has no record (a turn outside a conversation)', () => {
    const context = new TurnContext(new TestAdapter(), { type: 'message', conversation: { id: 'c' } } as never);
    noteLimitReached(context);
    noteLimitReached(context);
    expect(handOffDue(context)).to.equal(undefined);
  });
});
