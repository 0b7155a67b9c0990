import { execFileSync } from 'node:child_process';
import { removeRunDatabases, requireServices } from './helpers/backend.js';

/**
 * Root hooks for the whole run: PostgreSQL and Redis must be there (several tests start their own
 * database whatever the store under test), the bot that tests start as `npm start` does is built
 * from the sources as they are, and the databases a run made are dropped at its end.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await requireServices();
    execFileSync('sh', ['scripts/ensure-built.sh'], { stdio: 'inherit' });
  },
  async afterAll(): Promise<void> {
    await removeRunDatabases();
  },
};
