import type { Logger } from './security/logger.js';

/**
 * Work that must not hold up a reply (looking up an account, sending mail): started at once,
 * tracked so shutdown and tests can wait for it, and logged, never thrown, when it fails.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, task: () => Promise<void>): void {
    const promise = Promise.resolve()
      .then(task)
      .catch((error: unknown) => this.logger.error('background task failed', { task: name, error }))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** Resolves when every task started so far, and every task those started, has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
