import { expect } from 'chai';
import { createLogger } from '../../src/security/logger.js';
import { Database } from '../../src/store/postgres/database.js';
import { DatabaseTasks } from '../../src/tasks.js';
import { describeOncePerRun, freshBackend, queryDatabase, type TestBackend } from '../helpers/backend.js';

/** Promised tasks on PostgreSQL, with two "instances" (two task queues) on one database. */
describeOncePerRun('promised tasks on PostgreSQL (jobs table)', function () {
  this.timeout(30_000);
  let backend: TestBackend;
  let databases: Database[];
  let queues: DatabaseTasks[];

  beforeEach(async () => {
    backend = await freshBackend();
    databases = [];
    queues = [];
  });
  afterEach(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await Promise.all(databases.map((database) => database.close()));
    await backend.remove();
  });

  function instance(options: { leaseSeconds?: number; pollMs?: number } = {}) {
    const database = new Database(backend.env.DATABASE_URL!, createLogger('silent'));
    const queue = new DatabaseTasks(database, createLogger('silent'), { pollMs: 50, ...options });
    databases.push(database);
    queues.push(queue);
    return queue;
  }

  it('does each task once, whichever of two instances takes it', async () => {
    const done: number[] = [];
    const [a, b] = [instance(), instance()];
    for (const queue of [a, b]) queue.handle<{ n: number }>('count', async ({ n }) => void done.push(n));
    for (let n = 0; n < 40; n++) await (n % 2 ? a : b).promise('count', { n });
    await a.idle();
    await b.idle();
    expect([...done].sort((x, y) => x - y)).to.deep.equal([...Array(40).keys()]);
  });

  it('leaves a task taken by an instance that died to another once its lease ends', async () => {
    const dying = instance({ leaseSeconds: 1 });
    // The first instance takes the task and does not finish it, as if killed in the middle.
    let revive = (): void => undefined;
    dying.handle('mail', () => new Promise<void>((resolve) => (revive = resolve)));
    await dying.promise('mail', { to: 'liam' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [taken] = await queryDatabase<{ attempts: number }>(backend.env.DATABASE_URL!, 'SELECT attempts FROM jobs');
    expect(taken?.attempts).to.equal(1);

    const done: string[] = [];
    const survivor = instance({ leaseSeconds: 1 });
    survivor.handle<{ to: string }>('mail', async ({ to }) => void done.push(to));
    await survivor.idle();
    expect(done).to.deep.equal(['liam']);
    const [row] = await queryDatabase<{ done: boolean }>(
      backend.env.DATABASE_URL!,
      'SELECT done_at IS NOT NULL AS done FROM jobs',
    );
    expect(row?.done).to.equal(true);
    revive();
  });

  it('tries a failed task again later, and refuses a kind it has no handler for', async () => {
    const queue = instance();
    let calls = 0;
    queue.handle('flaky', async () => {
      calls++;
      throw new Error('smtp down');
    });
    await queue.promise('flaky', {});
    await queue.idle();
    expect(calls).to.equal(1);
    const [row] = await queryDatabase<{ later: boolean; done: boolean; last_error: string }>(
      backend.env.DATABASE_URL!,
      'SELECT run_at > now() AS later, done_at IS NOT NULL AS done, last_error FROM jobs',
    );
    expect(row).to.deep.equal({ later: true, done: false, last_error: 'Error' });
    await queue.promise('unknown-kind', {}).then(
      () => expect.fail('an unknown kind must be refused'),
      (error: Error) => expect(error.message).to.contain('unknown-kind'),
    );
  });
});
