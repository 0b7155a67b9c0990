import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { isTeams, textsFor, type DialogServices } from './services.js';

/**
 * J4's card: two password-style inputs that submit `{ password, confirm }`. Outside Teams the
 * message also says that typing the password is possible.
 */
export function newPasswordCard(context: TurnContext, services: DialogServices): Partial<Activity> {
  const t = textsFor(context, services);
  const min = services.settings.passwordMinLength;
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: t('password.cardTitle'), weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: t('password.cardIntro', { min }), wrap: true },
      { type: 'Input.Text', id: 'password', style: 'Password', label: t('password.cardPassword'), isRequired: true },
      { type: 'Input.Text', id: 'confirm', style: 'Password', label: t('password.cardConfirm'), isRequired: true },
    ],
    actions: [{ type: 'Action.Submit', title: t('password.cardSubmit') }],
  });
  const text = isTeams(context) ? undefined : t('password.orType');
  return MessageFactory.attachment(card, text);
}
