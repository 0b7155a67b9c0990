import { ActionTypes, TurnContext, type Activity } from 'botbuilder';
import {
  ComponentDialog,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { GrantProblem, PasswordOrigin, PasswordOutcome, ProposalOutcome } from '../src/recovery/resetService.js';
import type { ResetGrant } from '../src/recovery/types.js';
import { newPasswordCard } from './cards.js';
import { PasswordInputPrompt, withButtons, type PasswordInput } from './prompts.js';
import { isTeams, localeOf, textsFor, timeZoneOf, type DialogServices } from './services.js';
import { PASSWORD_PAGE_DONE } from './teams.js';
import { turnOf } from './turn.js';
import { MENU_CHOICES } from './intents.js';
import { troubleTips } from './troubleDialog.js';

export const NEW_PASSWORD_DIALOG = 'newPasswordDialog';
const STEPS = 'newPasswordSteps';
/** Prompt ids double as the help topic of the step. */
const PASSWORD_PROMPT = 'password';
const CONFIRM_PROMPT = 'confirm';

export interface NewPasswordOptions {
  grant: ResetGrant;
}

/** How the step ended, for the dialog that started it. */
export type NewPasswordResult = { kind: 'changed' } | GrantProblem;

const ADVICE_LABEL = 'password.howToChoose';
/** What a message at the password step asks for when it is not a password. */
const QUESTION_INTENTS = new Set<string>(['help', 'agent', 'password-rejected', 'cancel', 'menu']);

interface StepState extends NewPasswordOptions {
  /** Show the "how do I choose one that passes?" button with the card. */
  offerAdvice?: boolean;
  /** argon2 hash of a typed first entry, waiting for the second; never the password itself. */
  pendingHash?: string;
}

/** New-password step: asks for the new password by card (or typed, outside Teams) until it passes every rule. */
export class NewPasswordDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(NEW_PASSWORD_DIALOG);
    this.addDialog(new PasswordInputPrompt(PASSWORD_PROMPT));
    this.addDialog(new PasswordInputPrompt(CONFIRM_PROMPT));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.askPasswordStep.bind(this),
        this.checkPasswordStep.bind(this),
        this.checkConfirmStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  /** The Teams dialog page set the password: the step is over, as if the card had been sent. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const { activity } = innerDc.context;
    if (activity.type !== 'event' || activity.name !== PASSWORD_PAGE_DONE) return super.onContinueDialog(innerDc);
    const grant = innerDc.stack.find((instance) => instance.id === STEPS)?.state?.options?.grant as
      ResetGrant | undefined;
    const done = activity.value as { requestId?: unknown } | undefined;
    if (!grant || done?.requestId !== grant.requestId) return { status: DialogTurnStatus.waiting };
    turnOf(innerDc.context).passwordPageDone = true;
    await innerDc.context.sendActivity(textsFor(innerDc.context, this.services)('password.changed'));
    return { status: DialogTurnStatus.complete, result: { kind: 'changed' } satisfies NewPasswordResult };
  }

  private async askPasswordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { grant } = step.options as StepState;
    // In Teams the card can also open the form as a dialog page, which finishes this grant.
    if (isTeams(step.context))
      await this.services.passwordPages.offer({
        conversationId: step.context.activity.conversation.id,
        grant,
        locale: localeOf(step.context, this.services),
        reply: TurnContext.getConversationReference(step.context.activity),
      });
    const card = newPasswordCard(step.context, this.services);
    // After a "not safe or too common" refusal, the way to a password that passes is one click away.
    if ((step.options as StepState).offerAdvice) {
      const label = textsFor(step.context, this.services)(ADVICE_LABEL);
      card.suggestedActions = { actions: [{ type: ActionTypes.ImBack, title: label, value: label }], to: [] };
    }
    return step.prompt(PASSWORD_PROMPT, { prompt: card });
  }

  private async checkPasswordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = step.options as StepState;
    const input = step.result as PasswordInput;
    if (input.kind === 'card')
      return this.finish(
        step,
        await this.services.reset.setPassword(state.grant, input.password, input.confirm, this.origin(step.context)),
      );
    if (input.kind !== 'text')
      return this.askAgain(step, input.kind === 'cardIncomplete' ? 'password.cardIncomplete' : 'password.notText');
    if (this.asksForAdvice(input.text)) {
      await step.context.sendActivity(troubleTips(step, this.services, 'password-rejected'));
      return step.replaceDialog(STEPS, { grant: state.grant } satisfies NewPasswordOptions);
    }
    if (await this.readsAsQuestion(step.context, input.text)) {
      await step.context.sendActivity(this.offerHelp(step.context));
      return step.replaceDialog(STEPS, { grant: state.grant } satisfies NewPasswordOptions);
    }
    if (isTeams(step.context)) return this.askAgain(step, 'password.teamsUseCard');

    const proposal = await this.services.reset.proposePassword(state.grant, input.text, this.origin(step.context));
    if (proposal.kind !== 'acceptable') return this.finish(step, proposal);
    (step.options as StepState).pendingHash = proposal.pendingHash;
    return step.prompt(CONFIRM_PROMPT, { prompt: textsFor(step.context, this.services)('password.askConfirm') });
  }

  private async checkConfirmStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = step.options as StepState;
    const input = step.result as PasswordInput;
    const { reset } = this.services;
    if (input.kind === 'card')
      return this.finish(
        step,
        await reset.setPassword(state.grant, input.password, input.confirm, this.origin(step.context)),
      );
    if (input.kind !== 'text' || state.pendingHash === undefined) return this.askAgain(step, 'password.notText');
    return this.finish(
      step,
      await reset.confirmPassword(state.grant, state.pendingHash, input.text, this.origin(step.context)),
    );
  }

  /** Words the outcome; a refusal starts the step again, the rest ends it. */
  private async finish(
    step: WaterfallStepContext,
    outcome: Exclude<PasswordOutcome | ProposalOutcome, { kind: 'acceptable' }>,
  ): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    if (outcome.kind !== 'refused' && isTeams(step.context))
      await this.services.passwordPages.withdraw(step.context.activity.conversation.id);
    switch (outcome.kind) {
      case 'changed':
        await step.context.sendActivity(t('password.changed'));
        return step.endDialog({ kind: 'changed' } satisfies NewPasswordResult);
      case 'refused': {
        const { reason, ...values } = outcome.refusal;
        return this.askAgain(step, `password.refused.${reason}`, values, reason === 'common' || reason === 'personal');
      }
      case 'linkProblem':
        return step.endDialog(outcome satisfies NewPasswordResult);
    }
  }

  private async askAgain(
    step: WaterfallStepContext,
    key: string,
    values: Record<string, number> = {},
    offerAdvice = false,
  ): Promise<DialogTurnResult> {
    await step.context.sendActivity(textsFor(step.context, this.services)(key, values));
    const { grant } = step.options as StepState;
    return step.replaceDialog(STEPS, { grant, ...(offerAdvice ? { offerAdvice } : {}) } satisfies StepState);
  }

  /**
   * Typed text that reads as a question or a request rather than a password: a question in
   * words, a menu choice, or words the classifier is all but sure ask for help, a person or
   * the rules. The rules for what may be a password do not change; a card is never read so.
   */
  private async readsAsQuestion(context: TurnContext, text: string): Promise<boolean> {
    const trimmed = text.trim();
    const words = trimmed.split(/\s+/u).length;
    if (words >= 2 && trimmed.endsWith('?')) return true;
    if (this.services.intents.exact(trimmed, MENU_CHOICES, (choice) => `menu.${choice}`)) return true;
    if (words < 3) return false;
    const top = (await this.services.understanding.understand(trimmed, localeOf(context, this.services))).intents[0];
    return top !== undefined && top.score >= 0.9 && QUESTION_INTENTS.has(top.intent);
  }

  /** Help for the step, or the menu, as buttons; the password card stays where it was. */
  private offerHelp(context: TurnContext): Partial<Activity> {
    const t = textsFor(context, this.services);
    return withButtons(t('password.question'), [t('password.helpButton'), t('closing.menuButton')]);
  }

  /** Only the advice button's label (in either language) or its choice id, never a password. */
  private asksForAdvice(text: string): boolean {
    const choice = this.services.intents.exact(text, ['password-rejected', 'advice'] as const, (option) =>
      option === 'advice' ? ADVICE_LABEL : `menu.${option}`,
    );
    return choice !== undefined;
  }

  private origin(context: TurnContext): PasswordOrigin {
    const timeZone = timeZoneOf(context);
    return { via: 'chat', locale: localeOf(context, this.services), ...(timeZone ? { timeZone } : {}) };
  }
}
