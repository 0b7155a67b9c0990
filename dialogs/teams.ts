import { ActionTypes, CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { textsFor, type DialogServices } from './services.js';

/**
 * The event a proactive turn carries when the Teams dialog page has set the password, with
 * `{ requestId }` of the grant it finished.
 */
export const PASSWORD_PAGE_DONE = 'passwordPage/completed';

/** The event a proactive turn carries when the code for a new phone number could not be sent, with `{ ending }` of the number. */
export const PHONE_CODE_NOT_SENT = 'phone/codeNotSent';

/** The event a proactive turn carries when support hands the person to a journey: `{ escalationId, journey }`. */
export const SUPPORT_ESCALATION = 'support/escalation';

/** The event a proactive turn carries when support completed the person's ticket. */
export const SUPPORT_RELEASED = 'support/released';

/** A Teams group chat or channel: other people read along, so no journey runs there. */
export function isSharedTeamsConversation(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return context.activity.channelId === 'msteams' && type !== undefined && type !== 'personal';
}

/** "@Bot reset password" in a channel arrives with the mention in the text; the words are what count. */
export function stripBotMention(context: TurnContext): void {
  const { activity } = context;
  if (activity.type !== 'message' || typeof activity.text !== 'string') return;
  const text = TurnContext.removeRecipientMention(activity);
  activity.text = (text ?? activity.text).trim();
}

/** Points the person to a private chat with the bot (a Teams deep link), without asking anything. */
export async function moveToPersonalChat(context: TurnContext, services: DialogServices): Promise<void> {
  const t = textsFor(context, services);
  const botId = context.activity.recipient?.id ?? '';
  const link = `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(botId)}`;
  const button = { type: ActionTypes.OpenUrl, title: t('teams.openPersonal'), value: link };
  await context.sendActivity(
    MessageFactory.attachment(CardFactory.heroCard('', undefined, [button]), t('teams.movePersonal')),
  );
}
