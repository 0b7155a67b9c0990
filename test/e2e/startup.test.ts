import { expect } from 'chai';
import { describeOncePerRun } from '../helpers/backend.js';
import { createServer } from 'node:net';
import { DEMO_ACCOUNTS } from '../../src/recovery/demoAccounts.js';
import { startBot, waitFor } from '../helpers/botProcess.js';
import { makeTempDir } from '../helpers/tempDir.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The same on either store: run once, in the JSON pass.
describeOncePerRun('npm start', function () {
  this.timeout(60_000);

  it('starts with embedded defaults, creates the demo accounts, answers, and stops cleanly', async () => {
    const temp = makeTempDir();
    const port = await freePort();
    const bot = startBot({ DATA_DIR: temp.dir, PORT: String(port) });
    try {
      await waitFor(`http://127.0.0.1:${port}`, bot.exited);
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
