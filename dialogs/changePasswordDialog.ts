import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import {
  CURRENT_PASSWORD_DIALOG,
  CurrentPasswordDialog,
  type CurrentPasswordOptions,
  type CurrentPasswordResult,
} from './currentPasswordDialog.js';
import { checkSignedIn, signedInRefusal, type SignedInCheck } from './identity.js';
import { NEW_PASSWORD_DIALOG, NewPasswordDialog, type NewPasswordResult } from './newPasswordDialog.js';
import { textsFor, type DialogServices } from './services.js';

export const CHANGE_PASSWORD_DIALOG = 'changePasswordDialog';
const STEPS = 'changePasswordSteps';

/** How the password change ended; 'useReset' asks the caller to continue with the reset route. */
export type ChangePasswordResult = { kind: 'changed' } | { kind: 'useReset' } | { kind: 'stopped' };

/**
 * Password change: a signed-in person on a grown-up profile confirms the current password, then chooses a
 * new one in the new-password step. Everyone else is told why not, and offered the reset, which needs no sign-in.
 */
export class ChangePasswordDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(CHANGE_PASSWORD_DIALOG);
    this.addDialog(new CurrentPasswordDialog(services));
    this.addDialog(new NewPasswordDialog(services));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.confirmCurrentStep.bind(this),
        this.newPasswordStep.bind(this),
        this.afterPasswordStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  private async confirmCurrentStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const check = await checkSignedIn(step.context, this.services);
    if (check.kind !== 'ok') return this.refuse(step, check.kind);
    return step.beginDialog(CURRENT_PASSWORD_DIALOG, {
      accountId: check.person.account.id,
      purpose: 'password',
    } satisfies CurrentPasswordOptions);
  }

  private async newPasswordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CurrentPasswordResult;
    if (result.kind === 'notSignedIn') return this.refuse(step, 'notSignedIn');
    if (result.kind === 'useReset' || !result.grant)
      return step.endDialog({ kind: 'useReset' } satisfies ChangePasswordResult);
    return step.beginDialog(NEW_PASSWORD_DIALOG, { grant: result.grant });
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
}
