import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { DEMO_ACCOUNTS } from '../../src/recovery/demoAccounts.js';
import { startCommand } from '../helpers/startCommand.js';
import { makeTempDir } from '../helpers/tempDir.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startBot(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  // Exactly as `npm start` runs it, with its environment, flags and loader.
  const start = startCommand(path.join(ROOT, 'package.json'));
  const child = spawn(process.execPath, [...start.flags, '--import', start.loader, start.entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...start.env, ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

async function waitForHealth(url: string, exited: Promise<number>): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  for (let i = 0; i < 200 && !stopped; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the bot did not become healthy');
}

describe('npm start', function () {
  this.timeout(60_000);

  it('starts with embedded defaults, creates the demo accounts, answers, and stops cleanly', async () => {
    const temp = makeTempDir();
    const port = await freePort();
    const bot = startBot({ DATA_DIR: temp.dir, PORT: String(port) });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, bot.exited);
      expect(bot.output()).to.contain('"msg":"demo accounts created","count":3');
      const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          text: DEMO_ACCOUNTS[0]!.email,
          channelId: 'emulator',
          serviceUrl: 'http://127.0.0.1:9',
          deliveryMode: 'expectReplies',
          conversation: { id: 'startup' },
          from: { id: 'u' },
          recipient: { id: 'b' },
        }),
      });
      const body = (await response.json()) as { activities: Array<{ text?: string }> };
      expect(body.activities.map((a) => a.text).join(' ')).to.contain('password help bot');
      bot.child.kill('SIGTERM');
      expect(await bot.exited).to.equal(0);
      expect(bot.output()).not.to.contain(DEMO_ACCOUNTS[0]!.password!);
    } finally {
      bot.child.kill('SIGKILL');
      temp.remove();
    }
  });

  it('refuses bad settings with one clear line for each, and exits 1', async () => {
    const bot = startBot({ PORT: 'eighty', RESET_LINK_TTL: 'soon' });
    expect(await bot.exited).to.equal(1);
    expect(bot.output()).to.contain('PORT: must be a whole number').and.contain('RESET_LINK_TTL: must be a duration');
    expect(bot.output()).not.to.contain('    at ');
  });

  it('refuses to start unauthenticated with NODE_ENV=production', async () => {
    const bot = startBot({ NODE_ENV: 'production', CARD_HMAC_KEY: 'k'.repeat(40) });
    expect(await bot.exited).to.equal(1);
    expect(bot.output()).to.contain('MicrosoftAppId: must be set when NODE_ENV=production');
  });
});
