import { expect } from 'chai';
import { EMMA } from '../helpers/accounts.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { inTeams, TEAMS_BOT } from '../helpers/teams.js';
import { replyText, useTestApp } from '../helpers/testApp.js';

describe('Teams behaviour', () => {
  const app = useTestApp({ accounts: [EMMA] });
  const channel = useChannelStandIn();

  function teams(conversationType: 'personal' | 'groupChat' | 'channel', locale = 'en-US') {
    return inTeams(app.test.conversation(undefined, locale, 'msteams'), { conversationType });
  }

  it('processes a retried delivery of the same activity once', async () => {
    const chat = teams('personal');
    const first = await chat.post({ id: 'teams-activity-1', type: 'message', text: 'reset' });
    expect(replyText(first)).to.contain('How would you like to reset your password?');
    expect(await chat.post({ id: 'teams-activity-1', type: 'message', text: 'reset' })).to.deep.equal([]);
    expect(replyText(await chat.post({ id: 'teams-activity-2', type: 'message', text: 'email' }))).to.contain(
      'What is the email address',
    );
  });

  it('shows the typing indicator at once on every message turn', async () => {
    // As Teams delivers: the replies go to the channel's service, one by one as they are sent.
    const chat = inTeams(app.test.conversation(undefined, 'en-US', 'msteams'));
    chat.serviceUrl = channel.serviceUrl;
    chat.extra = { ...chat.extra, deliveryMode: 'normal' };
    expect(await chat.postRaw({ type: 'message', text: 'reset' })).to.deep.equal([]);
    await channel.waitForMessage((activity) => activity.type === 'message');
    expect(channel.received.map(({ activity }) => activity.type)).to.deep.equal(['typing', 'message']);
  });

  it('greets new members in a personal chat only', async () => {
    const added = { type: 'conversationUpdate', membersAdded: [{ id: '29:person' }, TEAMS_BOT] };
    expect(replyText(await teams('personal').post(added))).to.contain('password help bot');
    expect(await teams('groupChat').post(added)).to.deep.equal([]);
    expect(await teams('channel').post(added)).to.deep.equal([]);
  });

  it('never starts a journey in a group chat or channel, and points to a private chat', async () => {
    for (const type of ['groupChat', 'channel'] as const) {
      const replies = await teams(type, 'nl-NL').post({ type: 'message', text: 'wachtwoord vergeten' });
      expect(replyText(replies)).to.contain('alleen met wachtwoorden in een privéchat');
      const button = (replies[0]!.attachments![0]!.content as { buttons: Array<{ value: string }> }).buttons[0]!;
      expect(button.value).to.equal(`https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(TEAMS_BOT.id)}`);
    }
  });

  it('understands a message that mentions the bot', async () => {
    const chat = teams('personal');
    const replies = await chat.post({
      type: 'message',
      text: '<at>StreamFlix Password Help</at> reset',
      entities: [{ type: 'mention', mentioned: TEAMS_BOT, text: '<at>StreamFlix Password Help</at>' }],
    });
    expect(replyText(replies)).to.contain('How would you like to reset your password?');
  });
});
