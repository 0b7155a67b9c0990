import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { YES_NO } from './intents.js';
import { ChoiceIdPrompt, choicePromptOptions } from './prompts.js';
import { chatOrigin, localeOf, sayRateLimited, textsFor, type DialogServices } from './services.js';

export const TROUBLE_DIALOG = 'troubleDialog';
const STEPS = 'troubleSteps';
const OFFER_PROMPT = 'troubleOffer';

export type TroubleTopic = 'email-not-received' | 'link-not-working' | 'password-rejected';
export const TROUBLE_TOPICS: readonly TroubleTopic[] = ['email-not-received', 'link-not-working', 'password-rejected'];

const TIPS: Record<TroubleTopic, string> = {
  'email-not-received': 'trouble.emailNotReceived',
  'link-not-working': 'trouble.linkNotWorking',
  'password-rejected': 'trouble.passwordRejected',
};

export interface TroubleOptions {
  topic: TroubleTopic;
  /** The address typed earlier in this journey, so "send it again" needs no retyping. */
  email?: string;
}

/** 'askAddress': a new email was wanted but no address is known yet; the caller asks for it. */
export type TroubleResult = { kind: 'resent' } | { kind: 'askAddress' } | { kind: 'done' };

/** Trouble cases: what to check when the email did not come or the link fails, then a new email in one step. */
export class TroubleDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(TROUBLE_DIALOG);
    this.addDialog(new ChoiceIdPrompt(OFFER_PROMPT, services));
    this.addDialog(new WaterfallDialog(STEPS, [this.tipsStep.bind(this), this.resendStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  private async tipsStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { topic } = step.options as TroubleOptions;
    await step.context.sendActivity(troubleTips(step, this.services, topic));
    if (topic === 'password-rejected') return step.endDialog({ kind: 'done' } satisfies TroubleResult);
    return step.prompt(
      OFFER_PROMPT,
      choicePromptOptions(
        { prompt: 'trouble.offerResend', retry: 'trouble.offerResend' },
        { choices: YES_NO, labelPrefix: 'link.yesNo' },
      ),
    );
  }

  private async resendStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    if (step.result !== 'yes') {
      await step.context.sendActivity(t('link.declined'));
      return step.endDialog({ kind: 'done' } satisfies TroubleResult);
    }
    const { email } = step.options as TroubleOptions;
    if (email === undefined) return step.endDialog({ kind: 'askAddress' } satisfies TroubleResult);
    const outcome = await this.services.reset.requestEmailReset(email, chatOrigin(step.context, this.services));
    if (outcome.kind === 'rateLimited') {
      await sayRateLimited(step.context, this.services, outcome.retryAfterMs);
      return step.endDialog({ kind: 'done' } satisfies TroubleResult);
    }
    await step.context.sendActivity(t('email.sent'));
    return step.endDialog({ kind: 'resent' } satisfies TroubleResult);
  }
}

/** The tips for a trouble case, worded for this turn. */
export function troubleTips(step: WaterfallStepContext, services: DialogServices, topic: TroubleTopic): string {
  const locale = localeOf(step.context, services);
  return services.texts.t(locale, TIPS[topic], {
    emailFrom: services.settings.emailFrom,
    ttl: services.texts.formatDuration(locale, services.settings.resetLinkTtlMs),
    min: services.settings.passwordMinLength,
  });
}
