// npm run bench: the performance goals (README, Benchmark), measured as ratios within one run.
//   1. a menu turn costs at most 1.5× an echo bot's turn on the same adapter (median);
//   2. completed resets per second with 16 concurrent conversations reach 80 % of the argon2 bound;
//   3. with 100 000 accounts: start-up under 2 s, RSS under 300 MB, event-loop lag p99 under 50 ms
//      while resets run.
// BENCH_ACCOUNTS and BENCH_SECONDS make a quicker run possible; BENCH_NODE_FLAGS passes V8 flags
// (such as --max-old-space-size=200) to the bot's process, to try memory settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.js';
import { AccountService } from '../src/recovery/accounts.js';
import { hashPassword, verifyPassword } from '../src/recovery/passwordHasher.js';
import { createLogger } from '../src/security/logger.js';
import { openStore } from '../src/services.js';
import { freshBackend, removeRunDatabases, type TestBackend } from '../test/helpers/backend.js';
import { startCommand } from '../test/helpers/startCommand.js';
import { makeTempDir } from '../test/helpers/tempDir.js';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const RESET_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = 16;
const TURNS = 400;
const WORDS = [
  'lantern',
  'orbit',
  'velvet',
  'copper',
  'meadow',
  'falcon',
  'harbor',
  'tulip',
  'granite',
  'ember',
  'quiet',
];

const BENCH_CARD_KEY = 'bench-card-key-0123456789abcdef0123';
/** Which stores to measure: the JSON store, and PostgreSQL + Redis (with one and two instances). */
const STORES = (process.env.BENCH_STORES ?? 'json,postgres').split(',').map((store) => store.trim());

const print = (line: string) => process.stdout.write(line + '\n');

async function seedAccounts(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ ...env, SEED_DEMO_ACCOUNTS: 'false' });
  const store = await openStore(config, createLogger('silent'));
  const service = new AccountService(store.accounts, BENCH_CARD_KEY, store.audit);
  const passwordHash = await hashPassword('bench-start-password');
  const records = Array.from({ length: ACCOUNTS }, (_, i) => ({
    email: `user${i}@bench.example`,
    passwordHash,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    payment: { type: 'other' },
  }));
  const started = performance.now();
  const report = await service.importAccounts(records);
  await store.close();
  print(`seeded ${report.imported} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return passwordHash;
}

async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; startupMs: number; rssMb: number }> {
  const start = startCommand();
  print(
    `bot started as npm start does: ${Object.keys(start.env).join(' ')} ${start.flags.join(' ')} --import ${start.loader}`,
  );
  const child = spawn(
    process.execPath,
    [
      ...start.flags,
      '--expose-gc',
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      '--import',
      start.loader,
      'bench/server.ts',
    ],
    { env: { ...process.env, ...start.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, ...(JSON.parse(first) as { url: string; startupMs: number; rssMb: number }) };
}

let activityCounter = 0;
async function post(
  url: string,
  conversationId: string,
  activity: Record<string, unknown>,
): Promise<Array<{ text?: string }>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: `a${++activityCounter}`,
      type: 'message',
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:9',
      deliveryMode: 'expectReplies',
      conversation: { id: conversationId },
      from: { id: 'bench-user' },
      recipient: { id: 'bot' },
      locale: 'en-US',
      ...activity,
    }),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return ((await response.json()) as { activities: Array<{ text?: string }> }).activities;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Echo and menu turns interleaved, so drift in the machine's load hits both alike. The menu turn
 * is a message at the menu of an open conversation (the bot asks again, with the buttons); the
 * first turn of a new conversation, which also creates its state file, is reported beside it.
 */
async function measureTurns(url: string): Promise<{ echoMs: number; menuMs: number; greetingMs: number }> {
  const echo: number[] = [];
  const menu: number[] = [];
  const greeting: number[] = [];
  for (let i = 0; i < TURNS + 40; i++) {
    let started = performance.now();
    await post(`${url}/api/messages`, `menu-${i}`, { text: 'hello' });
    const greetingMs = performance.now() - started;
    started = performance.now();
    await post(`${url}/bench/echo`, `echo-${i}`, { text: 'hello' });
    const echoMs = performance.now() - started;
    started = performance.now();
    await post(`${url}/api/messages`, `menu-${i}`, { text: 'hmm' });
    const menuMs = performance.now() - started;
    if (i >= 40) {
      echo.push(echoMs);
      menu.push(menuMs);
      greeting.push(greetingMs);
    }
  }
  return { echoMs: median(echo), menuMs: median(menu), greetingMs: median(greeting) };
}

/** The argon2 work of one reset (the current and three earlier hashes checked, one new hash), 16 at a time. */
async function measureArgon2Bound(hash: string, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        for (let i = 0; i < 4; i++) await verifyPassword(hash, 'some-candidate-password');
        await hashPassword('some-candidate-password');
        done++;
      }
    }),
  );
  return done / seconds;
}

async function waitForNewLink(url: string, email: string, previous: string | null): Promise<string> {
  const query = new URLSearchParams({ to: email, after: previous ?? '' });
  const { link } = (await (await fetch(`${url}/bench/link?${query}`)).json()) as { link: string | null };
  if (!link) throw new Error(`no reset mail reached ${email} within 10 s`);
  return link;
}

/** One whole reset by chat: ask, get the link, paste it, submit the card. */
async function resetOnce(url: string, worker: number, round: number, previousLink: string | null): Promise<string> {
  const email = `user${worker * Math.floor(ACCOUNTS / CONCURRENCY)}@bench.example`;
  const conversation = `reset-${worker}-${round}`;
  await post(`${url}/api/messages`, conversation, { text: 'email' });
  await post(`${url}/api/messages`, conversation, { text: email });
  const link = await waitForNewLink(url, email, previousLink);
  await post(`${url}/api/messages`, conversation, { text: `${url}${link}` });
  const password = `${WORDS[round % WORDS.length]}-${WORDS[(round * 7 + worker) % WORDS.length]}-bench-${worker}-${round}`;
  const replies = await post(`${url}/api/messages`, conversation, { value: { password, confirm: password } });
  if (!replies.some((reply) => reply.text?.includes('Your password has been changed'))) {
    throw new Error(`reset ${worker}/${round} did not complete: ${replies.map((r) => r.text).join(' | ')}`);
  }
  return link;
}

async function measureResets(
  url: string,
  seconds: number,
): Promise<{ perSecond: number; lagP99Ms: number; lagMaxMs: number }> {
  // Three resets first fill each account's password history, so every timed reset does full work.
  const lastLinks = await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let link: string | null = null;
      for (let round = 0; round < 3; round++) link = await resetOnce(url, worker, round, link);
      return link;
    }),
  );
  await fetch(`${url}/bench/lag?action=start`, { method: 'POST' });
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let completed = 0;
  await Promise.all(
    lastLinks.map(async (first, worker) => {
      let link = first;
      for (let round = 3; performance.now() < deadline; round++) {
        link = await resetOnce(url, worker, round, link);
        completed++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const lag = (await (await fetch(`${url}/bench/lag?action=stop`, { method: 'POST' })).json()) as {
    p99Ms: number;
    maxMs: number;
    cpuCores: number;
  };
  print(`bot process used ${lag.cpuCores.toFixed(2)} cores while resets ran`);
  return { perSecond: completed / elapsed, lagP99Ms: lag.p99Ms, lagMaxMs: lag.maxMs };
}

/** Lookups spread over the whole store, so the RSS reading includes every shard in memory. */
async function touchStore(url: string): Promise<number> {
  const lookups = 1500;
  for (let i = 0; i < lookups; i += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, j) => {
        const conversation = `touch-${i + j}`;
        await post(`${url}/api/messages`, conversation, { text: 'email' });
        await post(`${url}/api/messages`, conversation, { text: `user${((i + j) * 7919) % ACCOUNTS}@bench.example` });
      }),
    );
  }
  const stats = (await (await fetch(`${url}/bench/stats`)).json()) as {
    rssMb: number;
    heapUsedMb: number;
    heapTotalMb: number;
    externalMb: number;
  };
  print(
    `after a full collection: live JS heap ${stats.heapUsedMb.toFixed(0)} MB of ${stats.heapTotalMb.toFixed(0)} MB, ` +
      `outside the heap (buffers, native) ${stats.externalMb.toFixed(0)} MB`,
  );
  return stats.rssMb;
}

/** Menu turns from 32 conversations at once for `seconds`, spread over the instances in turn. */
async function measureThroughput(urls: string[], seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let turns = 0;
  await Promise.all(
    Array.from({ length: 32 }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await post(`${urls[(worker + i) % urls.length]}/api/messages`, `load-${worker}`, { text: 'hmm' });
        turns++;
      }
    }),
  );
  return turns / seconds;
}

type Goal = [goal: string, met: boolean, value: string];

/** Every figure for one store: one instance, and for PostgreSQL + Redis a second one beside it. */
async function measureStore(store: string): Promise<Goal[]> {
  print(`\n== ${store === 'json' ? 'JSON store' : 'PostgreSQL + Redis'}`);
  const temp = makeTempDir('pwbot-bench-');
  let backend: TestBackend | undefined;
  const servers: Array<Awaited<ReturnType<typeof startServer>>> = [];
  try {
    backend = store === 'postgres' ? await freshBackend() : undefined;
    const env = { DATA_DIR: temp.dir, CARD_HMAC_KEY: BENCH_CARD_KEY, ...(backend?.env ?? {}) };
    const hash = await seedAccounts(env);
    const server = await startServer(env);
    servers.push(server);
    print(`server up in ${server.startupMs.toFixed(0)} ms, RSS ${server.rssMb.toFixed(0)} MB`);
    const turns = await measureTurns(server.url);
    print(
      `median turn: echo ${turns.echoMs.toFixed(2)} ms, menu ${turns.menuMs.toFixed(2)} ms ` +
        `(first turn of a new conversation ${turns.greetingMs.toFixed(2)} ms)`,
    );
    const resets = await measureResets(server.url, RESET_SECONDS);
    print(
      `resets: ${resets.perSecond.toFixed(2)}/s, event-loop lag p99 ${resets.lagP99Ms.toFixed(1)} ms (max ${resets.lagMaxMs.toFixed(1)} ms)`,
    );
    const bound = await measureArgon2Bound(hash, Math.min(RESET_SECONDS, 10));
    print(`argon2 bound: ${bound.toFixed(2)} resets/s`);
    const rssMb = await touchStore(server.url);
    print(`RSS after lookups across the store: ${rssMb.toFixed(0)} MB`);
    const label = store === 'json' ? '' : ' (PostgreSQL + Redis)';
    const goals: Goal[] = [
      [
        `menu turn ≤ 1.5× echo turn (median)${label}`,
        turns.menuMs <= 1.5 * turns.echoMs,
        `${(turns.menuMs / turns.echoMs).toFixed(2)}×`,
      ],
      [
        `resets/s ≥ 80 % of the argon2 bound${label}`,
        resets.perSecond >= 0.8 * bound,
        `${((100 * resets.perSecond) / bound).toFixed(0)} %`,
      ],
      [
        `start-up < 2 s with ${ACCOUNTS} accounts${label}`,
        server.startupMs < 2000,
        `${server.startupMs.toFixed(0)} ms`,
      ],
      [`RSS < 300 MB${label}`, Math.max(rssMb, server.rssMb) < 300, `${rssMb.toFixed(0)} MB`],
      [`event-loop lag p99 < 50 ms during resets${label}`, resets.lagP99Ms < 50, `${resets.lagP99Ms.toFixed(1)} ms`],
    ];
    if (store === 'postgres') {
      const one = await measureThroughput([server.url], 10);
      const second = await startServer(env);
      servers.push(second);
      const two = await measureThroughput([server.url, second.url], 10);
      print(
        `32 conversations at once: one instance ${one.toFixed(0)} turns/s, two instances ${two.toFixed(0)} turns/s`,
      );
      goals.push([
        `two instances ≥ 1.6× one instance's turns/s (${availableParallelism()} cores, the client on the same machine)`,
        two >= 1.6 * one,
        `${(two / one).toFixed(2)}×`,
      ]);
    }
    return goals;
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.child.once('exit', resolve))));
    await backend?.remove();
    temp.remove();
  }
}

async function main(): Promise<void> {
  const goals: Goal[] = [];
  for (const store of STORES) goals.push(...(await measureStore(store)));
  print('');
  for (const [goal, met, value] of goals) print(`${met ? 'PASS' : 'FAIL'}  ${goal}: ${value}`);
  process.exitCode = goals.every(([, met]) => met) ? 0 : 1;
  await removeRunDatabases();
}

await main();
