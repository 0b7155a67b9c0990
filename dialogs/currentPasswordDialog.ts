import type { TurnContext } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { CurrentPasswordFailure } from '../src/recovery/passwordChange.js';
import type { ResetGrant } from '../src/recovery/types.js';
import { currentPasswordCard } from './cards.js';
import { checkSignedIn } from './identity.js';
import { AnyInputPrompt, type AnyInput } from './prompts.js';
import { isTeams, localeOf, textsFor, type DialogServices } from './services.js';
import { noteLimitReached } from './struggle.js';

export const CURRENT_PASSWORD_DIALOG = 'currentPasswordDialog';
const STEPS = 'currentPasswordSteps';
/** The prompt id doubles as the help topic of the step. */
const CURRENT_PROMPT = 'currentPassword';
const MAX_INPUT = 4096;

/**
 * What the current password opens: a new password (the password change, through a grant for the new-password step), or the phone
 * number, a recovery factor (the phone number change). Each words the card and the lock in its own terms.
 */
export type CurrentPasswordPurpose = 'password' | 'phone';

export interface CurrentPasswordOptions {
  /** The signed-in account the journey runs for. */
  accountId: string;
  purpose: CurrentPasswordPurpose;
}

/** How the check ended: confirmed (with the new-password step's grant for a password change), or the reset instead, or signed out. */
export type CurrentPasswordResult =
  { kind: 'verified'; grant?: ResetGrant } | { kind: 'useReset' } | { kind: 'notSignedIn' };

const TEXTS: Record<CurrentPasswordPurpose, { intro: string; wrong: string; locked: string }> = {
  password: { intro: 'change.cardIntro', wrong: 'change.wrong', locked: 'change.locked' },
  phone: { intro: 'phoneChange.confirmIntro', wrong: 'phoneChange.wrong', locked: 'phoneChange.locked' },
};

/**
 * The password change and the phone number change: a signed-in person confirms the current password before the account's password or
 * phone number changes, so that a chat left open on a shared device is not enough. Ten failed
 * checks in an hour lock both for the account; "reset" leaves for the reset, which needs no
 * password.
 */
export class CurrentPasswordDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(CURRENT_PASSWORD_DIALOG);
    this.addDialog(new AnyInputPrompt(CURRENT_PROMPT));
    this.addDialog(new WaterfallDialog(STEPS, [this.askStep.bind(this), this.checkStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  private async askStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { accountId, purpose } = step.options as CurrentPasswordOptions;
    const locked = await this.services.passwordChange.lockOf(accountId);
    if (locked) {
      await this.sayLocked(step.context, purpose, locked.retryAfterMs);
      return step.endDialog({ kind: 'useReset' } satisfies CurrentPasswordResult);
    }
    return step.prompt(CURRENT_PROMPT, {
      prompt: currentPasswordCard(step.context, this.services, TEXTS[purpose].intro),
    });
  }

  private async checkStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { accountId, purpose } = step.options as CurrentPasswordOptions;
    const t = textsFor(step.context, this.services);
    const input = step.result as AnyInput;
    const fromCard = input.value && 'currentPassword' in input.value ? input.value.currentPassword : undefined;
    if (input.value && 'currentPassword' in input.value && (typeof fromCard !== 'string' || fromCard === ''))
      return this.askAgain(step, 'change.cardIncomplete');
    if (fromCard === undefined) {
      if (input.text === undefined) return this.askAgain(step, 'change.notText');
      // "Forgotten it? Type reset": the whole message, so it is never mistaken for a password attempt.
      if (this.services.intents.whole(input.text, ['reset'] as const, () => 'menu.reset'))
        return step.endDialog({ kind: 'useReset' } satisfies CurrentPasswordResult);
      if (isTeams(step.context)) return this.askAgain(step, 'password.teamsUseCard');
    }

    // The channel must still vouch for the same account on this turn.
    const check = await checkSignedIn(step.context, this.services);
    if (check.kind !== 'ok' || check.person.account.id !== accountId)
      return step.endDialog({ kind: 'notSignedIn' } satisfies CurrentPasswordResult);

    const password = (typeof fromCard === 'string' ? fromCard : input.text!).slice(0, MAX_INPUT);
    const conversationId = step.context.activity.conversation.id;
    const outcome: CurrentPasswordFailure | { kind: 'verified'; grant?: ResetGrant } =
      purpose === 'password'
        ? await this.services.passwordChange.checkCurrentPassword(accountId, password, conversationId)
        : await this.services.passwordChange.verifyCurrentPassword(accountId, password);
    switch (outcome.kind) {
      case 'wrong':
        return this.askAgain(step, TEXTS[purpose].wrong, outcome.triesLeft);
      case 'locked':
        await this.sayLocked(step.context, purpose, outcome.retryAfterMs);
        return step.endDialog({ kind: 'useReset' } satisfies CurrentPasswordResult);
      case 'verified':
        await step.context.sendActivity(t('change.verified'));
        return step.endDialog({
          kind: 'verified',
          ...(outcome.grant ? { grant: outcome.grant } : {}),
        } satisfies CurrentPasswordResult);
    }
  }

  private async sayLocked(context: TurnContext, purpose: CurrentPasswordPurpose, retryAfterMs: number): Promise<void> {
    const wait = this.services.texts.formatDuration(localeOf(context, this.services), retryAfterMs);
    const t = textsFor(context, this.services);
    await context.sendActivity(`${t(TEXTS[purpose].locked, { wait })} ${t('signedIn.resetInstead')}`);
    noteLimitReached(context);
  }

  private async askAgain(step: WaterfallStepContext, key: string, count?: number): Promise<DialogTurnResult> {
    await step.context.sendActivity(
      textsFor(step.context, this.services)(key, count === undefined ? undefined : { count }),
    );
    return step.replaceDialog(STEPS, step.options);
  }
}
