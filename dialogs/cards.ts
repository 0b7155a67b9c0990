import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { isTeams, textsFor, type DialogServices } from './services.js';

/** An input of a form card: its id is the field name in the submitted `activity.value`. */
interface FormInput {
  id: string;
  label: string;
  style?: 'Password' | 'Tel';
}

/**
 * A titled Adaptive Card form with one submit button. Outside Teams `typedText` goes with it,
 * saying that typing the answers works too; in Teams only the card is offered.
 */
function formCard(
  context: TurnContext,
  services: DialogServices,
  form: { title: string; intro: string; inputs: FormInput[]; submit: string; moreActions?: object[] },
  typedText: string,
): Partial<Activity> {
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: form.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: form.intro, wrap: true },
      // Web Chat renders no card at all when a required input has no error message.
      ...form.inputs.map((input) => ({
        type: 'Input.Text',
        isRequired: true,
        errorMessage: textsFor(context, services)('card.required'),
        ...input,
      })),
    ],
    actions: [{ type: 'Action.Submit', title: form.submit }, ...(form.moreActions ?? [])],
  });
  return MessageFactory.attachment(card, isTeams(context) ? undefined : typedText);
}

/**
 * The new-password step's card: two password-style inputs that submit `{ password, confirm }`. In Teams it also
 * opens the same form as a Teams dialog page (a `task/fetch` invoke), for people who prefer it.
 */
export function newPasswordCard(context: TurnContext, services: DialogServices): Partial<Activity> {
  const t = textsFor(context, services);
  const dialogAction = {
    type: 'Action.Submit',
    title: t('password.openDialog'),
    // The inputs are not required for this one: the page asks for the password itself.
    associatedInputs: 'none',
    data: { msteams: { type: 'task/fetch' }, passwordPage: true },
  };
  return formCard(
    context,
    services,
    {
      title: t('password.cardTitle'),
      intro: t('password.cardIntro', { min: services.settings.passwordMinLength }),
      inputs: [
        { id: 'password', style: 'Password', label: t('password.cardPassword') },
        { id: 'confirm', style: 'Password', label: t('password.cardConfirm') },
      ],
      submit: t('password.cardSubmit'),
      ...(isTeams(context) ? { moreActions: [dialogAction] } : {}),
    },
    t('password.orType'),
  );
}

/** The password change's card: the current password, submitting `{ currentPassword }`. */
export function currentPasswordCard(
  context: TurnContext,
  services: DialogServices,
  introKey = 'change.cardIntro',
): Partial<Activity> {
  const t = textsFor(context, services);
  return formCard(
    context,
    services,
    {
      title: t('change.cardTitle'),
      intro: t(introKey),
      inputs: [{ id: 'currentPassword', style: 'Password', label: t('change.cardCurrent') }],
      submit: t('change.cardSubmit'),
    },
    t('change.orType'),
  );
}

/** A text-message code, submitting `{ code }`, so that in Teams no code has to be typed into the chat. */
export function codeCard(context: TurnContext, services: DialogServices): Partial<Activity> {
  const t = textsFor(context, services);
  return formCard(
    context,
    services,
    {
      title: t('code.cardTitle'),
      intro: t('code.cardIntro'),
      inputs: [{ id: 'code', style: 'Tel', label: t('code.cardCode') }],
      submit: t('code.cardSubmit'),
    },
    t('code.ask'),
  );
}

/** The billing recovery's card: name and card number at once, submitting `{ firstName, lastName, cardNumber }`. */
export function billingDetailsCard(context: TurnContext, services: DialogServices): Partial<Activity> {
  const t = textsFor(context, services);
  return formCard(
    context,
    services,
    {
      title: t('billing.cardTitle'),
      intro: t('billing.cardIntro'),
      inputs: [
        { id: 'firstName', label: t('billing.cardFirstName') },
        { id: 'lastName', label: t('billing.cardLastName') },
        { id: 'cardNumber', style: 'Tel', label: t('billing.cardNumber') },
      ],
      submit: t('billing.cardSubmit'),
    },
    t('billing.askFirstName'),
  );
}
