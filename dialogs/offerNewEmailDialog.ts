import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { LinkProblem } from '../src/recovery/resetService.js';
import type { ResetGrant } from '../src/recovery/types.js';
import { ChoiceIdPrompt, choicePromptOptions } from './prompts.js';
import { chatOrigin, localeOf, sayRateLimited, textsFor, type DialogServices } from './services.js';
import { troubleTips } from './troubleDialog.js';

export const OFFER_NEW_EMAIL_DIALOG = 'offerNewEmailDialog';
const STEPS = 'offerNewEmailSteps';
const OFFER_PROMPT = 'offerNew';
const OFFER_CHOICES = ['yes', 'no', 'link-not-working'] as const;

export interface OfferNewEmailOptions {
  problem: LinkProblem;
  /** The request behind the dead link; absent when the link was not recognised at all. */
  renewable?: ResetGrant;
}

export type OfferNewEmailResult =
  | { kind: 'renewed' }
  | { kind: 'declined' }
  | { kind: 'rateLimited' }
  /** The person wants a new email but the link named no account: ask for the address. */
  | { kind: 'askAddress' };

/** A dead link: say why, and offer a new email in one step. */
export class OfferNewEmailDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(OFFER_NEW_EMAIL_DIALOG);
    this.addDialog(new ChoiceIdPrompt(OFFER_PROMPT, services));
    this.addDialog(new WaterfallDialog(STEPS, [this.explainStep.bind(this), this.renewStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  private async explainStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { problem, explained } = step.options as OfferNewEmailOptions & { explained?: boolean };
    const locale = localeOf(step.context, this.services);
    const ttl = this.services.texts.formatDuration(locale, this.services.settings.resetLinkTtlMs);
    if (!explained) await step.context.sendActivity(textsFor(step.context, this.services)(`link.${problem}`, { ttl }));
    return step.prompt(
      OFFER_PROMPT,
      choicePromptOptions(
        { prompt: 'link.offerNew', retry: 'link.offerNew' },
        { choices: OFFER_CHOICES, labelPrefix: 'link.yesNo' },
      ),
    );
  }

  private async renewStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    if (step.result === 'link-not-working') {
      // The tips, then the same offer again.
      await step.context.sendActivity(troubleTips(step, this.services, 'link-not-working'));
      return step.replaceDialog(STEPS, { ...(step.options as OfferNewEmailOptions), explained: true });
    }
    if (step.result !== 'yes') {
      await step.context.sendActivity(t('link.declined'));
      return step.endDialog({ kind: 'declined' } satisfies OfferNewEmailResult);
    }
    const { renewable } = step.options as OfferNewEmailOptions;
    if (renewable === undefined) return step.endDialog({ kind: 'askAddress' } satisfies OfferNewEmailResult);
    const outcome = await this.services.reset.renewLink(renewable, chatOrigin(step.context, this.services));
    if (outcome.kind === 'rateLimited') {
      await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
      return step.endDialog({ kind: 'rateLimited' } satisfies OfferNewEmailResult);
    }
    await step.context.sendActivity(t('email.sent'));
    return step.endDialog({ kind: 'renewed' } satisfies OfferNewEmailResult);
  }
}
