import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { expect } from 'chai';
import { TypingIndicator } from '../../src/typingIndicator.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('typing indicator', () => {
  it('shows "typing" while a slow turn works, and nothing for a quick one', async () => {
    const adapter = new TestAdapter(async (context) => {
      if (context.activity.text === 'slow') await pause(180);
      await context.sendActivity('done');
    }).use(new TypingIndicator(50, 60));
    await adapter.receiveActivity('slow');
    const slow = adapter.activityBuffer.splice(0).map((a: Partial<Activity>) => a.type);
    expect(slow.filter((type) => type === 'typing').length).to.be.at.least(2);
    expect(slow.at(-1)).to.equal('message');

    await adapter.receiveActivity('quick');
    expect(adapter.activityBuffer.splice(0).map((a: Partial<Activity>) => a.type)).to.deep.equal(['message']);
  });

  it('sends no typing sign when the client takes every reply at once, in the answer to its request', async () => {
    for (const deliveryMode of ['normal', 'expectReplies']) {
      const sent: Array<string | undefined> = [];
      const adapter = new TestAdapter(async (context) => {
        context.onSendActivities(async (_context, activities, next) => {
          sent.push(...activities.map((activity) => activity.type));
          return next();
        });
        await pause(120);
        await context.sendActivity('done');
      }).use(new TypingIndicator(20, 30));
      await adapter.processActivity({ type: 'message', text: 'slow', deliveryMode });
      expect(sent.includes('typing'), deliveryMode).to.equal(deliveryMode === 'normal');
      expect(sent.at(-1)).to.equal('message');
    }
  });

  it('never touches the turn after it ended, even when sending fails late', async () => {
    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', record);
    try {
      // The channel cannot be reached: every send fails a moment later, after the turn ended.
      const adapter = new TestAdapter(async () => undefined);
      adapter.sendActivities = async () => {
        await pause(8);
        throw new Error('connector unreachable');
      };
      for (let i = 0; i < 10; i++) {
        // CloudAdapter hands middleware a revocable proxy of the turn and revokes it afterwards.
        const { proxy, revoke } = Proxy.revocable(
          new TurnContext(adapter, {
            type: 'message',
            text: `turn ${i}`,
            channelId: 'test',
            conversation: { id: 'c' } as never,
          }),
          {},
        );
        await new TypingIndicator(5, 5).onTurn(proxy, () => pause(12 + (i % 3)));
        revoke();
      }
      await pause(60);
      expect(rejections).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
