import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Database } from '../../src/store/postgres/database.js';
import { createLogger } from '../../src/security/logger.js';

/**
 * Which store the tests run on: the embedded JSON store (the default), or PostgreSQL and Redis
 * with `TEST_BACKEND=postgres` (both running at 127.0.0.1). Each app gets a database of its own,
 * cloned from a migrated template made once per run, and a Redis key prefix of its own; both are
 * removed when the app closes, so runs never see each other's data.
 */
export const TEST_BACKEND: 'json' | 'postgres' = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'json';

/**
 * For tests that start their own PostgreSQL and Redis whatever the pass (several instances, the
 * jobs table, moving a store): they run in the JSON pass only, not a second time in the other.
 */
export function describeOncePerRun(title: string, suite: (this: Mocha.Suite) => void): Mocha.Suite | void {
  return (TEST_BACKEND === 'json' ? describe : describe.skip)(title, suite);
}

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const RUN = randomBytes(4).toString('hex');
let template: Promise<string> | undefined;
let counter = 0;

function urlFor(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The migrated template every test database is cloned from, made on first use. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `pwbot_t_${RUN}_template`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    const database = new Database(urlFor(name), createLogger('silent'));
    try {
      await database.migrate();
    } finally {
      await database.close();
    }
    return name;
  })();
  return template;
}

export interface TestBackend {
  /** Settings for the app: DATABASE_URL and REDIS_URL with a prefix of its own, or none for JSON. */
  env: Record<string, string>;
  /** Drops the database and the Redis keys. */
  remove(): Promise<void>;
}

/** A fresh PostgreSQL database and Redis prefix. */
export async function freshBackend(): Promise<TestBackend> {
  const name = `pwbot_t_${RUN}_${++counter}`;
  const source = await migratedTemplate();
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${source}`));
  const prefix = `pwbot-test:${RUN}:${counter}:`;
  return {
    env: {
      DATABASE_URL: urlFor(name),
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: prefix,
      CARD_HMAC_KEY: `test-key-${RUN}-shared-by-every-instance`,
    },
    remove: async () => {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await removeRedisKeys(prefix);
    },
  };
}

const byDataDir = new Map<string, TestBackend>();

/**
 * The backend the suite runs on for an app with this data directory: nothing for JSON; for
 * PostgreSQL a fresh database and prefix, the same again when an app restarts on the same directory.
 */
export async function testBackend(dataDir: string): Promise<TestBackend> {
  if (TEST_BACKEND === 'json') return { env: {}, remove: async () => undefined };
  let backend = byDataDir.get(dataDir);
  if (!backend) {
    backend = await freshBackend();
    byDataDir.set(dataDir, backend);
  }
  return backend;
}

/** Everything the database holds, as text, for "no secret is stored" checks; empty for JSON. */
export async function storedText(databaseUrl: string | undefined): Promise<string> {
  if (!databaseUrl) return '';
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const texts = await Promise.all(
      tables.map(async ({ table_name }) => {
        const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
        return rows.map((row) => row.row).join('\n');
      }),
    );
    return texts.join('\n');
  } finally {
    await client.end();
  }
}

async function removeRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Drops every database this run made, the template last (a root hook: test/hooks.ts). */
export async function removeRunDatabases(): Promise<void> {
  if (!template) return;
  await admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC',
      [`pwbot_t_${RUN}_%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  });
}

/** Runs one query on the app's database (tests that look into or damage the store). */
export async function queryDatabase<R extends pg.QueryResultRow>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Fails the run at once, with what to do, when PostgreSQL or Redis is not there (root hook). */
export async function requireServices(): Promise<void> {
  try {
    await admin((client) => client.query('SELECT 1'));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${(error as Error).message}). The tests need it: ` +
        'start it (user postgres, trust auth on 127.0.0.1), or point TEST_POSTGRES_URL at one.',
      { cause: error },
    );
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_TEST_URL} (${(error as Error).message}). The tests need it: ` +
        'start it, or point TEST_REDIS_URL at one.',
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}
