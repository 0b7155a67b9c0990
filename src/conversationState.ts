import { ConversationState, type Middleware, type TurnContext } from 'botbuilder';

type State = Record<string, unknown>;

/** What the turn holds of the conversation's state: the state, and its JSON as it was loaded or saved. */
interface Held {
  state: State;
  text: string;
}

/**
 * Conversation state that tells whether a turn changed it by comparing the state's JSON with the
 * JSON it had when loaded, the way the SDK's BotState does with a SHA-256 of a replacer-driven
 * serialization taken three times a turn: the same decision (the state is plain JSON, as its
 * storage keeps it), at a fraction of the cost. Loading, saving, clearing and deleting behave as
 * the SDK's do; the dialogs' memory scopes read it through `get`.
 */
export class TurnConversationState extends ConversationState {
  private readonly held = Symbol('conversation state');
  private readonly loading = Symbol('conversation state on its way');

  /**
   * Middleware that starts reading the conversation's state as a message turn begins, while the
   * duplicate filter and the rest do their own round trips (to Redis, say): the turn then waits
   * for the slower of them rather than for each in a row. A read that fails is left for the
   * turn's own load to meet; one for an activity that goes no further is simply dropped.
   */
  prefetch(): Middleware {
    return {
      onTurn: async (context, next) => {
        if (context.activity.type === 'message' && context.activity.conversation?.id)
          this.load(context).catch(() => undefined);
        await next();
      },
    };
  }

  /** The state, read once a turn: a load while a read is on its way waits for that read. */
  override load(context: TurnContext, force = false): Promise<State> {
    if (!force) {
      const held = context.turnState.get(this.held) as Held | undefined;
      if (held?.state) return Promise.resolve(held.state);
      const onItsWay = context.turnState.get(this.loading) as Promise<State> | undefined;
      if (onItsWay) return onItsWay;
    }
    const loading: Promise<State> = this.read(context).finally(() => {
      if (context.turnState.get(this.loading) === loading) context.turnState.delete(this.loading);
    });
    context.turnState.set(this.loading, loading);
    return loading;
  }

  private async read(context: TurnContext): Promise<State> {
    const key = await this.storageKey(context);
    const items = await this.storage.read([key]);
    const state = (items[key] ?? {}) as State;
    context.turnState.set(this.held, { state, text: textOf(state) } satisfies Held);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let held = context.turnState.get(this.held) as Held | undefined;
    if (!force && !held) return;
    held ??= { state: {}, text: '' };
    const text = textOf(held.state);
    if (!force && held.text === text) return;
    held.state.eTag = '*';
    const key = await this.storageKey(context);
    await this.storage.write({ [key]: held.state });
    // The JSON taken before the write: a change made while it was under way differs from it, so
    // the next save still writes that change.
    held.text = text;
    context.turnState.set(this.held, held);
  }

  override clear(context: TurnContext): Promise<void> {
    context.turnState.set(this.held, { state: {}, text: '' } satisfies Held);
    return Promise.resolve();
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.held);
    const key = await this.storageKey(context);
    await this.storage.delete([key]);
  }

  override get(context: TurnContext): State | undefined {
    const held = context.turnState.get(this.held) as Held | undefined;
    return typeof held?.state === 'object' ? held.state : undefined;
  }
}

/** The state's JSON without its eTag, which storage changes on every write. */
function textOf(state: State): string {
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}
