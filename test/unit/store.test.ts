import { expect } from 'chai';
import { describeOncePerRun } from '../helpers/backend.js';
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/security/logger.js';
import { AppendLog } from '../../src/store/appendLog.js';
import { CorruptStoreFileError, removeStaleTempFiles } from '../../src/store/atomicJsonFile.js';
import { ETagConflictError, JsonFileBotStorage } from '../../src/store/botStateStorage.js';
import { ShardedCollection } from '../../src/store/shardedCollection.js';
import { makeTempDir } from '../helpers/tempDir.js';

const WRITER = fileURLToPath(new URL('../fixtures/storeWriter.ts', import.meta.url));
const INCREMENTER = fileURLToPath(new URL('../fixtures/storeIncrementer.ts', import.meta.url));

// The same on either store: run once, in the JSON pass.
describeOncePerRun('JSON store', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.remove());

  describe('sharded collection', () => {
    it('reads back what it wrote, from a fresh instance', async () => {
      const first = new ShardedCollection<{ name: string }>(temp.dir, 8);
      await first.init();
      for (let i = 0; i < 50; i++) await first.set(`key-${i}`, { name: `value ${i}` });
      await first.delete('key-7');
      const second = new ShardedCollection<{ name: string }>(temp.dir, 8);
      expect(await second.get('key-42')).to.deep.equal({ name: 'value 42' });
      expect(await second.get('key-7')).to.equal(undefined);
      let count = 0;
      for await (const _ of second.entries()) count++;
      expect(count).to.equal(49);
    });

    it('rewrites only the shard that holds the changed key', async () => {
      const collection = new ShardedCollection<{ n: number }>(temp.dir, 16);
      for (let i = 0; i < 200; i++) await collection.set(`key-${i}`, { n: i });
      const shards = (await readdir(temp.dir)).filter((f) => f.endsWith('.json'));
      expect(shards.length).to.be.greaterThan(10);
      const before = await Promise.all(shards.map((f) => readFile(path.join(temp.dir, f), 'utf8')));
      await collection.set('key-3', { n: -1 });
      const after = await Promise.all(shards.map((f) => readFile(path.join(temp.dir, f), 'utf8')));
      expect(before.filter((text, i) => text !== after[i])).to.have.length(1);
    });

    it('keeps only the shards used last in memory, and reads and writes the others correctly from disk', async () => {
      const collection = new ShardedCollection<{ n: number }>(temp.dir, 16, 2);
      for (let i = 0; i < 100; i++) await collection.set(`key-${i}`, { n: i });
      // Changes through shards that were let go in between, concurrently, lose nothing.
      await Promise.all(Array.from({ length: 100 }, (_, i) => collection.update(`key-${i}`, (v) => ({ n: v!.n * 2 }))));
      for (let i = 0; i < 100; i++) expect(await collection.get(`key-${i}`)).to.deep.equal({ n: i * 2 });
      const kept = (collection as unknown as { cache: Map<number, unknown> }).cache;
      expect(kept.size).to.be.at.most(2);
      expect(await new ShardedCollection<{ n: number }>(temp.dir, 16).get('key-99')).to.deep.equal({ n: 198 });
    });

    it('never interleaves concurrent read-modify-write cycles on one key', async () => {
      const collection = new ShardedCollection<number>(temp.dir, 2);
      await Promise.all(Array.from({ length: 40 }, () => collection.update('n', (n = 0) => n + 1)));
      expect(await collection.get('n')).to.equal(40);
    });

    it('loses no change when another process writes the same shard at the same time', async function () {
      this.timeout(30_000);
      const collection = new ShardedCollection<number>(temp.dir, 2);
      await collection.init();
      const child = spawn(process.execPath, ['--import', 'tsx', INCREMENTER, temp.dir, '150'], { stdio: 'inherit' });
      const childDone = new Promise((resolve) => child.once('exit', resolve));
      for (let i = 0; i < 150; i++) await collection.update('shared', (n = 0) => n + 1);
      expect(await childDone).to.equal(0);
      expect(await collection.get('shared')).to.equal(300);
      expect(await new ShardedCollection<number>(temp.dir, 2).get('shared')).to.equal(300);
    });

    it('hands out copies, so a caller cannot change the stored record by accident', async () => {
      const collection = new ShardedCollection<{ list: number[] }>(temp.dir, 2);
      await collection.set('k', { list: [1] });
      (await collection.get('k'))!.list.push(2);
      expect(await collection.get('k')).to.deep.equal({ list: [1] });
    });

    it('refuses to read a damaged shard instead of treating it as empty', async () => {
      const collection = new ShardedCollection<number>(temp.dir, 1);
      await collection.set('k', 1);
      const [file] = (await readdir(temp.dir)).filter((f) => f.endsWith('.json'));
      await writeFile(path.join(temp.dir, file!), '{"k": 1');
      const reopened = new ShardedCollection<number>(temp.dir, 1);
      let error: unknown;
      try {
        await reopened.get('k');
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(CorruptStoreFileError);
      expect(await readFile(path.join(temp.dir, file!), 'utf8')).to.equal('{"k": 1');
    });
  });

  describe('bot state storage', () => {
    it('stores state with a fresh eTag and refuses a stale one', async () => {
      const storage = new JsonFileBotStorage(temp.dir, createLogger('silent'));
      await storage.init();
      await storage.write({ 'emulator/conversations/c1/': { dialogState: { step: 1 }, eTag: '*' } });
      const read = await storage.read(['emulator/conversations/c1/', 'missing']);
      expect(Object.keys(read)).to.deep.equal(['emulator/conversations/c1/']);
      const item = read['emulator/conversations/c1/'] as { eTag: string; dialogState: unknown };
      expect(item.dialogState).to.deep.equal({ step: 1 });
      await storage.write({ 'emulator/conversations/c1/': { ...item, dialogState: { step: 2 } } });
      let conflict: unknown;
      try {
        await storage.write({ 'emulator/conversations/c1/': { ...item, dialogState: { step: 3 } } });
      } catch (error) {
        conflict = error;
      }
      expect(conflict).to.be.instanceOf(ETagConflictError);
      await storage.delete(['emulator/conversations/c1/']);
      expect(await storage.read(['emulator/conversations/c1/'])).to.deep.equal({});
    });

    it('writes each change right after it, the newest last, and has all of them on disk after a flush', async () => {
      const storage = new JsonFileBotStorage(temp.dir, createLogger('silent'));
      await storage.init();
      let eTag = '*';
      for (let step = 1; step <= 20; step++) {
        await storage.write({ 'c/1': { step, eTag } });
        eTag = ((await storage.read(['c/1']))['c/1'] as { eTag: string }).eTag;
      }
      await storage.write({ 'c/2': { step: 1, eTag: '*' } });
      await storage.delete(['c/2']);
      await storage.flush();
      // A store opened afresh reads only the files.
      const reopened = new JsonFileBotStorage(temp.dir, createLogger('silent'));
      await reopened.init();
      expect(await reopened.read(['c/1', 'c/2'])).to.deep.equal({ 'c/1': { step: 20, eTag } });
      expect((await readdir(temp.dir)).filter((file) => file.endsWith('.tmp'))).to.deep.equal([]);
    });
  });

  describe('temporary files', () => {
    it('removes what a dead writer left, and keeps what a live process is writing', async () => {
      const dead = spawn(process.execPath, ['-e', '0']);
      const deadPid = dead.pid!;
      await new Promise((resolve) => dead.once('exit', resolve));
      const names = [
        `.000.json.${process.pid}.aa11.tmp`,
        `.000.json.${deadPid}.bb22.tmp`,
        '.000.json.cc33.tmp',
        '000.json',
      ];
      for (const name of names) await writeFile(path.join(temp.dir, name), '{}');
      await removeStaleTempFiles(temp.dir);
      expect((await readdir(temp.dir)).sort()).to.deep.equal([`.000.json.${process.pid}.aa11.tmp`, '000.json'].sort());
    });
  });

  describe('append log', () => {
    it('skips a torn last line left by a crash and keeps every whole one', async () => {
      const log = new AppendLog<{ n: number }>(path.join(temp.dir, 'log.jsonl'));
      await log.append({ n: 1 });
      await log.append({ n: 2 });
      await writeFile(path.join(temp.dir, 'log.jsonl'), '{"n":1}\n{"n":2}\n{"n":', { flag: 'w' });
      expect(await log.readAll()).to.deep.equal([{ n: 1 }, { n: 2 }]);
    });

    it('keeps every record of appends made at once, in order, whole, and makes its folder', async () => {
      const log = new AppendLog<{ n: number; text: string }>(path.join(temp.dir, 'new', 'log.jsonl'));
      const text = 'x'.repeat(3000);
      await Promise.all(Array.from({ length: 200 }, (_, n) => log.append({ n, text })));
      const records = await log.readAll();
      expect(records.map((record) => record.n)).to.deep.equal(Array.from({ length: 200 }, (_, n) => n));
      expect(records.every((record) => record.text === text)).to.equal(true);
    });

    it('fails the appends it could not write, and writes the next ones', async () => {
      const log = new AppendLog<{ n: number }>(path.join(temp.dir, 'blocked', 'log.jsonl'));
      await writeFile(path.join(temp.dir, 'blocked'), 'a file where the folder should be');
      const failed = await Promise.allSettled([log.append({ n: 1 }), log.append({ n: 2 })]);
      expect(failed.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
      await rm(path.join(temp.dir, 'blocked'));
      await log.append({ n: 3 });
      expect(await log.readAll()).to.deep.equal([{ n: 3 }]);
    });
  });

  describe('a kill -9 in the middle of writing', function () {
    this.timeout(30_000);

    it('leaves readable files: every confirmed write in the collections, conversation state whole', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', WRITER, temp.dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let confirmed = 0;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const numbers = chunk.split('\n').filter(Boolean).map(Number);
        confirmed = Math.max(confirmed, ...numbers);
      });
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (confirmed >= 40) {
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const collection = new ShardedCollection<{ n: number }>(path.join(temp.dir, 'collection'), 4);
      await collection.init();
      const stored = (await collection.get('counter'))!.n;
      expect(stored).to.be.at.least(confirmed);
      const storage = new JsonFileBotStorage(path.join(temp.dir, 'state'), createLogger('silent'));
      // Conversation state is written right after each change, not before it is confirmed: whole,
      // and at most the change in flight behind.
      const state = (await storage.read(['conversation/counter']))['conversation/counter'] as { n: number };
      expect(state.n).to.be.within(Math.max(1, confirmed - 1), confirmed + 1);
      // Leftover temporary files are removed on start and never read as data.
      expect((await readdir(path.join(temp.dir, 'collection'))).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    });
  });
});
