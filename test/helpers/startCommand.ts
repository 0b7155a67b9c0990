import { readFileSync } from 'node:fs';

/** How `npm start` runs node (package.json): the environment it sets, node's flags, the loader and the entry. */
export interface StartCommand {
  env: Record<string, string>;
  /** Node's flags before `--import`. */
  flags: string[];
  /** What `--import` loads (the TypeScript loader). */
  loader: string;
  entry: string;
}

/**
 * Read from package.json, so that tests and the benchmark run the bot exactly as `npm start`
 * does: `NAME=value` words, then `node`, its flags, `--import <loader>` and the entry file.
 */
export function startCommand(packageJson = 'package.json'): StartCommand {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.trim().split(/\s+/);
  const node = words.indexOf('node');
  const loader = words.indexOf('--import');
  if (node < 0 || loader < node || loader + 2 !== words.length - 1)
    throw new Error(`npm start is not "[NAME=value …] node [flags] --import <loader> <entry>": ${scripts.start}`);
  return {
    env: Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string])),
    flags: words.slice(node + 1, loader),
    loader: words[loader + 1]!,
    entry: words[loader + 2]!,
  };
}
