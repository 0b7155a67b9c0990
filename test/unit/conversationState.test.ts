import { MemoryStorage, TestAdapter, TurnContext, type StoreItems } from 'botbuilder';
import { expect } from 'chai';
import { TurnConversationState } from '../../src/conversationState.js';

/** Memory storage that counts its writes. */
class CountingStorage extends MemoryStorage {
  writes = 0;
  reads = 0;
  override async read(keys: string[]): Promise<StoreItems> {
    this.reads++;
    await new Promise((resolve) => setTimeout(resolve, 5)); // a round trip
    return super.read(keys);
  }
  override async write(changes: StoreItems): Promise<void> {
    this.writes++;
    await super.write(changes);
  }
}

const turn = (text = 'hi') =>
  new TurnContext(new TestAdapter(), {
    type: 'message',
    text,
    channelId: 'test',
    conversation: { id: 'conversation-1' } as never,
    from: { id: 'user', name: 'user' },
    recipient: { id: 'bot', name: 'bot' },
  });

/** Conversation state on counting storage, with one property, `step`. */
function stateWithStep<T>() {
  const storage = new CountingStorage();
  const state = new TurnConversationState(storage);
  return { storage, state, step: state.createProperty<T>('step') };
}

describe('conversation state', () => {
  it('writes a turn that changed the state, and skips one that only read it', async () => {
    const { storage, state, step } = stateWithStep<{ n: number }>();

    const first = turn();
    await step.set(first, { n: 1 });
    await state.saveChanges(first);
    expect(storage.writes).to.equal(1);

    const reading = turn();
    expect(await step.get(reading)).to.deep.equal({ n: 1 });
    await state.saveChanges(reading);
    expect(storage.writes).to.equal(1);

    const changing = turn();
    (await step.get(changing))!.n = 2; // changed in place, as dialogs change their stack
    await state.saveChanges(changing);
    await state.saveChanges(changing); // saved once: the second call sees no change
    expect(storage.writes).to.equal(2);
    expect(await step.get(turn())).to.deep.equal({ n: 2 });

    await state.saveChanges(reading, true);
    expect(storage.writes).to.equal(3);
  });

  it('still saves a change made while an earlier save was under way', async () => {
    const { storage, state, step } = stateWithStep<{ n: number }>();
    const context = turn();
    await step.set(context, { n: 1 });
    const saving = state.saveChanges(context); // storage takes its copy of { n: 1 } now
    (await step.get(context))!.n = 2; // and the turn changes the state meanwhile
    await saving;
    await state.saveChanges(context);
    expect(storage.writes).to.equal(2);
    expect(await step.get(turn())).to.deep.equal({ n: 2 });
  });

  it('clears and deletes like the SDK: a cleared state is saved empty, a deleted one is gone', async () => {
    const { storage, state, step } = stateWithStep<number>();
    const context = turn();
    await step.set(context, 5);
    await state.saveChanges(context);

    const clearing = turn();
    await state.load(clearing);
    await state.clear(clearing);
    expect(state.get(clearing)).to.deep.equal({});
    await state.saveChanges(clearing);
    expect(await step.get(turn())).to.equal(undefined);

    const deleting = turn();
    await step.set(deleting, 7);
    await state.saveChanges(deleting);
    await state.delete(deleting);
    expect(state.get(deleting)).to.equal(undefined);
    expect(await storage.read(['test/conversations/conversation-1/'])).to.deep.equal({});
  });

  it('reads the state once a turn when the read starts early, and drops the read of an activity that goes no further', async () => {
    const { storage, state, step } = stateWithStep<number>();
    const counted: number[] = [];
    const adapter = new TestAdapter(async (context) => {
      await step.set(context, ((await step.get(context)) ?? 0) + 1);
      counted.push((await step.get(context))!);
      await state.saveChanges(context);
    })
      .use(state.prefetch())
      .use(async (context, next) => {
        await new Promise((resolve) => setTimeout(resolve, 2)); // the duplicate filter's round trip
        if (context.activity.text !== 'repeat') await next();
      });
    await adapter.send('one');
    await adapter.send('two');
    expect(storage.reads).to.equal(2);
    expect(counted).to.deep.equal([1, 2]);

    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', record);
    try {
      await adapter.send('repeat');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rejections).to.deep.equal([]);
      await adapter.send('three');
      expect(counted).to.deep.equal([1, 2, 3]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
