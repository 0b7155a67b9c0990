import { readFileSync } from 'node:fs';

/** How an npm script runs node (package.json): the environment it sets, node's flags (a loader among them) and the entry. */
export interface StartCommand {
  env: Record<string, string>;
  /** Node's flags, `--import <loader>` included where the script loads TypeScript. */
  flags: string[];
  entry: string;
}

/**
 * Read from package.json, so that tests and the benchmark run the bot (or the accounts CLI)
 * exactly as `npm start` (`npm run accounts`) does: `NAME=value` words, then `node`, its flags
 * and the entry file. (`npm start` runs the built bot: the test run builds it first.)
 */
export function startCommand(packageJson = 'package.json', script = 'start'): StartCommand {
  const { scripts } = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: Record<string, string> };
  const line = scripts[script] ?? '';
  const words = line.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0 || node === words.length - 1 || words.at(-1)!.startsWith('-'))
    throw new Error(`npm run ${script} is not "[NAME=value …] node [flags] <entry>": ${line}`);
  return {
    env: Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string])),
    flags: words.slice(node + 1, -1),
    entry: words.at(-1)!,
  };
}
