import { removeRunDatabases } from './helpers/backend.js';

/** Root hooks for the whole run: the PostgreSQL databases a run made are dropped at its end. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await removeRunDatabases();
  },
};
