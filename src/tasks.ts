import type { Logger } from './security/logger.js';
import type { PoolClient } from 'pg';
import type { Database } from './store/postgres/database.js';

/** Does one kind of promised task, from its payload (plain JSON, never a secret). */
export type TaskHandler = (payload: never) => Promise<void>;

/**
 * Work that must not hold up a reply (looking up an account, sending mail): started at once,
 * tracked so shutdown and tests can wait for it, and logged, never thrown, when it fails.
 *
 * `promise` is for work the person was told will happen ("if the address has an account, an
 * email is on its way"): each kind has a handler its service registers when it is built. Here it
 * runs in this process right away; on PostgreSQL (DatabaseTasks) it is stored before the answer
 * and done by whichever instance takes it, so an instance that dies loses none of it.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  protected readonly handlers = new Map<string, (payload: unknown) => Promise<void>>();

  constructor(protected readonly logger: Logger) {}

  run(name: string, task: () => Promise<void>): void {
    const promise = Promise.resolve()
      .then(task)
      .catch((error: unknown) => this.logger.error('background task failed', { task: name, error }))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** How to do a kind of promised task. */
  handle<P>(kind: string, handler: (payload: P) => Promise<void>): void {
    this.handlers.set(kind, handler as (payload: unknown) => Promise<void>);
  }

  /** Promises a task: resolves once it is sure to be done (here: started). */
  async promise<P>(kind: string, payload: P): Promise<void> {
    const handler = this.handlerFor(kind);
    this.run(kind, () => handler(payload));
  }

  protected handlerFor(kind: string): (payload: unknown) => Promise<void> {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no handler for the task kind "${kind}"`);
    return handler;
  }

  /** Resolves when every task started so far, and every task those started, has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Tasks not done yet (the outbox depth, for the metrics). */
  async pending(): Promise<number> {
    return this.running.size;
  }

  async close(): Promise<void> {
    await this.idle();
  }
}

/** How long a taken task stays with the instance that took it before another may take it over. */
const LEASE_SECONDS = 60;
const MAX_ATTEMPTS = 5;
const POLL_MS = 1000;

/**
 * Promised tasks in PostgreSQL's `jobs` table: stored before the person's answer, taken by one
 * instance at a time (`FOR UPDATE SKIP LOCKED` with a lease), marked done when they finish. An
 * instance killed while doing one leaves it to another once the lease ends; a failure is tried
 * again later, at most five times. Instances hear of a new task at once (LISTEN/NOTIFY) and
 * look for due ones every second besides.
 */
export class DatabaseTasks extends BackgroundTasks {
  private timer: NodeJS.Timeout | undefined;
  private taking = false;
  private again = false;
  private stopped = false;
  private readonly listener: Promise<PoolClient | undefined>;
  private readonly leaseSeconds: number;

  constructor(
    private readonly database: Database,
    logger: Logger,
    options: { leaseSeconds?: number; pollMs?: number } = {},
  ) {
    super(logger);
    this.leaseSeconds = options.leaseSeconds ?? LEASE_SECONDS;
    this.listener = this.listen();
    this.timer = setInterval(() => this.takeDue(), options.pollMs ?? POLL_MS);
    this.timer.unref();
  }

  override async promise<P>(kind: string, payload: P): Promise<void> {
    this.handlerFor(kind);
    // Inside the caller's transaction, if it has one: the task is promised when that commits, and
    // the other instances hear of it then.
    await this.database.query('INSERT INTO jobs (kind, payload) VALUES ($1, $2)', [kind, JSON.stringify(payload)]);
    await this.database.query('NOTIFY jobs');
    this.takeDue();
  }

  private async listen(): Promise<PoolClient | undefined> {
    try {
      const client = await this.database.pool.connect();
      client.on('notification', () => this.takeDue());
      client.on('error', (error) => this.logger.warn('job listener lost', { error: error.name }));
      await client.query('LISTEN jobs');
      return client;
    } catch (error) {
      // Polling still finds every task; only the pick-up is slower.
      this.logger.warn('job listener not started; polling only', { error });
      return undefined;
    }
  }

  /** Takes due tasks until none is left; one loop at a time in this process. */
  private takeDue(): void {
    if (this.stopped) return;
    if (this.taking) {
      this.again = true;
      return;
    }
    this.taking = true;
    // Never in the transaction of whoever called: the loop outlives it.
    this.database.outside(() => this.runTaking());
  }

  private runTaking(): void {
    this.run('take promised tasks', async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.takeOne()));
        } while (this.again && !this.stopped);
      } finally {
        this.taking = false;
      }
    });
  }

  /** Takes one due task and does it; false when none was due. */
  private async takeOne(): Promise<boolean> {
    const { rows } = await this.database.query<{ id: string; kind: string; payload: unknown; attempts: number }>(
      `UPDATE jobs SET locked_until = now() + make_interval(secs => $1), attempts = attempts + 1
       WHERE id = (
         SELECT id FROM jobs
         WHERE done_at IS NULL AND run_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
       RETURNING id, kind, payload, attempts`,
      [this.leaseSeconds],
    );
    const job = rows[0];
    if (!job) return false;
    try {
      await this.handlerFor(job.kind)(job.payload);
      await this.database.query('UPDATE jobs SET done_at = now(), locked_until = NULL WHERE id = $1', [job.id]);
    } catch (error) {
      const last = job.attempts >= MAX_ATTEMPTS;
      // The same line as any failed background task, saying whether it is tried again.
      this.logger.error('background task failed', {
        task: job.kind,
        job: job.id,
        attempts: job.attempts,
        triedAgain: !last,
        error,
      });
      await this.database.query(
        `UPDATE jobs SET locked_until = NULL, last_error = $2,
           run_at = now() + make_interval(secs => $3), done_at = CASE WHEN $4 THEN now() END
         WHERE id = $1`,
        [job.id, error instanceof Error ? error.name : 'Error', 30 * 2 ** (job.attempts - 1), last],
      );
    }
    return true;
  }

  /** Promised tasks in the table not done yet, whichever instance promised them. */
  override async pending(): Promise<number> {
    const { rows } = await this.database.query<{ count: string }>('SELECT count(*) FROM jobs WHERE done_at IS NULL');
    return Number(rows[0]?.count ?? 0);
  }

  /** Also waits for the tasks due now in the table, whichever instance promised them. */
  override async idle(): Promise<void> {
    for (;;) {
      await super.idle();
      const { rows } = await this.database.query<{ due: string }>(
        'SELECT count(*) AS due FROM jobs WHERE done_at IS NULL AND run_at <= now()',
      );
      if (Number(rows[0]?.due ?? 0) === 0) return;
      this.takeDue();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops taking tasks; a task under way finishes, the rest stay for the other instances. */
  override async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await super.idle();
    const client = await this.listener;
    client?.release();
  }
}
