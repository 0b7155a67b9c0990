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
 * The bot in a process of its own, exactly as `npm start` runs it (environment, flags, the built
 * entry); `nodeFlags` go to node first (the profiler's, say).
 */
export function startBot(env: Record<string, string>, nodeFlags: readonly string[] = []): BotProcess {
  const start = startCommand(path.join(ROOT, 'package.json'));
  const child = spawn(process.execPath, [...nodeFlags, ...start.flags, start.entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...start.env, ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

/** Resolves once `path` (the health or readiness check) answers 200; fails if the process ends first. */
export async function waitFor(url: string, exited: Promise<number>, check = '/healthz'): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  for (let i = 0; i < 300 && !stopped; i++) {
    try {
      if ((await fetch(`${url}${check}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the bot did not answer ${check}`);
}

/** `npm run accounts -- <args>`, exactly as npm runs it; its exit code and what it printed. */
export function runAccountsCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = startCommand(path.join(ROOT, 'package.json'), 'accounts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cli.flags, cli.entry, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...cli.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
