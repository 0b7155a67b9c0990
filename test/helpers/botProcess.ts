import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startCommand } from './startCommand.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number>;
}

/**
 * `npm run <script>` as npm runs it (its environment, node's flags, the entry), with `nodeFlags`
 * first and `args` after the entry, in the project's folder; what it prints is collected.
 */
function spawnScript(
  script: string,
  env: Record<string, string>,
  options: { nodeFlags?: readonly string[]; args?: readonly string[] } = {},
): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number> } {
  const command = startCommand(path.join(ROOT, 'package.json'), script);
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...command.flags, command.entry, ...(options.args ?? [])],
    { cwd: ROOT, env: { PATH: process.env.PATH, ...command.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * The bot in a process of its own, exactly as `npm start` runs it (environment, flags, the built
 * entry); `nodeFlags` go to node first (the profiler's, say).
 */
export function startBot(env: Record<string, string>, nodeFlags: readonly string[] = []): BotProcess {
  const { child, stdout, stderr, exited } = spawnScript('start', env, { nodeFlags });
  return { child, output: () => stdout() + stderr(), exited };
}

/**
 * Resolves once `check` (the health or readiness check) answers 200, asking every `everyMs` (the
 * benchmark asks every 5 ms, to time start-up); fails if the process ends first, or after 15 s.
 */
export async function waitFor(url: string, exited: Promise<number>, check = '/healthz', everyMs = 50): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = performance.now() + 15_000;
  while (!stopped && performance.now() < deadline) {
    try {
      if ((await fetch(`${url}${check}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(stopped ? `the bot exited before it answered ${check}` : `the bot did not answer ${check}`);
}

/** `npm run accounts -- <args>`, exactly as npm runs it; its exit code and what it printed. */
export async function runAccountsCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = spawnScript('accounts', env, { args });
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
