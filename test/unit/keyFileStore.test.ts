import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/security/logger.js';
import { KeyFileStore } from '../../src/store/keyFileStore.js';
import { describeOncePerRun } from '../helpers/backend.js';
import { makeTempDir } from '../helpers/tempDir.js';

/** The records on disk, by key, as a fresh process would read them. */
function onDisk(dir: string): Record<string, unknown> {
  const records: Record<string, unknown> = {};
  for (const name of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const { key, value } = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { key: string; value: unknown };
    records[key] = value;
  }
  return records;
}

/**
 * A directory where the record's file goes: no file can be renamed over it, root or not. Returns
 * what clears the way again.
 */
function blockFileOf(dir: string, key: string): () => void {
  const file = path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  rmSync(file, { force: true });
  mkdirSync(path.join(file, 'in-the-way'), { recursive: true });
  return () => rmSync(file, { recursive: true });
}

// Only the JSON store keeps records this way: run once, in the JSON pass.
describeOncePerRun('conversation records (a journal, then one file per key, written after the turn)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let logged: string[];
  let store: KeyFileStore<{ n: number }>;
  beforeEach(async () => {
    temp = makeTempDir();
    logged = [];
    store = new KeyFileStore(
      temp.dir,
      createLogger('warn', (line) => logged.push(line)),
    );
    await store.init();
  });
  afterEach(() => temp.remove());

  it('has a change in effect at once, and on disk, the newest of each key, once flushed', async () => {
    for (let n = 1; n <= 20; n++) await store.update(`key-${n % 4}`, () => ({ n }));
    await store.update('gone', () => ({ n: 0 }));
    await store.delete('gone');
    expect(await store.get('key-1')).to.deep.equal({ n: 17 });
    await store.flush();
    expect(onDisk(temp.dir)).to.deep.equal({
      'key-0': { n: 20 },
      'key-1': { n: 17 },
      'key-2': { n: 18 },
      'key-3': { n: 19 },
    });
    expect(logged).to.deep.equal([]);
  });

  it('writes what changes while a batch is being written in the next one', async () => {
    await store.update('a', () => ({ n: 1 }));
    // The first batch goes once this turn has answered; these changes come while it is written.
    await new Promise((resolve) => setImmediate(resolve));
    await store.update('a', () => ({ n: 2 }));
    await store.update('b', () => ({ n: 1 }));
    await store.flush();
    expect(onDisk(temp.dir)).to.deep.equal({ a: { n: 2 }, b: { n: 1 } });
  });

  it('gives each reader its own copy, and reads back from disk what it no longer holds', async () => {
    const small = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'), { cacheSize: 2 });
    for (let n = 0; n < 5; n++) await small.update(`key-${n}`, () => ({ n }));
    const copy = (await small.get('key-4'))!;
    copy.n = 99;
    expect(await small.get('key-4')).to.deep.equal({ n: 4 });
    await small.flush();
    // Only two stay in memory; the first ones come back from their files.
    expect(await small.get('key-0')).to.deep.equal({ n: 0 });
    expect(await new KeyFileStore(temp.dir, createLogger('silent')).get('key-3')).to.deep.equal({ n: 3 });
  });

  it('finds the records of an earlier run once it has listed its directory', async () => {
    for (let n = 0; n < 30; n++) await store.update(`conversation-${n}`, () => ({ n }));
    await store.flush();
    const next = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'));
    await next.init();
    for (let n = 0; n < 30; n++) expect(await next.get(`conversation-${n}`)).to.deep.equal({ n });
    expect(await next.get('conversation-new')).to.equal(undefined);
    await next.update('conversation-new', (current) => ({ n: (current?.n ?? 100) + 1 }));
    expect(await next.get('conversation-new')).to.deep.equal({ n: 101 });
    await next.flush();
  });

  it('logs a write that fails without the record, keeps the change in memory, and writes it with the next change', async () => {
    await store.update('a', () => ({ n: 1 }));
    await store.flush();
    const clearTheWay = blockFileOf(temp.dir, 'a');
    await store.update('a', () => ({ n: 2 }));
    await store.flush();
    expect(await store.get('a')).to.deep.equal({ n: 2 });
    expect(logged.join('\n')).to.include('could not be written').and.not.include('"n":2');
    clearTheWay();
    await store.update('a', (current) => ({ n: current!.n + 1 }));
    await store.flush();
    expect(onDisk(temp.dir)).to.deep.equal({ a: { n: 3 } });
  });

  it('tries a failed write again on its own, and keeps the record in memory until it is written', async () => {
    const small = new KeyFileStore<{ n: number }>(
      temp.dir,
      createLogger('warn', (line) => logged.push(line)),
      {
        cacheSize: 1, // every other change would push 'a' out
        firstRetryDelayMs: 20, // the first pause before trying again
      },
    );
    await small.init();
    await small.update('a', () => ({ n: 1 }));
    await small.flush();
    const clearTheWay = blockFileOf(temp.dir, 'a');
    await small.update('a', () => ({ n: 2 }));
    await small.flush();
    expect(logged.join('\n')).to.include('could not be written');
    for (let i = 0; i < 3; i++) await small.update(`other-${i}`, () => ({ n: i }));
    await small.flush();
    expect(await small.get('a')).to.deep.equal({ n: 2 });
    // The way clears; no new change of 'a' comes, and its record reaches the disk anyway.
    clearTheWay();
    for (let waited = 0; waited < 2_000 && onDisk(temp.dir).a === undefined; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(onDisk(temp.dir)).to.deep.include({ a: { n: 2 } });
  });
  it('keeps changes in the journal until a checkpoint, and a process that was killed reads them back from it', async () => {
    const journaled = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'), {
      journalLimitBytes: 1_000_000,
      checkpointAfterMs: 60_000,
    });
    await journaled.init();
    for (let n = 1; n <= 50; n++) await journaled.update(`key-${n % 5}`, () => ({ n }));
    await journaled.delete('key-0');
    await journaled.appended();
    // Fifty changes, and not one record file yet: the records are in the journal alone.
    expect(onDisk(temp.dir)).to.deep.equal({});
    expect(existsSync(path.join(temp.dir, 'journal.jsonl'))).to.equal(true);
    // Another process starts on the directory, as after a kill: everything is there.
    const next = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'));
    await next.init();
    expect(await next.get('key-1')).to.deep.equal({ n: 46 });
    expect(await next.get('key-4')).to.deep.equal({ n: 49 });
    expect(await next.get('key-0')).to.equal(undefined);
    await next.flush();
    expect(onDisk(temp.dir)).to.deep.equal({
      'key-1': { n: 46 },
      'key-2': { n: 47 },
      'key-3': { n: 48 },
      'key-4': { n: 49 },
    });
    expect(existsSync(path.join(temp.dir, 'journal.jsonl'))).to.equal(false);
  });

  it('skips a journal line a kill cut short, and reads the lines before and after it', async () => {
    const record = (key: string, n: number) => JSON.stringify([key, JSON.stringify({ key, value: { n } })]);
    writeFileSync(
      path.join(temp.dir, 'journal.jsonl'),
      `${record('a', 1)}\n${record('b', 1).slice(0, 12)}\n${record('c', 1)}\n${record('a', 2)}\n["d", {"n":`,
    );
    const next = new KeyFileStore<{ n: number }>(
      temp.dir,
      createLogger('warn', (line) => logged.push(line)),
    );
    await next.init();
    expect(await next.get('a')).to.deep.equal({ n: 2 });
    expect(await next.get('b')).to.equal(undefined);
    expect(await next.get('c')).to.deep.equal({ n: 1 });
    expect(logged.join('\n')).to.include('journal lines could not be read').and.include('"lines":2');
    await next.flush();
    expect(onDisk(temp.dir)).to.deep.equal({ a: { n: 2 }, c: { n: 1 } });
  });

  it('writes the journal to the record files on its own once it is full', async () => {
    const full = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'), { journalLimitBytes: 200 });
    await full.init();
    for (let n = 0; n < 10; n++) await full.update(`key-${n}`, () => ({ n }));
    for (let waited = 0; waited < 2_000 && Object.keys(onDisk(temp.dir)).length < 10; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Object.keys(onDisk(temp.dir))).to.have.length(10);
  });
  it('writes the records to their files while changes keep coming', async () => {
    const busy = new KeyFileStore<{ n: number }>(temp.dir, createLogger('silent'), { journalLimitBytes: 500 });
    await busy.init();
    // A change on every turn of the event loop, without a pause.
    const deadline = Date.now() + 5_000;
    for (let n = 0; Date.now() < deadline && (n % 200 !== 0 || Object.keys(onDisk(temp.dir)).length === 0); n++) {
      await busy.update(`key-${n % 3}`, () => ({ n }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(Object.keys(onDisk(temp.dir))).to.not.have.length(0);
  });
});
