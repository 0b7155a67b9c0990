import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Source (run through tsx) or built JavaScript: the workers load their module the way this one was. */
const FROM_SOURCE = extname(fileURLToPath(import.meta.url)) === '.ts';

/**
 * What each thread runs first. Node 20 neither applies `--import` nor module hooks to worker
 * threads, so a thread of a bot run from source loads its module through tsx's require.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.niceness) {
  // Linux schedules threads one by one: this thread yields its core to the event loop's thread.
  try {
    const thread = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(thread, workerData.niceness);
  } catch {
    // Not Linux, or not allowed: the thread runs at the process's priority.
  }
}
(async () => {
  const handlers = workerData.tsx
    ? require(workerData.tsx).require(workerData.module, workerData.module)
    : await import(workerData.module);
  parentPort.on('message', ({ name, task }) => {
    let reply;
    try {
      reply = { result: handlers[name](task) };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    parentPort.postMessage(reply);
  });
})();
`;

interface Job {
  name: string;
  task: object;
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  job?: Job;
}

/**
 * Worker threads that run one module of `./workers/`, for CPU work that must never hold up the
 * thread that serves turns: each thread takes one job at a time, the others wait in order. The
 * threads start on first use (or `start`), stay while the process lives, are replaced if one dies,
 * and never keep the process alive when idle.
 */
export class WorkerPool {
  private threads: Thread[] = [];
  private readonly waiting: Job[] = [];
  /** Threads that died in a row without finishing a job; three, and the pool stops starting them. */
  private deathsInARow = 0;
  private broken: Error | undefined;

  /**
   * `niceness` (Linux, 1 to 19) lowers the threads' scheduling priority, so that on a busy machine
   * the thread that serves turns gets a core before them: the turn never waits behind a hash.
   */
  constructor(
    private readonly module: string,
    private readonly size: number,
    private readonly niceness = 0,
  ) {}

  run<Result>(name: string, task: object): Promise<Result> {
    if (this.broken) return Promise.reject(this.broken);
    this.start();
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ name, task, resolve: resolve as (result: never) => void, reject });
      this.dispatch();
    });
  }

  /** Starts the threads now, so their modules load while nothing waits for them. */
  start(): void {
    while (this.threads.length < this.size) this.threads.push(this.spawn());
  }

  /** Stops the threads; a job still running or waiting fails, so nothing waits for ever. */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    const closed = this.broken ?? new Error(`the ${this.module} threads were stopped`);
    for (const job of [...threads.flatMap((thread) => (thread.job ? [thread.job] : [])), ...this.waiting.splice(0)])
      job.reject(closed);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private spawn(): Thread {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: FROM_SOURCE
        ? {
            module: fileURLToPath(new URL(`./workers/${this.module}.ts`, import.meta.url)),
            tsx: createRequire(import.meta.url).resolve('tsx/cjs/api'),
            niceness: this.niceness,
          }
        : { module: new URL(`./workers/${this.module}.js`, import.meta.url).href, niceness: this.niceness },
    });
    const thread: Thread = { worker };
    worker.unref();
    worker.on('message', (reply: { result?: unknown; error?: string }) => {
      const job = thread.job!;
      thread.job = undefined;
      this.deathsInARow = 0;
      worker.unref();
      if (reply.error === undefined) job.resolve(reply.result as never);
      else job.reject(new Error(reply.error));
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(thread, error));
    worker.on('exit', (code) => this.replace(thread, new Error(`worker thread exited with code ${code}`)));
    return thread;
  }

  /**
   * A thread that died fails its job, and another takes its place while the pool is open; when
   * threads keep dying without finishing a job (their module cannot load), the pool fails every
   * job at once with the reason instead of starting threads without end.
   */
  private replace(thread: Thread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index === -1) return;
    thread.job?.reject(error);
    thread.job = undefined;
    if (++this.deathsInARow >= 3) {
      this.broken = new Error(`the ${this.module} threads cannot start: ${error.message}`);
      // Fails what still waits, with that reason.
      void this.close();
      return;
    }
    this.threads[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (thread.job || this.waiting.length === 0) continue;
      const job = this.waiting.shift()!;
      thread.job = job;
      thread.worker.ref();
      thread.worker.postMessage({ name: job.name, task: job.task });
    }
  }
}

/**
 * Every core computes argon2 at once, at a lower priority than the event loop's thread; libuv's
 * pool keeps its threads for files and sockets.
 */
export const argon2Pool = new WorkerPool('argon2Worker', availableParallelism(), 10);
/** One thread for zxcvbn: about 15 ms a password, and its dictionaries built once. */
export const strengthPool = new WorkerPool('strengthWorker', 1, 10);
/** One thread writes conversation records, in the order they changed. */
export const recordWriter = new WorkerPool('recordWriter', 1, 10);
