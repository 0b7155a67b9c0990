/**
 * Updates of one card in the support channel, one after another in this process: each reads the
 * record as it is when it runs, so the last update shows the latest state.
 */
export class CardUpdates {
  /** The last update queued for each card. */
  private readonly queued = new Map<string, Promise<void>>();

  /** Runs `update` after the updates of the same card queued before it; resolves when it ran. */
  async run(key: string, update: () => Promise<void>): Promise<void> {
    const previous = this.queued.get(key) ?? Promise.resolve();
    const next = previous.then(update);
    // Keeps the chain going for the next update; `next` itself is awaited (and fails) below.
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queued.set(key, settled);
    try {
      await next;
    } finally {
      if (this.queued.get(key) === settled) this.queued.delete(key);
    }
  }
}

/** Work promised to someone, done after the answer: here, or by any instance (src/tasks.ts). */
export interface PromisedTasks {
  handle<P>(kind: string, handler: (payload: P) => Promise<void>): void;
  promise<P>(kind: string, payload: P): Promise<void>;
}
