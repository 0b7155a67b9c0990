import { AsyncLocalStorage } from 'node:async_hooks';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../../security/logger.js';
import { projectPath } from '../../paths.js';

/** The versioned schema, in the repository's `migrations/` folder. */
export const MIGRATIONS_DIR = projectPath('migrations');

/** The advisory lock key migrations hold (any fixed number the bot uses for nothing else). */
const MIGRATION_LOCK = 7_311_962;

/** Statement names by query text: the queries are the code's own, a bounded set. */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

/**
 * A query as a named prepared statement, which each connection parses and plans once instead of
 * on every call (past `MAX_NAMED_STATEMENTS` distinct texts, an unnamed one).
 */
function prepared(text: string, values?: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `pwbot_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return { text, ...(values ? { values } : {}), ...(name ? { name } : {}) };
}

/** A pool or a client inside a transaction: what a query runs on. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * The PostgreSQL database behind `DATABASE_URL`: a connection pool, transactions, and the
 * migrations. Every repository and the job queue share one pool per process.
 */
export class Database {
  readonly pool: pg.Pool;
  /**
   * A small second pool whose sessions commit without waiting for the write-ahead log to reach
   * the disk (`synchronous_commit = off`), for conversation state alone: a commit is seen by
   * every instance at once all the same, and only a crash of the database server itself (not of
   * an instance) may take a conversation back by its last turn or so, as the embedded store's
   * conversation records may after a power cut. Waiting for the flush took about a quarter of an
   * open conversation's turn.
   */
  private readonly unflushedPool: pg.Pool;
  /** The transaction the current async work runs in, if any: queries made in it join it. */
  private readonly current = new AsyncLocalStorage<pg.PoolClient>();

  constructor(
    url: string,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    options: { max?: number } = {},
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5000 });
    this.unflushedPool = new pg.Pool({
      connectionString: url,
      max: Math.max(2, Math.ceil((options.max ?? 10) / 2)),
      connectionTimeoutMillis: 5000,
      options: '-c synchronous_commit=off',
    });
    // An idle connection the server closed must not end the process: the pool makes a new one.
    for (const pool of [this.pool, this.unflushedPool])
      pool.on('error', (error) => this.logger.warn('database connection lost', { error: error.name }));
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.queryOn<R>(this.pool, text, values);
  }

  /**
   * A query whose commit does not wait for the disk (see `unflushedPool`): for conversation state
   * only. Inside a transaction it joins the transaction, which commits as any other.
   */
  queryUnflushed<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.queryOn<R>(this.unflushedPool, text, values);
  }

  /** In the transaction under way, if any; else on `pool`, as a prepared statement. */
  private queryOn<R extends pg.QueryResultRow>(
    pool: pg.Pool,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const joined = this.current.getStore();
    return joined ? joined.query<R>(text, values) : pool.query<R>(prepared(text, values));
  }

  /**
   * Runs `work` in one transaction: everything it wrote commits together, or nothing does. Every
   * query made while it runs (by any repository, or the task queue) joins it; a transaction
   * begun inside it is the same one.
   */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await this.current.run(client, () => work(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Runs `work` outside any transaction of the caller: for work that outlives it (background tasks). */
  outside<T>(work: () => T): T {
    return this.current.exit(work);
  }

  /** Whether the database answers now (`/readyz`). */
  async reachable(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Brings the schema up to date; several instances starting at once wait for each other (advisory lock). */
  async migrate(): Promise<string[]> {
    const client = await this.pool.connect();
    try {
      // Instances starting together wait here for the first one's migration (node-pg-migrate's own
      // lock would make them fail instead), then find nothing left to do.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const ran = await runner({
        dbClient: client,
        noLock: true,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        migrationsTable: 'pgmigrations',
        checkOrder: true,
        log: () => undefined,
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      const names = ran.map((migration) => migration.name);
      if (names.length > 0) this.logger.info('database migrated', { count: names.length });
      return names;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  /** Ends the pool; a second call finds it ended. */
  async close(): Promise<void> {
    for (const pool of [this.pool, this.unflushedPool]) if (!pool.ended) await pool.end();
  }
}
