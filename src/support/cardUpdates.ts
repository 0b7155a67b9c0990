/**
 * Updates of the cards in the support channel run after the caller has had its answer, one after
 * another per card: each reads the record as it is when it runs, so the last update always shows
 * the latest state, whatever order the changes were made in.
 */
export class CardUpdates {
  /** The last update queued for each card. */
  private readonly queued = new Map<string, Promise<void>>();

  constructor(private readonly later: (name: string, task: () => Promise<void>) => void) {}

  /** Queues `update` for the card of `key`; its failure is the caller's to catch and log. */
  queue(key: string, update: () => Promise<void>): void {
    const previous = this.queued.get(key) ?? Promise.resolve();
    const next = previous.then(update);
    // Keeps the chain going for the next update; `next` itself is awaited (and fails) below.
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queued.set(key, settled);
    this.later('support card', async () => {
      try {
        await next;
      } finally {
        if (this.queued.get(key) === settled) this.queued.delete(key);
      }
    });
  }
}
