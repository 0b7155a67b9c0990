import { noteLimitReached } from './struggle.js';
import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { currentPasswordCard } from './cards.js';
import { checkSignedIn, signedInRefusal, type SignedInCheck } from './identity.js';
import { NEW_PASSWORD_DIALOG, NewPasswordDialog, type NewPasswordResult } from './newPasswordDialog.js';
import { AnyInputPrompt, type AnyInput } from './prompts.js';
import { isTeams, localeOf, textsFor, type DialogServices } from './services.js';

export const CHANGE_PASSWORD_DIALOG = 'changePasswordDialog';
const STEPS = 'changePasswordSteps';
/** The prompt id doubles as the help topic of the step. */
const CURRENT_PROMPT = 'currentPassword';
const MAX_INPUT = 4096;

/** How J6 ended; 'useReset' asks the caller to continue with the reset route. */
export type ChangePasswordResult = { kind: 'changed' } | { kind: 'useReset' } | { kind: 'stopped' };

interface StepState {
  accountId: string;
}

/**
 * J6: a signed-in person on a grown-up profile confirms the current password, then chooses a
 * new one in J4. Everyone else is told why not, and offered the reset, which needs no sign-in.
 */
export class ChangePasswordDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(CHANGE_PASSWORD_DIALOG);
    this.addDialog(new AnyInputPrompt(CURRENT_PROMPT));
    this.addDialog(new NewPasswordDialog(services));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.askCurrentStep.bind(this),
        this.checkCurrentStep.bind(this),
        this.afterPasswordStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  private async askCurrentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // Kept in the step's options, which live in the dialog state, for the turns that follow.
    const state = step.options as Partial<StepState>;
    if (state.accountId === undefined) {
      const check = await checkSignedIn(step.context, this.services);
      if (check.kind !== 'ok') return this.refuse(step, check.kind);
      state.accountId = check.person.account.id;
    }
    if (await this.sayIfLocked(step, state.accountId))
      return step.endDialog({ kind: 'useReset' } satisfies ChangePasswordResult);
    return step.prompt(CURRENT_PROMPT, { prompt: currentPasswordCard(step.context, this.services) });
  }

  private async checkCurrentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = step.options as StepState;
    const t = textsFor(step.context, this.services);
    const input = step.result as AnyInput;
    const fromCard = input.value && 'currentPassword' in input.value ? input.value.currentPassword : undefined;
    if (input.value && 'currentPassword' in input.value && (typeof fromCard !== 'string' || fromCard === ''))
      return this.askAgain(step, 'change.cardIncomplete');
    if (fromCard === undefined) {
      if (input.text === undefined) return this.askAgain(step, 'change.notText');
      // "Forgotten it? Type reset": the whole message, so it is never mistaken for a password attempt.
      if (this.services.intents.whole(input.text, ['reset'] as const, () => 'menu.reset'))
        return step.endDialog({ kind: 'useReset' } satisfies ChangePasswordResult);
      if (isTeams(step.context)) return this.askAgain(step, 'password.teamsUseCard');
    }

    // The channel must still vouch for the same account on this turn.
    const check = await checkSignedIn(step.context, this.services);
    if (check.kind !== 'ok') return this.refuse(step, check.kind);
    if (check.person.account.id !== state.accountId) return this.refuse(step, 'notSignedIn');

    const password = (typeof fromCard === 'string' ? fromCard : input.text!).slice(0, MAX_INPUT);
    const outcome = await this.services.passwordChange.checkCurrentPassword(
      state.accountId,
      password,
      step.context.activity.conversation.id,
    );
    switch (outcome.kind) {
      case 'wrong':
        return this.askAgain(step, 'change.wrong', outcome.triesLeft);
      case 'locked':
        await this.sayLocked(step.context, outcome.retryAfterMs);
        return step.endDialog({ kind: 'useReset' } satisfies ChangePasswordResult);
      case 'verified':
        await step.context.sendActivity(t('change.verified'));
        return step.beginDialog(NEW_PASSWORD_DIALOG, { grant: outcome.grant });
    }
  }

  private async afterPasswordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as NewPasswordResult | undefined;
    if (result?.kind === 'changed') return step.endDialog({ kind: 'changed' } satisfies ChangePasswordResult);
    // The window after the current password closed (or another change happened meanwhile).
    await step.context.sendActivity(textsFor(step.context, this.services)('change.expired'));
    return step.endDialog({ kind: 'stopped' } satisfies ChangePasswordResult);
  }

  private async refuse(
    step: WaterfallStepContext,
    why: Exclude<SignedInCheck['kind'], 'ok'>,
  ): Promise<DialogTurnResult> {
    const t = textsFor(step.context, this.services);
    await step.context.sendActivity(
      `${signedInRefusal(step.context, this.services, why)} ${t('signedIn.resetInstead')}`,
    );
    return step.endDialog({ kind: 'useReset' } satisfies ChangePasswordResult);
  }

  private async sayIfLocked(step: WaterfallStepContext, accountId: string): Promise<boolean> {
    const locked = await this.services.passwordChange.lockOf(accountId);
    if (locked) await this.sayLocked(step.context, locked.retryAfterMs);
    return locked !== undefined;
  }

  private async sayLocked(context: TurnContext, retryAfterMs: number): Promise<void> {
    const locale = localeOf(context, this.services);
    const wait = this.services.texts.formatDuration(locale, retryAfterMs);
    const t = textsFor(context, this.services);
    await context.sendActivity(`${t('change.locked', { wait })} ${t('signedIn.resetInstead')}`);
    noteLimitReached(context);
  }

  private async askAgain(step: WaterfallStepContext, key: string, count?: number): Promise<DialogTurnResult> {
    await step.context.sendActivity(
      textsFor(step.context, this.services)(key, count === undefined ? undefined : { count }),
    );
    return step.replaceDialog(STEPS, step.options as StepState);
  }
}
