import { removeRunDatabases, requireServices } from './helpers/backend.js';

/**
 * Root hooks for the whole run: PostgreSQL and Redis must be there (several tests start their own
 * database whatever the store under test), and the databases a run made are dropped at its end.
 */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await requireServices();
  },
  async afterAll(): Promise<void> {
    await removeRunDatabases();
  },
};
