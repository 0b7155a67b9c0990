import { noteLimitReached } from './struggle.js';
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { CodeRequestOutcome } from '../src/recovery/smsReset.js';
import { NEW_PASSWORD_DIALOG, NewPasswordDialog, type NewPasswordResult } from './newPasswordDialog.js';
import { codeCard } from './cards.js';
import {
  AnyInputPrompt,
  asksForNewCode,
  ChoiceIdPrompt,
  choicePromptOptions,
  codeFromInput,
  type AnyInput,
} from './prompts.js';
import {
  chatOrigin,
  isTeams,
  localeOf,
  phoneRegionsOf,
  sayRateLimited,
  textsFor,
  type DialogServices,
} from './services.js';
import { phoneIn } from '../src/nlu/details.js';

export const SMS_RESET_DIALOG = 'smsResetDialog';
const PHONE_STEPS = 'smsPhoneSteps';
const CODE_STEPS = 'smsCodeSteps';
const OFFER_STEPS = 'smsOfferSteps';
/** Prompt ids double as the help topic of the step. */
const PHONE_PROMPT = 'phone';
const CODE_PROMPT = 'code';
const OFFER_PROMPT = 'codeOffer';
const OFFER_CHOICES = ['yes', 'email', 'no'] as const;

/** The number the code went to (E.164, not a secret), so "send a new code" needs no retyping. */
interface CodeState {
  phone: string;
  /** Ask again, saying what a code looks like. */
  retry?: boolean;
}

interface OfferState extends CodeState {
  reason: 'expired' | 'tooManyTries' | 'noCode' | 'notArrived';
}

/** How the SMS reset ended; 'useEmail' asks the caller to continue with the email route. */
export type SmsResetResult = { kind: 'changed' } | { kind: 'useEmail' } | { kind: 'stopped' };

/** SMS reset: number → the same answer for every number → code (at most five tries) → new password. */
export class SmsResetDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(SMS_RESET_DIALOG);
    this.addDialog(new TextPrompt(PHONE_PROMPT));
    this.addDialog(new AnyInputPrompt(CODE_PROMPT));
    this.addDialog(new ChoiceIdPrompt(OFFER_PROMPT, services));
    this.addDialog(new NewPasswordDialog(services));
    this.addDialog(new WaterfallDialog(PHONE_STEPS, [this.askPhoneStep.bind(this), this.requestStep.bind(this)]));
    this.addDialog(
      new WaterfallDialog(CODE_STEPS, [
        this.askCodeStep.bind(this),
        this.checkCodeStep.bind(this),
        this.afterPasswordStep.bind(this),
      ]),
    );
    this.addDialog(new WaterfallDialog(OFFER_STEPS, [this.offerStep.bind(this), this.offerChoiceStep.bind(this)]));
    this.initialDialogId = PHONE_STEPS;
  }

  private async askPhoneStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    return step.prompt(PHONE_PROMPT, { prompt: t('phone.ask'), retryPrompt: t('phone.invalid') });
  }

  private async requestStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // The number may come inside a sentence, and national numbers are read in the person's region.
    const typed = String(step.result);
    const outcome = await this.request(step, phoneIn(typed, phoneRegionsOf(step.context, this.services)) ?? typed);
    if (outcome.kind === 'invalidPhone' || outcome.kind === 'notMobile') return step.replaceDialog(PHONE_STEPS);
    if (outcome.kind === 'rateLimited') return step.endDialog({ kind: 'stopped' } satisfies SmsResetResult);
    return step.replaceDialog(CODE_STEPS, { phone: outcome.phone } satisfies CodeState);
  }

  private async askCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    const { retry } = step.options as CodeState;
    if (!isTeams(step.context)) return step.prompt(CODE_PROMPT, { prompt: t(retry ? 'code.malformed' : 'code.ask') });
    // In Teams a code goes in a card, so it never has to stay in the chat as a message.
    if (retry) await step.context.sendActivity(t('code.malformed'));
    return step.prompt(CODE_PROMPT, { prompt: codeCard(step.context, this.services) });
  }

  private async checkCodeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    const state = step.options as CodeState;
    const code = codeFromInput(step.result as AnyInput) ?? '';
    if (await asksForNewCode(step.context, this.services, code))
      return step.replaceDialog(OFFER_STEPS, { phone: state.phone, reason: 'notArrived' } satisfies OfferState);
    const check = await this.services.sms.checkCode(step.context.activity.conversation.id, code);
    switch (check.kind) {
      case 'valid':
        return step.beginDialog(NEW_PASSWORD_DIALOG, { grant: check.grant });
      case 'malformed':
        return step.replaceDialog(CODE_STEPS, { phone: state.phone, retry: true } satisfies CodeState);
      case 'wrong':
        await step.context.sendActivity(t('code.wrong', { count: check.triesLeft }));
        return step.replaceDialog(CODE_STEPS, { phone: state.phone } satisfies CodeState);
      default:
        if (check.kind === 'tooManyTries') noteLimitReached(step.context);
        return step.replaceDialog(OFFER_STEPS, { phone: state.phone, reason: check.kind } satisfies OfferState);
    }
  }

  private async afterPasswordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as NewPasswordResult | undefined;
    // The code's time ran out while the person was choosing a password.
    if (result?.kind === 'linkProblem') {
      const { phone } = step.options as CodeState;
      return step.replaceDialog(OFFER_STEPS, { phone, reason: 'expired' } satisfies OfferState);
    }
    return step.endDialog({ kind: 'changed' } satisfies SmsResetResult);
  }

  /** Why the code no longer works, and what can be done in one step. */
  private async offerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { reason } = step.options as OfferState;
    const locale = localeOf(step.context, this.services);
    const ttl = this.services.texts.formatDuration(locale, this.services.settings.smsCodeTtlMs);
    await step.context.sendActivity(textsFor(step.context, this.services)(`code.${reason}`, { ttl }));
    return step.prompt(
      OFFER_PROMPT,
      choicePromptOptions(
        { prompt: 'code.offer', retry: 'code.offerRetry' },
        { choices: OFFER_CHOICES, labelPrefix: 'code.choices' },
      ),
    );
  }

  private async offerChoiceStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const choice = step.result as (typeof OFFER_CHOICES)[number];
    if (choice === 'email') return step.endDialog({ kind: 'useEmail' } satisfies SmsResetResult);
    if (choice === 'no') {
      await step.context.sendActivity(textsFor(step.context, this.services)('code.declined'));
      return step.endDialog({ kind: 'stopped' } satisfies SmsResetResult);
    }
    const { phone } = step.options as OfferState;
    const outcome = await this.request(step, phone);
    if (outcome.kind !== 'accepted') return step.endDialog({ kind: 'stopped' } satisfies SmsResetResult);
    return step.replaceDialog(CODE_STEPS, { phone } satisfies CodeState);
  }

  /** Asks for a code and words the answer, which is the same whether or not the number is known. */
  private async request(step: WaterfallStepContext, phoneText: string): Promise<CodeRequestOutcome> {
    const t = textsFor(step.context, this.services);
    const outcome = await this.services.sms.requestCode(phoneText, chatOrigin(step.context, this.services));
    switch (outcome.kind) {
      case 'invalidPhone':
        await step.context.sendActivity(t('phone.invalid'));
        break;
      case 'notMobile':
        await step.context.sendActivity(t('phone.notMobile'));
        break;
      case 'rateLimited':
        await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
        break;
      case 'accepted': {
        const locale = localeOf(step.context, this.services);
        const ttl = this.services.texts.formatDuration(locale, this.services.settings.smsCodeTtlMs);
        await step.context.sendActivity(t('phone.sent', { ttl }));
        await step.context.sendActivity(t('phone.notLinked'));
        break;
      }
    }
    return outcome;
  }
}
