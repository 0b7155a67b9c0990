// npm run bench:profile -- <scenario>: where the bot's main thread spends its time in one of the
// benchmark's scenarios. Runs the built bot exactly as `npm start` does, plus --cpu-prof, drives
// the scenario for BENCH_SECONDS (10), stops it cleanly, then prints the functions and the
// packages with the most self time. The .cpuprofile file stays in bench/profiles/ for Chrome's
// DevTools (Performance panel, "Load profile").
//   menu    one conversation asking for the menu, turn after turn
//   first   the first turn of new conversations, one after another
//   load    32 conversations asking for the menu at once
//   resets  16 conversations resetting passwords (BENCH_ACCOUNTS accounts, 20 000 by default)
// `npm run bench:profile -- <scenario> echo` profiles the benchmark's plain echo bot instead, and
// `… floor` its SDK floor (bench/sdkFloorBot.ts).
// npm run bench:profile -- <file>.cpuprofile summarizes a profile written earlier.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { freshBackend, removeRunDatabases, type TestBackend } from '../test/helpers/backend.js';
import { startBot, waitFor } from '../test/helpers/botProcess.js';
import { makeTempDir } from '../test/helpers/tempDir.js';
import { OutboxLinks, post, throughput } from './load.js';
import { type Baseline, buildAll, startBaseline } from './processes.js';
import { benchEmail, CARD_KEY, resetOnce, seedAccounts } from './scenarios.js';

const SCENARIOS = ['menu', 'first', 'load', 'resets'] as const;
type Scenario = (typeof SCENARIOS)[number];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20_000);
const PROFILES = path.resolve('bench/profiles');
const BASELINES = new Map<string, Baseline>([
  ['echo', 'echoBot'],
  ['floor', 'sdkFloorBot'],
]);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function drive(scenario: Scenario, url: string, dataDir: string): Promise<number> {
  switch (scenario) {
    case 'menu':
      await post(url, 'profile-menu', { text: 'hello' });
      return throughput(SECONDS, 1, () => post(url, 'profile-menu', { text: 'menu' }));
    case 'first':
      return throughput(SECONDS, 1, (_, i) => post(url, `profile-first-${i}`, { text: 'hello' }));
    case 'load':
      return throughput(SECONDS, 32, (w) => post(url, `profile-load-${w}`, { text: 'menu' }));
    case 'resets': {
      const outbox = new OutboxLinks(path.join(dataDir, 'outbox', 'email.jsonl'));
      const spacing = Math.floor(ACCOUNTS / 16);
      const lastLinks = new Map<string, string>();
      return throughput(SECONDS, 16, async (w, i) => {
        // Four resets an account, within the production limits.
        const email = benchEmail(w * spacing + (i >> 2));
        lastLinks.set(email, await resetOnce(url, outbox, email, i + 1, lastLinks.get(email)));
      });
    }
  }
}

/** Self time by function and by package (or the bot's own source file), largest first. */
function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  const maps = new Map<string, SourceMap | undefined>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    const { place, line } = originalOf(frame, maps);
    const name = `${frame.functionName || '(anonymous)'}  ${frame.url ? `${place}:${line}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    places.set(place, (places.get(place) ?? 0) + ms);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([name, ms]) => `  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${name}`,
      )
      .join('\n');
  process.stdout.write(`\n${total.toFixed(0)} ms sampled\n\nby function (self time):\n${top(functions, 30)}\n`);
  process.stdout.write(`\nby package or source file:\n${top(places, 20)}\n`);
}

/**
 * Where a frame's code comes from: node_modules/<package> for dependencies, the source file for
 * the bot's own code, found through the bundle's source map.
 */
function originalOf(
  frame: ProfileNode['callFrame'],
  maps: Map<string, SourceMap | undefined>,
): { place: string; line: number } {
  if (!frame.url) return { place: '(native)', line: 0 };
  let file = frame.url.replace(/^file:\/\//, '');
  let line = frame.lineNumber + 1;
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    file = entry.originalSource.replace(/^file:\/\//, '');
    line = entry.originalLine + 1;
  }
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  return { place: dependency ? dependency[1]! : path.relative(process.cwd(), path.resolve('dist', file)), line };
}

/** The built bot as `npm start` runs it, with the profiler's flags, once it answers its health check. */
async function startProfiled(
  env: Record<string, string>,
  nodeFlags: string[],
): Promise<{ child: ChildProcess; url: string }> {
  const port = 39_900 + Math.floor(Math.random() * 90);
  const { child, exited } = startBot({ ...env, PORT: String(port), LOG_LEVEL: 'warn' }, nodeFlags);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, exited);
  return { child, url };
}

async function main(): Promise<void> {
  const scenario = process.argv[2] as Scenario;
  if (scenario?.endsWith('.cpuprofile')) return summarize(scenario);
  const baseline = process.argv[3] === undefined ? undefined : BASELINES.get(process.argv[3]);
  if (!SCENARIOS.includes(scenario) || (process.argv[3] !== undefined && !baseline)) {
    process.stderr.write(
      `usage: npm run bench:profile -- <${SCENARIOS.join('|')}> [${[...BASELINES.keys()].join('|')}]\n`,
    );
    process.exitCode = 2;
    return;
  }
  if (baseline && scenario === 'resets') throw new Error(`${baseline} resets no password`);
  buildAll();
  const temp = makeTempDir('pwbot-profile-');
  let backend: TestBackend | undefined;
  try {
    backend = process.env.BENCH_STORES === 'postgres' ? await freshBackend() : undefined;
    const env = { DATA_DIR: temp.dir, CARD_HMAC_KEY: CARD_KEY, SEED_DEMO_ACCOUNTS: 'false', ...(backend?.env ?? {}) };
    if (scenario === 'resets') await seedAccounts(env, ACCOUNTS);
    mkdirSync(PROFILES, { recursive: true });
    const before = new Set(readdirSync(PROFILES));
    const profiling = ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`];
    const { child, url } = baseline ? await startBaseline(baseline, profiling) : await startProfiled(env, profiling);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let rate: number;
    try {
      rate = await drive(scenario, url, temp.dir);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    process.stdout.write(`${scenario}: ${rate.toFixed(1)} per second over ${SECONDS} s (profiled, so slower)\n`);
    const written = readdirSync(PROFILES).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
    for (const name of written) {
      process.stdout.write(`\n== bench/profiles/${name}`);
      summarize(path.join(PROFILES, name));
    }
  } finally {
    await backend?.remove();
    await removeRunDatabases();
    temp.remove();
  }
}

await main();
process.exit();
