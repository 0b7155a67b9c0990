import { ActionTypes, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import type { TextVariables } from '../src/i18n.js';
import { hasCodeDigits } from '../src/nlu/details.js';
import { localeOf, textsFor, type DialogServices } from './services.js';

/** Choices and their button labels; kept in the dialog state, so plain data. */
export type ChoiceSpec =
  | {
      choices: readonly string[];
      /** Texts key prefix of the button labels: `${labelPrefix}.${choice}`. */
      labelPrefix: string;
    }
  | {
      choices: readonly string[];
      /** The texts key of each choice's button label. */
      labelKeys: Readonly<Record<string, string>>;
    };

function labelKeyIn(spec: ChoiceSpec, choice: string): string {
  return 'labelKeys' in spec ? spec.labelKeys[choice]! : `${spec.labelPrefix}.${choice}`;
}

/** A prompt that sends its prompt (or retry prompt) message as it is. */
abstract class MessagePrompt<T> extends Prompt<T> {
  protected async onPrompt(
    context: TurnContext,
    _state: object,
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    const message = isRetry && options.retryPrompt ? options.retryPrompt : options.prompt;
    if (message) await context.sendActivity(message);
  }
}

/**
 * Offers choices as buttons and understands them clicked, typed as a choice id, typed as the
 * label in either language, or said in words. The question is worded anew each time it is
 * asked, so that it follows the person when they change language.
 */
export class ChoiceIdPrompt extends MessagePrompt<string> {
  constructor(
    dialogId: string,
    private readonly services: DialogServices,
  ) {
    super(dialogId);
  }

  protected override async onPrompt(
    context: TurnContext,
    state: object,
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    const spec = options.validations as ChoiceSpec & { keys?: { prompt: string; retry: string } };
    if (!spec.keys) return super.onPrompt(context, state, options, isRetry);
    await context.sendActivity(
      choiceMessage(context, this.services, isRetry ? spec.keys.retry : spec.keys.prompt, spec),
    );
  }

  protected async onRecognize(
    context: TurnContext,
    _state: object,
    options: PromptOptions,
  ): Promise<PromptRecognizerResult<string>> {
    const spec = options.validations as ChoiceSpec;
    const text = context.activity.type === 'message' ? context.activity.text : undefined;
    const value = this.services.intents.recognize(text, spec.choices, (choice) => labelKeyIn(spec, choice));
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }
}

/** A message with buttons that send their title back as text, as if the person had typed it. */
export function withButtons(text: string, titles: readonly string[]): Partial<Activity> {
  return MessageFactory.suggestedActions(
    titles.map((title) => ({ type: ActionTypes.ImBack, title, value: title })),
    text,
  );
}

/** A message with one button per choice; the button sends its label back as text. */
export function choiceMessage(
  context: TurnContext,
  services: DialogServices,
  textKey: string,
  spec: ChoiceSpec,
  variables?: TextVariables,
): Partial<Activity> {
  const t = textsFor(context, services);
  return withButtons(
    t(textKey, variables),
    spec.choices.map((choice) => t(labelKeyIn(spec, choice))),
  );
}

/**
 * Options for a ChoiceIdPrompt: the texts keys of its question and its retry, and its choices. The
 * prompt words its messages from them each time it asks, so the dialog state (read, compared and
 * written every turn) holds a few keys rather than two whole messages with their buttons.
 */
export function choicePromptOptions(keys: { prompt: string; retry: string }, spec: ChoiceSpec): PromptOptions {
  return { validations: { ...spec, keys } };
}

/** What a message at a code step says when it asks for the code again. */
const NO_CODE_INTENTS = new Set<string>(['sms', 'email-not-received', 'reset']);

/**
 * "Send a new code", "no text came": words, not digits, at a code step that ask for the code
 * again rather than answer with one.
 */
export async function asksForNewCode(context: TurnContext, services: DialogServices, typed: string): Promise<boolean> {
  if (typed.trim() === '' || hasCodeDigits(typed)) return false;
  const top = (await services.understanding.understand(typed, localeOf(context, services))).intents[0];
  return top !== undefined && top.score >= 0.6 && NO_CODE_INTENTS.has(top.intent);
}

/** Password input as the step receives it: a card submit, typed text, or something unusable. */
export type PasswordInput =
  | { kind: 'card'; password: string; confirm: string }
  | { kind: 'cardIncomplete' }
  | { kind: 'text'; text: string }
  | { kind: 'other' };

const MAX_INPUT = 4096;

export function readPasswordInput(context: TurnContext): PasswordInput {
  const { activity } = context;
  if (activity.type !== 'message') return { kind: 'other' };
  const value: unknown = activity.value;
  if (value !== null && typeof value === 'object' && ('password' in value || 'confirm' in value)) {
    const { password, confirm } = value as Record<string, unknown>;
    if (typeof password === 'string' && typeof confirm === 'string' && password !== '' && confirm !== '') {
      // Overlong input is passed on whole, so the length rule (not a silent cut) refuses it.
      return { kind: 'card', password: password.slice(0, MAX_INPUT), confirm: confirm.slice(0, MAX_INPUT) };
    }
    return { kind: 'cardIncomplete' };
  }
  if (typeof activity.text === 'string' && activity.text.trim() !== '') {
    return { kind: 'text', text: activity.text.slice(0, MAX_INPUT) };
  }
  return { kind: 'other' };
}

/** Takes whatever the person sends next; the waterfall step decides what it means. */
export class PasswordInputPrompt extends MessagePrompt<PasswordInput> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<PasswordInput>> {
    return { succeeded: true, value: readPasswordInput(context) };
  }
}

/** Whatever the person sends next, as text and card value; the step decides what it means. */
export interface AnyInput {
  text: string | undefined;
  value: Record<string, unknown> | undefined;
}

export class AnyInputPrompt extends MessagePrompt<AnyInput> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<AnyInput>> {
    const { text, value } = context.activity;
    return {
      succeeded: true,
      value: {
        text: typeof text === 'string' && text.trim() !== '' ? text.slice(0, MAX_INPUT) : undefined,
        value:
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? (value as Record<string, unknown>)
            : undefined,
      },
    };
  }
}

/** A code from the code card's `{ code }`, or typed as text. */
export function codeFromInput(input: AnyInput): string | undefined {
  const fromCard = input.value?.code;
  return typeof fromCard === 'string' ? fromCard : input.text;
}
