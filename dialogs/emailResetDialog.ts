import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { emailIn } from '../src/nlu/details.js';
import {
  REDEEM_LINK_DIALOG,
  RedeemLinkDialog,
  type RedeemLinkOptions,
  type RedeemLinkResult,
} from './redeemLinkDialog.js';
import { chatOrigin, sayRateLimited, textsFor, type DialogServices } from './services.js';

export const EMAIL_RESET_DIALOG = 'emailResetDialog';
const STEPS = 'emailResetSteps';
const EMAIL_PROMPT = 'email';

/** Email reset: ask the address, answer the same for every address, then wait for the link. */
export class EmailResetDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(EMAIL_RESET_DIALOG);
    this.addDialog(new RedeemLinkDialog(services));
    this.addDialog(
      // The address may come inside a sentence ("it's emma@example.com").
      new TextPrompt(
        EMAIL_PROMPT,
        async (prompt) => prompt.recognized.succeeded && emailIn(prompt.recognized.value!) !== undefined,
      ),
    );
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.askAddressStep.bind(this),
        this.requestStep.bind(this),
        this.afterLinkStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  private async askAddressStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    return step.prompt(EMAIL_PROMPT, { prompt: t('email.ask'), retryPrompt: t('email.invalid') });
  }

  private async requestStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    const email = emailIn(String(step.result)) ?? String(step.result);
    const outcome = await this.services.reset.requestEmailReset(email, chatOrigin(step.context, this.services));
    if (outcome.kind === 'rateLimited') {
      await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
      return step.endDialog();
    }
    if (outcome.kind === 'invalidEmail') return step.replaceDialog(STEPS);
    await step.context.sendActivity(t('email.sent'));
    return step.beginDialog(REDEEM_LINK_DIALOG, { email } satisfies RedeemLinkOptions);
  }

  private async afterLinkStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as RedeemLinkResult | undefined;
    if (result?.kind === 'askAddress') return step.replaceDialog(STEPS);
    return step.endDialog(result);
  }
}
