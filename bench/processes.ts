// The processes the benchmark measures: its two baselines (the plain echo bot and the SDK's floor),
// and the bot started by `npm start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isProcessAlive } from '../src/store/processes.js';
import { waitFor } from '../test/helpers/botProcess.js';

export interface Running {
  child: ChildProcess;
  url: string;
  /** From the spawn to the first 200 of /healthz. */
  startupMs: number;
}

/** The baselines: bench/<name>.ts, built to dist/bench/<name>.js. */
export type Baseline = 'echoBot' | 'sdkFloorBot';
const BASELINES: readonly Baseline[] = ['echoBot', 'sdkFloorBot'];

/** `npm run build` (the bot), and the baselines bundled the same way, so all run as one JavaScript file each. */
export function buildAll(): void {
  for (const args of [[], ...BASELINES.map((name) => [`bench/${name}.ts`, `dist/bench/${name}.js`])]) {
    const result = spawnSync(process.execPath, ['scripts/build.mjs', ...args], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`node scripts/build.mjs ${args.join(' ')} failed`);
  }
}

/** A baseline in a process of its own; `nodeFlags` go to node first (the profiler's, say). */
export async function startBaseline(name: Baseline, nodeFlags: readonly string[] = []): Promise<Running> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--disable-warning=DEP0111', '--disable-warning=DEP0005', `dist/bench/${name}.js`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url, startupMs: performance.now() - started };
}

/**
 * The bot on its own port, started by `npm start` itself (npm, its check that the build is
 * current, node), timed until it answers its health check.
 */
export async function startBot(env: Record<string, string>, port: number): Promise<Running> {
  const started = performance.now();
  // A process group of its own, so that stopping it stops npm, its shell and node together.
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, exitOf(child), '/healthz', 5);
  return { child, url, startupMs: performance.now() - started };
}

/** Resolves with the process's exit code once it has ended. */
function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
}

export async function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null) return;
  const exited = exitOf(running.child);
  if (running.child.spawnargs[0] !== 'npm') {
    running.child.kill('SIGTERM');
    await exited;
    return;
  }
  // npm may exit before the bot under it has written its last records: wait for the bot itself.
  const server = nodePid(running);
  process.kill(-running.child.pid!, 'SIGTERM');
  await exited;
  for (let waited = 0; waited < 10_000 && isProcessAlive(server); waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The node process that serves: the child itself, or for `npm start` the node process under it. */
function nodePid(running: Running): number {
  const isServer = (pid: number) => {
    const [program, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(program!) === 'node' && args.includes('dist/server.js');
  };
  let pid = running.child.pid!;
  for (let depth = 0; depth < 4 && !isServer(pid); depth++) {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    if (!children[0]) break;
    pid = Number(children[0]);
  }
  return pid;
}

/** The serving process's resident memory as the kernel counts it. */
export function rssMb(running: Running): number {
  const status = readFileSync(`/proc/${nodePid(running)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** CPU seconds the serving process used so far (user and system), as the kernel counts them. */
export function cpuSeconds(running: Running): number {
  const fields = readFileSync(`/proc/${nodePid(running)}/stat`, 'utf8')
    .split(') ')[1]!
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
