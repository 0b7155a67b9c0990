/**
 * Every step of the conversation where the bot waits for the person (a prompt), and what kind of
 * answer it takes. One declaration, which the dialogs, the tickets and the web chat history all
 * read; a prompt's id is its step's name and the key of its help text (`help.<step>`).
 */
export interface StepTraits {
  /** The answer is a secret (a password, a code, a card number, a link): hidden in tickets and the web chat history, never read for intent or language. */
  secret?: true;
  /** The answer is taken as it is, since it may be a password or a link: never read as a pasted link or a request for a person. */
  verbatim?: true;
  /** The step has a try limit or a way out of its own: its refusals do not count towards a hand-off. */
  ownLimit?: true;
  /** The answer is an address or a number: a ticket shows it masked, which is what an agent needs. */
  identifier?: true;
}

export const STEPS = {
  menu: {},
  method: {},
  didYouMean: {},
  email: { identifier: true },
  link: { secret: true, verbatim: true },
  offerNew: {},
  password: { secret: true, verbatim: true, ownLimit: true },
  confirm: { secret: true, verbatim: true, ownLimit: true },
  phone: { identifier: true },
  code: { secret: true, ownLimit: true },
  codeOffer: {},
  troubleOffer: {},
  billingMethod: {},
  firstName: {},
  lastName: {},
  cardNumber: { secret: true },
  partner: {},
  currentPassword: { secret: true, verbatim: true, ownLimit: true },
  phoneAction: {},
  newPhone: { identifier: true },
  phoneCode: { secret: true, ownLimit: true },
  confirmRemove: {},
} as const satisfies Record<string, StepTraits>;

export type Step = keyof typeof STEPS;

export function isStep(id: string): id is Step {
  return Object.hasOwn(STEPS, id);
}

/** Whether the step (by its name; an unknown name has no traits) has the trait. */
export function stepIs(step: string, trait: keyof StepTraits): boolean {
  return isStep(step) && (STEPS[step] as StepTraits)[trait] === true;
}
