import { noteLimitReached } from './struggle.js';
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { numberEnding } from '../src/recovery/phoneChange.js';
import { codeCard } from './cards.js';
import {
  CURRENT_PASSWORD_DIALOG,
  CurrentPasswordDialog,
  type CurrentPasswordOptions,
  type CurrentPasswordResult,
} from './currentPasswordDialog.js';
import { checkSignedIn, signedInRefusal } from './identity.js';
import {
  AnyInputPrompt,
  asksForNewCode,
  ChoiceIdPrompt,
  choicePromptOptions,
  codeFromInput,
  type AnyInput,
} from './prompts.js';
import { chatOrigin, localeOf, phoneRegionsOf, sayRateLimited, textsFor, type DialogServices } from './services.js';
import { phoneIn } from '../src/nlu/details.js';

export const PHONE_DIALOG = 'phoneDialog';
const CONFIRM_STEPS = 'phoneConfirmSteps';
const ACTION_STEPS = 'phoneActionSteps';
const NUMBER_STEPS = 'phoneNumberSteps';
const CODE_STEPS = 'phoneCodeSteps';
const REMOVE_STEPS = 'phoneRemoveSteps';
/** Prompt ids double as the help topic of the step. */
const ACTION_PROMPT = 'phoneAction';
const NUMBER_PROMPT = 'newPhone';
const CODE_PROMPT = 'phoneCode';
const REMOVE_PROMPT = 'confirmRemove';

const WITH_NUMBER = ['new', 'remove', 'keep'] as const;
const WITHOUT_NUMBER = ['add', 'keep'] as const;
const CONFIRM = ['yes', 'no'] as const;

/** The account the journey runs for; checked against the channel's proof on every turn. */
interface StepState {
  accountId: string;
  /** The number the code went to, for "ends in 78". */
  phone?: string;
}

/** How the phone number change ended; 'useReset' (the current password is forgotten, or locked) asks the caller for the reset. */
export type PhoneResult = { kind: 'done' } | { kind: 'stopped' } | { kind: 'useReset' };

/**
 * Phone number change: add, replace or remove the account's phone number. The phone is a recovery factor, so the
 * current password comes first, as for a password change. A new number counts only once the code
 * sent to it comes back; removing the number, which leaves email as the only way to reset,
 * needs a confirmation.
 */
export class PhoneDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(PHONE_DIALOG);
    this.addDialog(new CurrentPasswordDialog(services));
    this.addDialog(
      new WaterfallDialog(CONFIRM_STEPS, [this.confirmCurrentStep.bind(this), this.afterConfirmStep.bind(this)]),
    );
    this.addDialog(new ChoiceIdPrompt(ACTION_PROMPT, services));
    this.addDialog(new TextPrompt(NUMBER_PROMPT));
    this.addDialog(new AnyInputPrompt(CODE_PROMPT));
    this.addDialog(new ChoiceIdPrompt(REMOVE_PROMPT, services));
    this.addDialog(new WaterfallDialog(ACTION_STEPS, [this.showStep.bind(this), this.actionStep.bind(this)]));
    this.addDialog(new WaterfallDialog(NUMBER_STEPS, [this.askNumberStep.bind(this), this.sendCodeStep.bind(this)]));
    this.addDialog(new WaterfallDialog(CODE_STEPS, [this.askCodeStep.bind(this), this.checkCodeStep.bind(this)]));
    this.addDialog(new WaterfallDialog(REMOVE_STEPS, [this.confirmStep.bind(this), this.removeStep.bind(this)]));
    this.initialDialogId = CONFIRM_STEPS;
  }

  private async confirmCurrentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const person = await this.person(step);
    if (!person) return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
    return step.beginDialog(CURRENT_PASSWORD_DIALOG, {
      accountId: person.account.id,
      purpose: 'phone',
    } satisfies CurrentPasswordOptions);
  }

  private async afterConfirmStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CurrentPasswordResult;
    if (result.kind === 'useReset') return step.endDialog({ kind: 'useReset' } satisfies PhoneResult);
    const person = await this.person(step);
    if (!person || result.kind !== 'verified') return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
    return step.replaceDialog(ACTION_STEPS, { accountId: person.account.id } satisfies StepState);
  }

  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const person = await this.person(step);
    if (!person) return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
    const t = textsFor(step.context, this.services);
    const { phone } = person.account;
    await step.context.sendActivity(
      phone ? t('phoneChange.current', { ending: numberEnding(phone) }) : t('phoneChange.none'),
    );
    return step.prompt(
      ACTION_PROMPT,
      choicePromptOptions(
        { prompt: 'phoneChange.prompt', retry: 'phoneChange.retry' },
        { choices: phone ? WITH_NUMBER : WITHOUT_NUMBER, labelPrefix: 'phoneChange.choices' },
      ),
    );
  }

  private async actionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state: StepState = { accountId: (step.options as StepState).accountId };
    const choice = step.result as (typeof WITH_NUMBER)[number] | (typeof WITHOUT_NUMBER)[number];
    if (choice === 'remove') return step.replaceDialog(REMOVE_STEPS, state);
    if (choice === 'keep') return this.end(step, 'phoneChange.kept');
    return step.replaceDialog(NUMBER_STEPS, state);
  }

  private async askNumberStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(NUMBER_PROMPT, { prompt: textsFor(step.context, this.services)('phoneChange.askNumber') });
  }

  private async sendCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const person = await this.person(step);
    if (!person) return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
    const t = textsFor(step.context, this.services);
    const typed = String(step.result);
    const outcome = await this.services.phoneChange.requestCode(
      person.account,
      phoneIn(typed, phoneRegionsOf(step.context, this.services)) ?? typed,
      chatOrigin(step.context, this.services),
    );
    switch (outcome.kind) {
      case 'invalidPhone':
      case 'notMobile':
        await step.context.sendActivity(t(outcome.kind === 'notMobile' ? 'phone.notMobile' : 'phone.invalid'));
        return step.replaceDialog(NUMBER_STEPS, step.options);
      case 'sameNumber':
        return this.end(step, 'phoneChange.same');
      case 'rateLimited':
        await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
        return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
      case 'sent': {
        const ttl = this.services.texts.formatDuration(
          localeOf(step.context, this.services),
          this.services.settings.smsCodeTtlMs,
        );
        await step.context.sendActivity(t('phoneChange.codeSent', { ending: numberEnding(outcome.phone), ttl }));
        return step.replaceDialog(CODE_STEPS, {
          ...(step.options as StepState),
          phone: outcome.phone,
        } satisfies StepState);
      }
    }
  }

  private async askCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(CODE_PROMPT, { prompt: codeCard(step.context, this.services) });
  }

  private async checkCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    const code = codeFromInput(step.result as AnyInput);
    if (code === undefined) return this.askCodeAgain(step, t('phoneChange.codeNotText'));
    // No text came: a new code goes out once the number is typed again (and checked again).
    if (await asksForNewCode(step.context, this.services, code)) {
      await step.context.sendActivity(t('phoneChange.notArrived'));
      return step.replaceDialog(NUMBER_STEPS, { accountId: (step.options as StepState).accountId } satisfies StepState);
    }
    const person = await this.person(step);
    if (!person) return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);

    const outcome = await this.services.phoneChange.checkCode(
      person.account.id,
      code,
      chatOrigin(step.context, this.services),
    );
    const ttl = this.services.texts.formatDuration(
      localeOf(step.context, this.services),
      this.services.settings.smsCodeTtlMs,
    );
    switch (outcome.kind) {
      case 'malformed':
        return this.askCodeAgain(step, t('code.malformed'));
      case 'wrong':
        return this.askCodeAgain(step, t('code.wrong', { count: outcome.triesLeft }));
      case 'tooManyTries':
        noteLimitReached(step.context);
        return this.end(step, 'phoneChange.tooManyTries', { ttl });
      case 'expired':
      case 'inUse':
        return this.end(step, `phoneChange.${outcome.kind}`, { ttl });
      case 'changed':
        return this.end(step, 'phoneChange.changed', { ending: numberEnding(outcome.phone) });
    }
  }

  private async confirmStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(
      REMOVE_PROMPT,
      choicePromptOptions(
        { prompt: 'phoneChange.confirmRemove', retry: 'phoneChange.confirmRetry' },
        { choices: CONFIRM, labelPrefix: 'phoneChange.confirmChoices' },
      ),
    );
  }

  private async removeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (step.result !== 'yes') return this.end(step, 'phoneChange.kept');
    const person = await this.person(step);
    if (!person) return step.endDialog({ kind: 'stopped' } satisfies PhoneResult);
    await this.services.phoneChange.removePhone(person.account.id, chatOrigin(step.context, this.services));
    return this.end(step, 'phoneChange.removed');
  }

  /**
   * The signed-in person for this turn, and the same account the journey began with; otherwise
   * the refusal is said and the journey ends.
   */
  private async person(step: WaterfallStepContext) {
    const check = await checkSignedIn(step.context, this.services);
    const expected = (step.options as StepState | undefined)?.accountId;
    if (check.kind === 'ok' && (expected === undefined || check.person.account.id === expected)) return check.person;
    await step.context.sendActivity(
      signedInRefusal(step.context, this.services, check.kind === 'kidsProfile' ? 'kidsProfile' : 'notSignedIn'),
    );
    return undefined;
  }

  private async askCodeAgain(step: WaterfallStepContext, message: string): Promise<DialogTurnResult> {
    await step.context.sendActivity(message);
    return step.replaceDialog(CODE_STEPS, step.options);
  }

  private async end(
    step: WaterfallStepContext,
    key: string,
    variables?: Record<string, string>,
  ): Promise<DialogTurnResult> {
    await step.context.sendActivity(textsFor(step.context, this.services)(key, variables));
    return step.endDialog({ kind: 'done' } satisfies PhoneResult);
  }
}
