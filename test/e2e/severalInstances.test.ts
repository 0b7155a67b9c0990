import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import WebSocket from 'ws';
import { DEMO_ACCOUNTS } from '../../src/recovery/demoAccounts.js';
import type { OutboxEmail } from '../../src/messaging/email.js';
import type { OutboxSms } from '../../src/messaging/sms.js';
import { describeOncePerRun, freshBackend, queryDatabase, type TestBackend } from '../helpers/backend.js';
import { runAccountsCli, startBot, waitFor, type BotProcess } from '../helpers/botProcess.js';
import { makeTempDir } from '../helpers/tempDir.js';
import { freePort, readJsonLines } from '../helpers/testApp.js';

const EMMA = DEMO_ACCOUNTS[0]!;
const LIAM = DEMO_ACCOUNTS[1]!;

interface Instance {
  url: string;
  dataDir: string;
  bot: BotProcess;
}

/**
 * Two real instances (`npm start`, separate processes and data directories) on one PostgreSQL
 * database and one Redis, with no sticky sessions: the client below alternates instances every
 * turn, as a load balancer may.
 */
describeOncePerRun('several instances on PostgreSQL and Redis (two processes)', function () {
  this.timeout(120_000);
  let backend: TestBackend;
  let temps: Array<ReturnType<typeof makeTempDir>>;
  let instances: Instance[];

  async function startInstance(): Promise<Instance> {
    const temp = makeTempDir();
    temps.push(temp);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const bot = startBot({
      ...backend.env,
      DB_MIGRATE: 'auto',
      DATA_DIR: temp.dir,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      SEED_DEMO_ACCOUNTS: 'true',
      LOG_LEVEL: 'info',
      // A task taken by an instance that is then killed goes to the other one after this.
      TASK_LEASE: '2s',
    });
    await waitFor(url, bot.exited, '/readyz').catch((error: Error) => {
      bot.child.kill('SIGKILL');
      throw new Error(`${error.message}:\n${bot.output()}`);
    });
    return { url, dataDir: temp.dir, bot };
  }

  beforeEach(async () => {
    backend = await freshBackend();
    temps = [];
    instances = [];
    // Started together, as after a deployment: both seed the demo accounts, once.
    instances = await Promise.all([startInstance(), startInstance()]);
  });

  afterEach(async () => {
    instances ??= [];
    for (const { bot } of instances) bot.child.kill('SIGKILL');
    await Promise.all(instances.map(({ bot }) => bot.exited));
    await backend.remove();
    for (const temp of temps) temp.remove();
  });

  /** A conversation whose every turn goes to the next instance in turn. */
  function alternatingChat(locale = 'en-US') {
    const conversationId = `multi-${randomUUID()}`;
    let turn = 0;
    return {
      async say(text: string, only?: Instance): Promise<string> {
        const instance = only ?? instances[turn++ % instances.length]!;
        const response = await fetch(`${instance.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            id: `act-${randomUUID()}`,
            text,
            channelId: 'emulator',
            serviceUrl: 'http://127.0.0.1:9',
            deliveryMode: 'expectReplies',
            conversation: { id: conversationId },
            from: { id: 'person' },
            recipient: { id: 'bot' },
            locale,
          }),
        });
        expect(response.status, `${instance.url} answered`).to.equal(200);
        const body = (await response.json()) as { activities: Array<{ type: string; text?: string }> };
        return body.activities
          .filter((activity) => activity.type === 'message')
          .map((activity) => activity.text ?? '')
          .join('\n');
      },
    };
  }

  /** Every mail or text either instance sent (each writes its own outbox file). */
  async function outbox<T>(file: 'email.jsonl' | 'sms.jsonl'): Promise<T[]> {
    const all = await Promise.all(instances.map((i) => readJsonLines<T>(path.join(i.dataDir, 'outbox', file))));
    return all.flat();
  }

  async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never came: ${what}`);
  }

  const mailsTo = async (to: string) => (await outbox<OutboxEmail>('email.jsonl')).filter((mail) => mail.to === to);
  const resetLinkIn = (mail: OutboxEmail) =>
    /http:\/\/127\.0\.0\.1:\d+\/reset\?token=([A-Za-z0-9_-]{43})/.exec(mail.text);

  async function passwordIs(email: string, password: string): Promise<boolean> {
    const check = await runAccountsCli(['check-password', email, password], {
      ...backend.env,
      DATA_DIR: temps[0]!.dir,
    });
    return check.code === 0;
  }

  it('seeds the demo accounts once, and answers /readyz and /metrics on both', async () => {
    const [row] = await queryDatabase<{ count: string }>(backend.env.DATABASE_URL!, 'SELECT count(*) FROM accounts');
    expect(Number(row!.count)).to.equal(DEMO_ACCOUNTS.length);
    for (const { url } of instances) {
      expect((await fetch(`${url}/readyz`)).status).to.equal(200);
      expect(await (await fetch(`${url}/metrics`)).text()).to.contain('bot_pending_tasks');
    }
  });

  it('completes a reset by email with every turn on the other instance, the link opened on the other page', async () => {
    const chat = alternatingChat();
    expect(await chat.say('I forgot my password')).to.contain('How would you like to reset your password?');
    expect(await chat.say('email')).to.contain('What is the email address');
    expect(await chat.say(LIAM.email)).to.contain('If an account uses this address, an email is on its way');
    const mail = await eventually(async () => (await mailsTo(LIAM.email))[0], 'the reset mail');
    const token = resetLinkIn(mail)![1]!;
    // The link was made through one instance; the page of each instance knows it.
    for (const { url } of instances) expect((await fetch(`${url}/reset?token=${token}`)).status).to.equal(200);

    expect(await chat.say(`Here it is: ${mail.text.match(/http\S+token=\S+/)![0]}`)).to.contain('new password');
    expect(await chat.say('ember-quiet-falcon-road')).to.contain('same password');
    expect(await chat.say('ember-quiet-falcon-road')).to.contain('Your password has been changed');
    expect(await passwordIs(LIAM.email, 'ember-quiet-falcon-road')).to.equal(true);
    const notice = await eventually(
      async () => (await mailsTo(LIAM.email)).find((m) => m.subject.includes('was changed')),
      'the notice',
    );
    expect(notice.to).to.equal(LIAM.email);
    expect((await mailsTo(LIAM.email)).filter((m) => resetLinkIn(m))).to.have.length(1);
  });

  it('completes a reset by SMS code with every turn on the other instance, in Dutch', async () => {
    const chat = alternatingChat('nl-NL');
    expect(await chat.say('ik ben mijn wachtwoord vergeten')).to.contain('Hoe wil je je wachtwoord herstellen?');
    expect(await chat.say('sms')).to.contain('mobiele nummer');
    await chat.say(EMMA.phone!);
    const sms = await eventually(async () => (await outbox<OutboxSms>('sms.jsonl'))[0], 'the code');
    expect(sms.to).to.equal(EMMA.phone);
    const code = /\b(\d{6})\b/.exec(sms.body)![1]!;
    expect(await chat.say(code)).to.contain('nieuwe wachtwoord');
    await chat.say('ember-quiet-falcon-road');
    expect(await chat.say('ember-quiet-falcon-road')).to.contain('Je wachtwoord is gewijzigd');
    expect(await passwordIs(EMMA.email, 'ember-quiet-falcon-road')).to.equal(true);
    expect(await outbox<OutboxSms>('sms.jsonl')).to.have.length(1);
  });

  it('counts a limit across both instances', async () => {
    // Five requests an hour for one address (the default), whichever instance takes them.
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const chat = alternatingChat();
      await chat.say('reset');
      await chat.say('email');
      answers.push(await chat.say(EMMA.email));
    }
    expect(answers.slice(0, 5).every((answer) => answer.includes('an email is on its way'))).to.equal(true);
    expect(answers[5]).to.contain('please try again in');
  });

  it('brings what one instance answers to a web chat socket held by the other', async () => {
    const [a, b] = instances as [Instance, Instance];
    const token = (await (await fetch(`${a.url}/api/webchat/token`, { method: 'POST' })).json()) as {
      conversationId: string;
      token: string;
    };
    const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
    const started = await fetch(`${a.url}/v3/directline/conversations`, { method: 'POST', headers });
    expect(started.status).to.equal(201);
    // The socket is held by the second instance; the messages go to the first.
    const received: string[] = [];
    const socket = new WebSocket(
      `${b.url.replace('http', 'ws')}/v3/directline/conversations/${token.conversationId}/stream?t=${token.token}&watermark=0`,
    );
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (!text) return;
      for (const activity of (JSON.parse(text) as { activities: Array<{ text?: string }> }).activities)
        if (activity.text) received.push(activity.text);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      const posted = await fetch(`${a.url}/v3/directline/conversations/${token.conversationId}/activities`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'message', text: 'reset', from: { id: 'visitor' } }),
      });
      expect(posted.status).to.equal(200);
      await eventually(
        async () => (received.some((text) => text.includes('How would you like to reset')) ? true : undefined),
        'the answer on the other instance’s socket',
      );
      expect(received.join('\n')).to.contain('password help bot'); // the greeting, read from the watermark
    } finally {
      socket.close();
    }
  });

  it('finishes a journey on the survivor after kill -9 of the other, with its mail delivered once', async () => {
    const [a, b] = instances as [Instance, Instance];
    const chat = alternatingChat();
    await chat.say('reset', a);
    await chat.say('email', b);
    expect(await chat.say(EMMA.email, a)).to.contain('an email is on its way');
    a.bot.child.kill('SIGKILL');
    await a.bot.exited;

    const mail = await eventually(async () => (await mailsTo(EMMA.email))[0], 'the reset mail');
    expect(await chat.say(mail.text.match(/http\S+token=\S+/)![0], b)).to.contain('new password');
    await chat.say('ember-quiet-falcon-road', b);
    expect(await chat.say('ember-quiet-falcon-road', b)).to.contain('Your password has been changed');
    expect(await passwordIs(EMMA.email, 'ember-quiet-falcon-road')).to.equal(true);
    // Whichever instance took the mail, it went out once.
    expect((await mailsTo(EMMA.email)).filter((m) => resetLinkIn(m))).to.have.length(1);
  });
});
