import { expect } from 'chai';
import { WorkerPool } from '../../src/workerPool.js';

describe('worker threads', () => {
  it('runs jobs in its threads and gives back their results and their errors', async () => {
    const pool = new WorkerPool('strengthWorker', 2);
    try {
      const [strong, weak] = await Promise.all([
        pool.run<{ score: number }>('score', { password: 'ember quiet falcon road', userInputs: [] }),
        pool.run<{ score: number }>('score', { password: 'password1', userInputs: [] }),
      ]);
      expect(strong.score).to.be.at.least(3);
      expect(weak.score).to.be.below(3);
      let failure: unknown;
      await pool.run('noSuchFunction', {}).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      // The thread survived the failed job.
      expect((await pool.run<{ score: number }>('score', { password: 'password1', userInputs: [] })).score).to.be.below(
        3,
      );
    } finally {
      await pool.close();
    }
  });

  it('fails every job with the reason when its module cannot load, instead of starting threads without end', async () => {
    const pool = new WorkerPool('noSuchModule', 2);
    const failures = await Promise.allSettled([1, 2, 3].map(() => pool.run('anything', {})));
    expect(failures.map((failure) => failure.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    expect(((failures[0] as PromiseRejectedResult).reason as Error).message).to.contain('noSuchModule');
    // Three threads died without finishing a job: no more are started, every job fails at once.
    let later: unknown;
    await pool.run('anything', {}).catch((error: unknown) => (later = error));
    expect((later as Error).message).to.contain('the noSuchModule threads cannot start');
  });
});
