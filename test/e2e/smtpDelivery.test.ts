import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { LIAM, importAccounts } from '../helpers/accounts.js';
import { startTestApp, type TestApp } from '../helpers/testApp.js';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

/** A real SMTP server on loopback that keeps what it receives. */
async function startSmtp(): Promise<{ port: number; received: ReceivedMail[]; stop(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'bot' && auth.password === 'smtp-secret') callback(null, { user: 'bot' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Undoes quoted-printable soft breaks and escapes, enough to read the body of a mail. */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('email through a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let test: TestApp;

  beforeEach(async () => {
    smtp = await startSmtp();
    test = await startTestApp({
      env: {
        SMTP_URL: `smtp://bot:smtp-secret@127.0.0.1:${smtp.port}`,
        EMAIL_FROM: 'StreamFlix <help@streamflix.example>',
      },
    });
    await importAccounts(test, LIAM);
  });

  afterEach(async () => {
    await test.close();
    await smtp.stop();
  });

  it('delivers the reset email with its link by SMTP, authenticated, and writes no outbox', async () => {
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('email');
    await chat.say(LIAM.email);
    await test.app.idle();

    expect(smtp.received).to.have.length(1);
    const mail = smtp.received[0]!;
    expect(mail.user).to.equal('bot');
    expect(mail.from).to.equal('help@streamflix.example');
    expect(mail.to).to.deep.equal([LIAM.email]);
    const body = decodeQuotedPrintable(mail.raw);
    expect(body).to.contain('Subject: Reset your StreamFlix password');
    expect(body).to.match(/multipart\/alternative/);
    const link = /http:\/\/localhost:\d+\/reset\?token=[A-Za-z0-9_-]{43}/.exec(body)?.[0];
    expect(link, 'reset link in the mail').to.be.a('string');
    expect(await test.emails()).to.deep.equal([]);

    const page = await fetch(`${test.url}/reset?token=${new URL(link!).searchParams.get('token')}`);
    expect(page.status).to.equal(200);
  });

  it('keeps the chat answer the same when the SMTP server is down, and logs the failure without secrets', async () => {
    await smtp.stop();
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('email');
    expect(await chat.say(LIAM.email)).to.contain('If an account uses this address, an email is on its way');
    await test.app.idle();
    const failures = test.logs.filter((line) => line.includes('background task failed'));
    expect(failures).to.have.length(1);
    expect(failures[0]).not.to.contain('smtp-secret');
    expect(failures[0]).not.to.match(/token=[A-Za-z0-9_-]{43}/);
  });
});
