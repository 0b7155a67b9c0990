import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { findLinkToken } from '../src/recovery/secrets.js';
import { BILLING_DIALOG, BillingDialog } from './billingDialog.js';
import { CHANGE_PASSWORD_DIALOG, ChangePasswordDialog, type ChangePasswordResult } from './changePasswordDialog.js';
import { EMAIL_RESET_DIALOG, EmailResetDialog } from './emailResetDialog.js';
import { METHOD_CHOICES, MENU_CHOICES, normalizeUtterance } from './intents.js';
import { PHONE_DIALOG, PhoneDialog, type PhoneResult } from './phoneDialog.js';
import { ChoiceIdPrompt, choicePromptOptions } from './prompts.js';
import { REDEEM_LINK_DIALOG, RedeemLinkDialog, type RedeemLinkResult } from './redeemLinkDialog.js';
import { SMS_RESET_DIALOG, SmsResetDialog, type SmsResetResult } from './smsResetDialog.js';
import {
  TROUBLE_DIALOG,
  TROUBLE_TOPICS,
  TroubleDialog,
  type TroubleOptions,
  type TroubleResult,
  type TroubleTopic,
} from './troubleDialog.js';
import { handToPerson } from './handoff.js';
import { isStep, stepIs, type Step } from '../src/steps.js';
import { turnOf } from './turn.js';
import { handOffDue, noteStepOutcome } from './struggle.js';
import { localeOf, phoneRegionsOf, textsFor, type DialogServices } from './services.js';
import { emailIn, hasCodeDigits, phoneIn } from '../src/nlu/details.js';
import { answerWithWayOn, didYouMeanOptions, labelKeyOf } from './wayOn.js';
import { isJourneyIntent, JOURNEY_INTENTS, type JourneyIntent, type OutOfScopeIntent } from '../src/nlu/intents.js';

export const MAIN_DIALOG = 'mainDialog';
const STEPS = 'mainSteps';
const MENU_PROMPT = 'menu';
const METHOD_PROMPT = 'method';
/** "Did you mean …?": the journeys a message came close to, as buttons. */
const DID_YOU_MEAN_PROMPT = 'didYouMean';
/** The button of "did you mean" that shows the whole menu instead. */
const SOMETHING_ELSE = 'other';
/** How sure the classifier must be to act on a message without asking. */
const CONFIDENT = 0.75;
/** Below this, a message is not understood at all; between, the bot asks "did you mean …?". */
const NEAR = 0.3;
/** A journey worth offering in "did you mean …?". */
const CANDIDATE = 0.15;
/** How sure the classifier must be before a message at a step leaves it for another journey. */
const SURE_ELSEWHERE = 0.85;

/**
 * Steps whose answer has a shape of its own, how to tell a message answers them, and the
 * journeys a message there may sound like without meaning to leave (an address step hears
 * "email" all the time).
 */
const STEP_ANSWERS: Record<
  string,
  { answers(text: string, regions: readonly string[]): boolean; stays: JourneyChoice[] }
> = {
  email: { answers: (text) => emailIn(text) !== undefined, stays: ['email', 'reset'] },
  phone: { answers: (text, regions) => phoneIn(text, regions) !== undefined, stays: ['sms', 'reset', 'phone'] },
  newPhone: { answers: (text, regions) => phoneIn(text, regions) !== undefined, stays: ['phone', 'sms'] },
  code: { answers: hasCodeDigits, stays: ['sms', 'email-not-received', 'reset'] },
};

export interface MainOptions {
  /** Greet before the menu: a new conversation, or a message with nothing recognised. */
  greet?: boolean;
  /** Start this journey straight away, as if the person had chosen it. */
  startWith?: JourneyChoice;
  /** Show the menu at once, without reading the message that led here. */
  showMenu?: boolean;
  /** Support handed the person to this journey; its end is reported to the escalation. */
  escalationId?: string;
}

type JourneyChoice = JourneyIntent;

/** What the person's first message already asked for, so the menu can be skipped. */
type Route = { kind: 'choice'; choice: JourneyChoice } | { kind: 'link'; text: string };

/** How the bot reads a message when no journey is under way. */
type Reading =
  | { kind: 'route'; route: Route }
  | { kind: 'answer'; intent: 'thanks' | 'goodbye' | OutOfScopeIntent }
  | { kind: 'menu'; before?: 'greeting' | 'help' | 'cancel' }
  | { kind: 'unsure'; candidates: JourneyChoice[] };

const JOURNEY_CHOICES: readonly JourneyChoice[] = JOURNEY_INTENTS;

/**
 * The root of every conversation: the greeting and menu, routing into the journeys, and the
 * cancel, help and menu interruptions that work at every step of every journey below it.
 */
export class MainDialog extends ComponentDialog {
  constructor(private readonly services: DialogServices) {
    super(MAIN_DIALOG);
    this.addDialog(new ChoiceIdPrompt(MENU_PROMPT, services));
    this.addDialog(new ChoiceIdPrompt(METHOD_PROMPT, services));
    this.addDialog(new ChoiceIdPrompt(DID_YOU_MEAN_PROMPT, services));
    this.addDialog(new EmailResetDialog(services));
    this.addDialog(new RedeemLinkDialog(services));
    this.addDialog(new SmsResetDialog(services));
    this.addDialog(new TroubleDialog(services));
    this.addDialog(new BillingDialog(services));
    this.addDialog(new ChangePasswordDialog(services));
    this.addDialog(new PhoneDialog(services));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        this.menuStep.bind(this),
        this.methodStep.bind(this),
        this.journeyStep.bind(this),
        this.finalStep.bind(this),
      ]),
    );
    this.initialDialogId = STEPS;
  }

  /**
   * What a message asks for when no journey is under way: a pasted link, a choice by its id or
   * label, and otherwise what the trained classifier makes of the words. It acts only when it is
   * sure; when it is close, it asks.
   */
  async readMessage(context: TurnContext): Promise<Reading> {
    const text = context.activity.type === 'message' ? context.activity.text : undefined;
    if (typeof text !== 'string' || text.trim() === '') return { kind: 'menu', before: 'greeting' };
    if (findLinkToken(text) !== undefined) return { kind: 'route', route: { kind: 'link', text } };
    const exact = this.services.intents.exact(text, JOURNEY_CHOICES, labelKeyOf);
    if (exact) return { kind: 'route', route: { kind: 'choice', choice: exact } };
    const interruption = this.services.intents.interruption(text);
    if (interruption) return { kind: 'menu', ...(interruption === 'menu' ? {} : { before: interruption }) };
    if (/^[\s?¿]+$/.test(text)) return { kind: 'menu', before: 'help' };
    const { intents } = await this.services.understanding.understand(text, localeOf(context, this.services));
    const top = intents[0];
    if (top && top.score >= CONFIDENT) {
      if (isJourneyIntent(top.intent)) return { kind: 'route', route: { kind: 'choice', choice: top.intent } };
      switch (top.intent) {
        case 'thanks':
        case 'goodbye':
        case 'cancel-subscription':
        case 'hacked-account':
          return { kind: 'answer', intent: top.intent };
        case 'greeting':
        case 'help':
        case 'cancel':
          return { kind: 'menu', before: top.intent };
        case 'menu':
          return { kind: 'menu' };
      }
    }
    const candidates = intents
      .filter((entry) => isJourneyIntent(entry.intent) && entry.score >= CANDIDATE)
      .slice(0, 3)
      .map((entry) => entry.intent as JourneyIntent);
    if (top && top.score >= NEAR && candidates.length > 0) return { kind: 'unsure', candidates };
    return { kind: 'menu', before: 'greeting' };
  }

  /** The link a message pastes, read at any step but those that take text as it is. */
  private linkRoute(context: TurnContext): Route | undefined {
    const text = context.activity.type === 'message' ? context.activity.text : undefined;
    return typeof text === 'string' && findLinkToken(text) !== undefined ? { kind: 'link', text } : undefined;
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    noteStepOutcome(innerDc.context, undefined, undefined);
    const result = await super.onBeginDialog(innerDc, options);
    return (await this.handOffIfDue(innerDc, {})) ?? result;
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.interrupt(innerDc);
    if (interrupted) return interrupted;
    const before = { step: activeStepOf(innerDc), journey: journeyOf(innerDc) };
    const result = await super.onContinueDialog(innerDc);
    if (innerDc.context.activity.type === 'message')
      noteStepOutcome(
        innerDc.context,
        before.step,
        result.status === DialogTurnStatus.waiting ? activeStepOf(innerDc) : undefined,
      );
    return (await this.handOffIfDue(innerDc, before)) ?? result;
  }

  /**
   * The handover without being asked: the second limit, or the third answer turned down at one step in a
   * row (see struggle.ts), ends the journey and hands the person to an agent.
   */
  private async handOffIfDue(
    innerDc: DialogContext,
    before: { step?: string; journey?: string | undefined },
  ): Promise<DialogTurnResult | undefined> {
    const reason = handOffDue(innerDc.context);
    if (!reason) return undefined;
    const journey = journeyOf(innerDc) ?? before.journey ?? turnOf(innerDc.context).journeyBegun;
    await this.leaveJourney(innerDc);
    await innerDc.cancelAllDialogs();
    const t = textsFor(innerDc.context, this.services);
    await innerDc.context.sendActivity(t(reason === 'limitsReached' ? 'support.afterLimits' : 'support.afterFailures'));
    await handToPerson(innerDc.context, this.services, {
      ...(journey ? { journey } : {}),
      ...(before.step ? { step: before.step } : {}),
      reason,
    });
    return { status: DialogTurnStatus.complete };
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const { activity } = innerDc.context;
    if (activity.type !== 'message') return undefined;
    const interruption = this.services.intents.interruption(activity.text);
    if (!interruption)
      return (
        (await this.handOffOnRequest(innerDc)) ??
        (await this.continueWithPastedLink(innerDc)) ??
        this.switchJourney(innerDc)
      );
    const t = textsFor(innerDc.context, this.services);
    switch (interruption) {
      case 'cancel':
        await this.leaveJourney(innerDc);
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(t('cancelled'));
        return { status: DialogTurnStatus.complete };
      case 'menu':
        await this.leaveJourney(innerDc);
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(STEPS, {});
      case 'help': {
        await innerDc.context.sendActivity(
          t(`help.${activeStepOf(innerDc)}`, { min: this.services.settings.passwordMinLength }),
        );
        await leafOf(innerDc).repromptDialog();
        return { status: DialogTurnStatus.waiting };
      }
    }
  }

  /** "Talk to a person" at any step (but where a password or link is expected) leaves the journey for an agent. */
  private async handOffOnRequest(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const step = activeStepOf(innerDc);
    if (stepIs(step, 'verbatim')) return undefined;
    const asked = this.services.intents.whole(innerDc.context.activity.text, ['agent'] as const, () => 'menu.agent');
    if (!asked) return undefined;
    const journey = journeyOf(innerDc);
    await this.leaveJourney(innerDc);
    await innerDc.cancelAllDialogs();
    await handToPerson(innerDc.context, this.services, { ...(journey ? { journey } : {}), step, reason: 'asked' });
    return { status: DialogTurnStatus.complete };
  }

  /**
   * A message that asks for another journey instead of answering the step: a menu choice's
   * label typed anywhere, and, at steps whose answer has a shape of its own (an address, a
   * number, a code), words the classifier is sure ask for another journey or a trouble case.
   */
  private async switchJourney(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const step = activeStepOf(innerDc);
    const text = innerDc.context.activity.text;
    if (typeof text !== 'string' || stepIs(step, 'verbatim') || step === 'menu') return undefined;
    const rule = STEP_ANSWERS[step];
    if (rule?.answers(text, phoneRegionsOf(innerDc.context, this.services))) return undefined;
    let choice: JourneyChoice | undefined = this.services.intents.exact(text, MENU_CHOICES, labelKeyOf);
    // A bare id ("phone", "reset") may be the step's own answer; only the label is unmistakable.
    if (choice !== undefined && normalizeUtterance(text) === choice) choice = undefined;
    if (choice === undefined && rule) {
      const locale = localeOf(innerDc.context, this.services);
      const top = (await this.services.understanding.understand(text, locale)).intents[0];
      if (top && top.score >= SURE_ELSEWHERE && isJourneyIntent(top.intent)) choice = top.intent;
    }
    if (choice === undefined || rule?.stays.includes(choice)) return undefined;
    await this.leaveJourney(innerDc);
    await innerDc.cancelAllDialogs();
    return innerDc.beginDialog(STEPS, { startWith: choice } satisfies MainOptions);
  }

  /**
   * The person leaves the journey under way (cancel, the menu, another journey, a hand-off): it
   * counts as stopped, and a journey support had started for them as abandoned.
   */
  private async leaveJourney(innerDc: DialogContext): Promise<void> {
    const journey = journeyOf(innerDc);
    if (journey) turnOf(innerDc.context).journeyEnded = { journey, outcome: 'stopped' };
    const options = innerDc.stack.find((instance) => instance.id === STEPS)?.state?.options as MainOptions | undefined;
    if (options?.escalationId) await this.services.escalations.finish(options.escalationId, 'abandoned');
  }

  /** A reset link pasted at any step (but a password step) continues the reset from that link. */
  private async continueWithPastedLink(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const step = activeStepOf(innerDc);
    if (stepIs(step, 'verbatim')) return undefined;
    if (!this.linkRoute(innerDc.context)) return undefined;
    await this.leaveJourney(innerDc);
    await innerDc.cancelAllDialogs();
    return innerDc.beginDialog(STEPS, {});
  }

  private async menuStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as MainOptions;
    if (options.startWith) return step.next({ kind: 'choice', choice: options.startWith } satisfies Route);
    const reading: Reading =
      options.greet || options.showMenu
        ? { kind: 'menu', ...(options.greet ? { before: 'greeting' as const } : {}) }
        : await this.readMessage(step.context);
    const t = textsFor(step.context, this.services);
    switch (reading.kind) {
      case 'route':
        return step.next(reading.route);
      case 'answer':
        await step.context.sendActivity(answerWithWayOn(step.context, this.services, reading.intent));
        return step.endDialog();
      case 'unsure':
        return step.prompt(DID_YOU_MEAN_PROMPT, didYouMeanOptions(reading.candidates));
      case 'menu':
        if (reading.before === 'greeting') await step.context.sendActivity(t('greeting'));
        if (reading.before === 'help') await step.context.sendActivity(t('help.menu'));
        if (reading.before === 'cancel') await step.context.sendActivity(t('nothingToCancel'));
        break;
    }
    return step.prompt(
      MENU_PROMPT,
      choicePromptOptions(
        { prompt: 'menu.prompt', retry: 'menu.notUnderstood' },
        { choices: MENU_CHOICES, labelPrefix: 'menu' },
      ),
    );
  }

  private async methodStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (step.result === SOMETHING_ELSE) return step.replaceDialog(STEPS, { showMenu: true } satisfies MainOptions);
    const route = asRoute(step.result);
    if (route.kind === 'link' || route.choice !== 'reset') return step.next(route);
    return step.prompt(
      METHOD_PROMPT,
      choicePromptOptions(
        { prompt: 'method.prompt', retry: 'method.retry' },
        { choices: METHOD_CHOICES, labelPrefix: 'method' },
      ),
    );
  }

  private async journeyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const route = asRoute(step.result);
    if (route.kind === 'choice' && route.choice === 'agent') {
      await handToPerson(step.context, this.services, { step: 'menu', reason: 'asked' });
      return step.endDialog();
    }
    const journey = journeyFor(route);
    // A journey may end in the turn it begins (a lock, a limit): a hand-off then still names it.
    turnOf(step.context).journeyBegun = journey;
    (step.values as { journey?: string }).journey = journey;
    if (route.kind === 'link') return step.beginDialog(REDEEM_LINK_DIALOG, { pastedText: route.text });
    if (isTroubleTopic(route.choice))
      return step.beginDialog(TROUBLE_DIALOG, { topic: route.choice } satisfies TroubleOptions);
    return step.beginDialog(journey);
  }

  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as
      RedeemLinkResult | SmsResetResult | TroubleResult | ChangePasswordResult | PhoneResult | undefined;
    const { escalationId } = (step.options ?? {}) as MainOptions;
    const carry = escalationId ? { escalationId } : {};
    if (result?.kind === 'askAddress' || result?.kind === 'useEmail')
      return step.replaceDialog(STEPS, { startWith: 'email', ...carry } satisfies MainOptions);
    if (result?.kind === 'useReset')
      return step.replaceDialog(STEPS, { startWith: 'reset', ...carry } satisfies MainOptions);
    const stopped = result?.kind === 'stopped';
    const { journey } = step.values as { journey?: string };
    if (journey) turnOf(step.context).journeyEnded = { journey, outcome: stopped ? 'stopped' : 'completed' };
    if (escalationId) await this.services.escalations.finish(escalationId, stopped ? 'abandoned' : 'completed');
    return step.endDialog(result);
  }
}

/** A step's result: a route recognised up front, or a choice id from a prompt. */
function asRoute(result: unknown): Route {
  return typeof result === 'string' ? { kind: 'choice', choice: result as JourneyChoice } : (result as Route);
}

/**
 * The journey dialog a route leads to. 'agent' is not a journey (it hands over at once) and
 * 'reset' is asked more precisely by the method step first, so neither reaches here.
 */
function journeyFor(route: Route): string {
  if (route.kind === 'link') return REDEEM_LINK_DIALOG;
  switch (route.choice) {
    case 'email':
      return EMAIL_RESET_DIALOG;
    case 'sms':
      return SMS_RESET_DIALOG;
    case 'billing':
      return BILLING_DIALOG;
    case 'change-password':
      return CHANGE_PASSWORD_DIALOG;
    case 'phone':
      return PHONE_DIALOG;
    default:
      if (isTroubleTopic(route.choice)) return TROUBLE_DIALOG;
      throw new Error(`no journey for the choice ${route.choice}`);
  }
}

/** The journey under way (its dialog id), if the person is in one rather than at the menu. */
function journeyOf(dc: DialogContext): string | undefined {
  const id = dc.activeDialog?.id;
  return id === undefined || id === STEPS ? undefined : id;
}

function isTroubleTopic(choice: string): choice is TroubleTopic {
  return (TROUBLE_TOPICS as readonly string[]).includes(choice);
}

/** The innermost dialog context: the one whose prompt is waiting for the person. */
function leafOf(dc: DialogContext): DialogContext {
  let leaf = dc;
  while (leaf.child) leaf = leaf.child;
  return leaf;
}

/** The step the person is at, by its prompt's id (`menu` when no prompt is waiting). */
export function activeStepOf(dc: DialogContext): Step {
  return activeStepIn({ dialogStack: dc.stack });
}

/**
 * The same, read straight from dialog state (a context's stack, or the conversation's saved
 * state), without building child dialog contexts: the active dialog is the last of a stack, and
 * each component dialog keeps its own dialogs' stack in its instance's `dialogs`.
 */
export function activeStepIn(state: DialogState | undefined): Step {
  let instance = state?.dialogStack.at(-1);
  for (;;) {
    const inner = (instance?.state as { dialogs?: DialogState } | undefined)?.dialogs?.dialogStack.at(-1);
    if (!inner) break;
    instance = inner;
  }
  const id = instance?.id ?? 'menu';
  return isStep(id) ? id : 'menu';
}
