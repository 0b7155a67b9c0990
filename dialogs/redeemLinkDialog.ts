import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { findLinkToken } from '../src/recovery/secrets.js';
import { NEW_PASSWORD_DIALOG, NewPasswordDialog, type NewPasswordResult } from './newPasswordDialog.js';
import {
  OFFER_NEW_EMAIL_DIALOG,
  OfferNewEmailDialog,
  type OfferNewEmailOptions,
  type OfferNewEmailResult,
} from './offerNewEmailDialog.js';
import { choiceMessage } from './prompts.js';
import type { DialogServices } from './services.js';
import { TROUBLE_DIALOG, TroubleDialog, type TroubleOptions, type TroubleResult } from './troubleDialog.js';

export const REDEEM_LINK_DIALOG = 'redeemLinkDialog';
const STEPS = 'redeemLinkSteps';
const LINK_PROMPT = 'link';

export interface RedeemLinkOptions {
  /** Set when the person pasted the link before being asked. */
  pastedText?: string;
  /** The address the email went to, when this journey asked for it. */
  email?: string;
  /** Ask again, saying what the link looks like. */
  retry?: boolean;
}

/** Ends with 'changed', or with what became of a dead link. */
export type RedeemLinkResult = { kind: 'changed' } | OfferNewEmailResult;

/** The email reset in the chat: the pasted link is checked and leads to the new-password step. */
export class RedeemLinkDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(REDEEM_LINK_DIALOG);
    this.addDialog(new NewPasswordDialog(services));
    this.addDialog(new OfferNewEmailDialog(services));
    this.addDialog(new TroubleDialog(services));
    this.addDialog(new TextPrompt(LINK_PROMPT));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.askLinkStep.bind(this),
        this.checkLinkStep.bind(this),
        this.afterCheckStep.bind(this),
        this.afterOfferStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  private async askLinkStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as RedeemLinkOptions;
    if (options.pastedText !== undefined) {
      const pasted = options.pastedText;
      // The token is a secret: it must not stay in the saved dialog options.
      delete options.pastedText;
      return step.next(pasted);
    }
    // The trouble cases are offered right where the person waits for the email.
    const troubles = { choices: ['email-not-received', 'link-not-working'], labelPrefix: 'menu' };
    const resetUrl = `${this.services.settings.publicBaseUrl}/reset`;
    const retry = choiceMessage(step.context, this.services, 'link.notALink', troubles, { resetUrl });
    return step.prompt(LINK_PROMPT, {
      prompt: options.retry ? retry : choiceMessage(step.context, this.services, 'link.ask', troubles),
      retryPrompt: retry,
    });
  }

  private async checkLinkStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = String(step.result ?? '');
    const token = findLinkToken(text);
    if (token === undefined) {
      const { email } = step.options as RedeemLinkOptions;
      const topic = this.services.intents.recognize(
        text,
        ['email-not-received', 'link-not-working'] as const,
        (c) => `menu.${c}`,
      );
      if (topic)
        return step.beginDialog(TROUBLE_DIALOG, { topic, ...(email ? { email } : {}) } satisfies TroubleOptions);
      return step.replaceDialog(STEPS, { ...(step.options as RedeemLinkOptions), retry: true });
    }
    const check = await this.services.reset.checkLink(token);
    if (check.kind === 'valid') return step.beginDialog(NEW_PASSWORD_DIALOG, { grant: check.grant });
    const offer: OfferNewEmailOptions =
      check.kind === 'invalid' ? { problem: 'invalid' } : { problem: check.kind, renewable: check.grant };
    return step.beginDialog(OFFER_NEW_EMAIL_DIALOG, offer);
  }

  private async afterCheckStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as NewPasswordResult | OfferNewEmailResult | undefined;
    // The link died while the person was choosing a password (it expired, or was used elsewhere).
    if (result?.kind === 'linkProblem') {
      return step.beginDialog(OFFER_NEW_EMAIL_DIALOG, {
        problem: result.problem,
        renewable: result.grant,
      } satisfies OfferNewEmailOptions);
    }
    return this.afterOfferStep(step);
  }

  private async afterOfferStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as RedeemLinkResult | TroubleResult | undefined;
    const { email } = step.options as RedeemLinkOptions;
    // A new email is on its way, or the trouble tips were read: wait for the link.
    if (result?.kind === 'renewed' || result?.kind === 'resent' || result?.kind === 'done') {
      return step.replaceDialog(STEPS, email ? { email } : {});
    }
    return step.endDialog(result);
  }
}
