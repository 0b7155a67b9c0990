import { readFileSync } from 'node:fs';

/** How an npm script runs node (package.json): the environment it sets, node's flags, the loader and the entry. */
export interface StartCommand {
  env: Record<string, string>;
  /** Node's flags before `--import`. */
  flags: string[];
  /** What `--import` loads (the TypeScript loader). */
  loader: string;
  entry: string;
}

/**
 * Read from package.json, so that tests and the benchmark run the bot (or the accounts CLI)
 * exactly as `npm start` (`npm run accounts`) does: `NAME=value` words, then `node`, its flags,
 * `--import <loader>` and the entry file.
 */
export function startCommand(packageJson = 'package.json', script = 'start'): StartCommand {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: Record<string, string> };
  const line = scripts[script] ?? '';
  const words = line.trim().split(/\s+/);
  const node = words.indexOf('node');
  const loader = words.indexOf('--import');
  if (node < 0 || loader < node || loader + 2 !== words.length - 1)
    throw new Error(`npm run ${script} is not "[NAME=value …] node [flags] --import <loader> <entry>": ${line}`);
  return {
    env: Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string])),
    flags: words.slice(node + 1, loader),
    loader: words[loader + 1]!,
    entry: words[loader + 2]!,
  };
}
