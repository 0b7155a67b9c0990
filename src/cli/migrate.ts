import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../security/logger.js';
import { Database } from '../store/postgres/database.js';

/** `npm run db:migrate`: brings the PostgreSQL schema of DATABASE_URL up to date. */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (!config.databaseUrl) {
    process.stderr.write('DATABASE_URL is not set: the JSON store under DATA_DIR needs no migration.\n');
    return 1;
  }
  const database = new Database(config.databaseUrl, createLogger('warn'));
  try {
    const ran = await database.migrate();
    process.stdout.write(ran.length > 0 ? `Applied: ${ran.join(', ')}\n` : 'The schema is up to date.\n');
    return 0;
  } catch (error) {
    process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

process.exitCode = await main();
