import { handToPerson } from './handoff.js';
import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { isPlausibleName, type CardDetails } from '../src/recovery/billingRecovery.js';
import { AnyInputPrompt, ChoiceIdPrompt, choicePromptOptions, withButtons, type AnyInput } from './prompts.js';
import { billingDetailsCard } from './cards.js';
import { chatOrigin, isTeams, localeOf, regionOf, sayRateLimited, textsFor, type DialogServices } from './services.js';

export const BILLING_DIALOG = 'billingDialog';
const METHOD_STEPS = 'billingMethodSteps';
const NAME_STEPS = 'billingNameSteps';
const LAST_NAME_STEPS = 'billingLastNameSteps';
const NUMBER_STEPS = 'billingNumberSteps';
const PARTNER_STEPS = 'billingPartnerSteps';
/** Prompt ids double as the help topic of the step. */
const METHOD_PROMPT = 'billingMethod';
const FIRST_NAME_PROMPT = 'firstName';
const LAST_NAME_PROMPT = 'lastName';
const NUMBER_PROMPT = 'cardNumber';
const PARTNER_PROMPT = 'partner';
const METHODS = ['card', 'partner', 'other'] as const;

/** Names typed so far (not secret); the card number is never kept, not even between turns. */
interface NameState {
  firstName?: string;
  lastName?: string;
}

/**
 * Billing recovery: the person who no longer knows their email or number. By card (three prompts, or the
 * card at once; in Teams only the card), through a partner, or another way.
 */
export class BillingDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(BILLING_DIALOG);
    this.addDialog(new ChoiceIdPrompt(METHOD_PROMPT, services));
    for (const id of [FIRST_NAME_PROMPT, LAST_NAME_PROMPT, NUMBER_PROMPT, PARTNER_PROMPT]) {
      this.addDialog(new AnyInputPrompt(id));
    }
    this.addDialog(new WaterfallDialog(METHOD_STEPS, [this.askMethodStep.bind(this), this.methodStep.bind(this)]));
    this.addDialog(new WaterfallDialog(NAME_STEPS, [this.askFirstNameStep.bind(this), this.firstNameStep.bind(this)]));
    this.addDialog(
      new WaterfallDialog(LAST_NAME_STEPS, [this.askLastNameStep.bind(this), this.lastNameStep.bind(this)]),
    );
    this.addDialog(new WaterfallDialog(NUMBER_STEPS, [this.askNumberStep.bind(this), this.numberStep.bind(this)]));
    this.addDialog(new WaterfallDialog(PARTNER_STEPS, [this.askPartnerStep.bind(this), this.partnerStep.bind(this)]));
    this.initialDialogId = METHOD_STEPS;
  }

  private async askMethodStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (!this.services.billing.isAvailableIn(regionOf(step.context, this.services))) {
      await step.context.sendActivity(this.t(step.context)('billing.unavailable'));
      return this.offerSupport(step, 'regionUnavailable');
    }
    return step.prompt(
      METHOD_PROMPT,
      choicePromptOptions(
        { prompt: 'billing.ask', retry: 'billing.retry' },
        { choices: METHODS, labelPrefix: 'billing.choices' },
      ),
    );
  }

  private async methodStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const method = step.result as (typeof METHODS)[number];
    if (method === 'card') return step.replaceDialog(NAME_STEPS, {});
    if (method === 'partner') return step.replaceDialog(PARTNER_STEPS, {});
    await step.context.sendActivity(this.t(step.context)('billing.other'));
    return this.offerSupport(step, 'noCardPayment');
  }

  private async askFirstNameStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(FIRST_NAME_PROMPT, { prompt: billingDetailsCard(step.context, this.services) });
  }

  private async firstNameStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const input = step.result as AnyInput;
    if (input.value) return this.lookupFromCard(step, input.value);
    if (input.text === undefined) return this.again(step, NAME_STEPS, 'billing.invalidName', {});
    if (isTeams(step.context)) return this.again(step, NAME_STEPS, 'billing.teamsUseCard', {});
    if (!isPlausibleName(input.text)) return this.again(step, NAME_STEPS, 'billing.invalidName', {});
    return step.replaceDialog(LAST_NAME_STEPS, { firstName: input.text.trim() } satisfies NameState);
  }

  private async askLastNameStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(LAST_NAME_PROMPT, { prompt: this.t(step.context)('billing.askLastName') });
  }

  private async lastNameStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const input = step.result as AnyInput;
    if (input.value) return this.lookupFromCard(step, input.value);
    const { firstName } = step.options as NameState;
    if (input.text === undefined || !isPlausibleName(input.text)) {
      return this.again(step, LAST_NAME_STEPS, 'billing.invalidName', { firstName });
    }
    return step.replaceDialog(NUMBER_STEPS, { firstName, lastName: input.text.trim() } satisfies NameState);
  }

  private async askNumberStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(NUMBER_PROMPT, { prompt: this.t(step.context)('billing.askCardNumber') });
  }

  private async numberStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const input = step.result as AnyInput;
    if (input.value) return this.lookupFromCard(step, input.value);
    const { firstName = '', lastName = '' } = step.options as NameState;
    return this.lookup(step, { firstName, lastName, cardNumber: input.text ?? '' }, NUMBER_STEPS);
  }

  private async askPartnerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = this.t(step.context);
    const labels = [...this.services.billing.partners.map((partner) => partner.name), t('billing.partnerOther')];
    return step.prompt(PARTNER_PROMPT, { prompt: withButtons(t('billing.partnerAsk'), labels) });
  }

  private async partnerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = this.t(step.context);
    const input = step.result as AnyInput;
    const partner = input.text === undefined ? undefined : this.services.billing.findPartner(input.text);
    if (partner) {
      const locale = localeOf(step.context, this.services);
      await step.context.sendActivity(
        t('billing.partnerHelp', {
          partner: partner.name,
          url: partner.signInHelpUrl[locale],
          section: partner.cantSignInSection[locale],
        }),
      );
    } else {
      await step.context.sendActivity(t('billing.partnerGeneral'));
    }
    return step.endDialog();
  }

  /** The card submit: all three fields at once, the number used in this turn only. */
  private async lookupFromCard(step: WaterfallStepContext, value: Record<string, unknown>): Promise<DialogTurnResult> {
    const { firstName, lastName, cardNumber } = value;
    if (![firstName, lastName, cardNumber].every((field) => typeof field === 'string' && field.trim() !== '')) {
      return this.again(step, NAME_STEPS, 'billing.cardIncomplete', {});
    }
    return this.lookup(step, { firstName, lastName, cardNumber } as CardDetails, NAME_STEPS);
  }

  private async lookup(step: WaterfallStepContext, details: CardDetails, retry: string): Promise<DialogTurnResult> {
    const outcome = await this.services.billing.recoverByCard(details, chatOrigin(step.context, this.services));
    switch (outcome.kind) {
      case 'invalidName':
        return this.again(step, NAME_STEPS, 'billing.invalidName', {});
      case 'invalidCard': {
        // A typo: ask for the number again (with the names kept), or show the card again.
        const names: NameState =
          retry === NUMBER_STEPS ? { firstName: details.firstName, lastName: details.lastName } : {};
        return this.again(step, retry, 'billing.invalidCard', names);
      }
      case 'rateLimited':
        await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
        return step.endDialog();
      case 'accepted':
        await step.context.sendActivity(this.t(step.context)('billing.sent'));
        return step.endDialog();
    }
  }

  private async again(
    step: WaterfallStepContext,
    steps: string,
    key: string,
    state: NameState,
  ): Promise<DialogTurnResult> {
    await step.context.sendActivity(this.t(step.context)(key));
    return step.replaceDialog(steps, state);
  }

  /** This route cannot go on (another way of paying, or not offered here): a person takes over. */
  private async offerSupport(
    step: WaterfallStepContext,
    reason: 'regionUnavailable' | 'noCardPayment',
  ): Promise<DialogTurnResult> {
    await handToPerson(step.context, this.services, { journey: BILLING_DIALOG, step: 'billingMethod', reason });
    return step.endDialog();
  }

  private t(context: TurnContext) {
    return textsFor(context, this.services);
  }
}
