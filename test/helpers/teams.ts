import type { ChannelAuthStandIn } from './channelAuth.js';
import type { ChatDriver } from './testApp.js';

/** The bot's Microsoft app id in the Teams tests, and how Teams addresses it. */
export const TEAMS_APP_ID = '5a3b8c2d-1e4f-4a6b-9c8d-7e6f5a4b3c2d';
export const TEAMS_BOT = { id: `28:${TEAMS_APP_ID}`, name: 'StreamFlix Password Help' };

/**
 * Makes a chat a Teams one: every activity addressed to the bot, in a conversation of this type
 * (a personal chat unless `conversation` says otherwise).
 */
export function inTeams(chat: ChatDriver, conversation: Record<string, unknown> = {}): ChatDriver {
  chat.extra = {
    ...chat.extra,
    recipient: TEAMS_BOT,
    conversation: { id: chat.conversationId, conversationType: 'personal', ...conversation },
  };
  return chat;
}

/** Sends as this Teams user, each request with a channel token the stand-in signs for the chat's serviceUrl. */
export function asTeamsUser(chat: ChatDriver, auth: ChannelAuthStandIn, aadObjectId: string, name: string): ChatDriver {
  chat.from = { id: `29:${aadObjectId}`, name, aadObjectId };
  chat.token = () => auth.tokenFor({ appId: TEAMS_APP_ID, serviceUrl: chat.serviceUrl });
  return chat;
}
