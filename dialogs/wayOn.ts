import type { Activity, TurnContext } from 'botbuilder';
import type { PromptOptions } from 'botbuilder-dialogs';
import type { JourneyIntent, OutOfScopeIntent } from '../src/nlu/intents.js';
import { METHOD_CHOICES } from './intents.js';
import { choicePromptOptions, withButtons } from './prompts.js';
import { textsFor, type DialogServices } from './services.js';

type JourneyChoice = JourneyIntent;

/** The texts key of a journey's button label: the menu's, or the reset method's. */
export function labelKeyOf(choice: JourneyChoice): string {
  return (METHOD_CHOICES as readonly string[]).includes(choice) ? `method.${choice}` : `menu.${choice}`;
}

/** What the bot answers to what it does not do itself, or to thanks and goodbye, and the ways on it offers. */
const ANSWERS: Record<'thanks' | 'goodbye' | OutOfScopeIntent, { text: string; wayOn: Array<JourneyChoice | 'menu'> }> =
  {
    thanks: { text: 'closing.thanks', wayOn: ['menu'] },
    goodbye: { text: 'closing.goodbye', wayOn: ['menu'] },
    'cancel-subscription': { text: 'outOfScope.cancelSubscription', wayOn: ['agent', 'menu'] },
    'hacked-account': { text: 'outOfScope.hackedAccount', wayOn: ['reset', 'change-password', 'agent'] },
  };

/**
 * A short answer that does not start a journey, with buttons for the ways on: a person never
 * reaches an answer that leaves them nowhere to go.
 */
export function answerWithWayOn(
  context: TurnContext,
  services: DialogServices,
  intent: keyof typeof ANSWERS,
): Partial<Activity> {
  const t = textsFor(context, services);
  const { text, wayOn } = ANSWERS[intent];
  return withButtons(
    t(text),
    wayOn.map((choice) => t(choice === 'menu' ? 'closing.menuButton' : labelKeyOf(choice))),
  );
}

/**
 * Said when a turn ended the conversation's journey with an answer that offers nothing more (a
 * refusal, a limit, a cancel, a finished reset): the menu and a person, as buttons.
 */
export function anythingElse(context: TurnContext, services: DialogServices): Partial<Activity> {
  const t = textsFor(context, services);
  return withButtons(t('closing.anythingElse'), [t('closing.menuButton'), t('menu.agent')]);
}

/** "Did you mean …?" with the journeys a message came close to, and "something else" for the menu. */
export function didYouMeanOptions(candidates: readonly JourneyChoice[]): PromptOptions {
  const labelKeys: Record<string, string> = { other: 'didYouMean.other' };
  for (const choice of candidates) labelKeys[choice] = labelKeyOf(choice);
  return choicePromptOptions(
    { prompt: 'didYouMean.prompt', retry: 'didYouMean.retry' },
    { choices: [...candidates, 'other'], labelKeys },
  );
}
