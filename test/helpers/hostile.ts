import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LIAM } from './accounts.js';
import { latestResetLink, type TestApp } from './testApp.js';

/** What the server answered to a raw request, and whether it closed the connection afterwards. */
export interface RawAnswer {
  status: number | undefined;
  closed: boolean;
}

/** Sends bytes as they are (no client fixes them up) and reads the status line. */
export function rawRequest(url: string, request: string | Buffer, waitMs = 3000): Promise<RawAnswer> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    let received = '';
    let settled = false;
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ status: status ? Number(status) : undefined, closed });
    };
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    setTimeout(() => finish(false), waitMs);
  });
}

/** A WebSocket upgrade request for a path, as a client would send it. */
export function upgradeRequest(path: string): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: localhost',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    '',
    '',
  ].join('\r\n');
}

/** Files in the system's temp folder, where an upload parser would leave what it was sent. */
export function strayTempFiles(): string[] {
  return readdirSync(tmpdir(), { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Memory the process still holds after a full collection: the JavaScript heap and what lies outside
 * it (buffers). Not RSS, which also counts garbage not yet swept and pages not yet given back, and
 * so grows by tens of megabytes with the load of a test alone.
 */
async function liveMemory(): Promise<number> {
  // Buffers are given back after their collection, once the finalizers ran: collect, yield, collect.
  collectGarbage();
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** What a hostile request must leave as it was, taken before it. */
export interface Baseline {
  liveMemory: number;
  tempFiles: Set<string>;
}

export async function baseline(): Promise<Baseline> {
  return { liveMemory: await liveMemory(), tempFiles: new Set(strayTempFiles()) };
}

/**
 * After hostile requests: the bot still answers its health check, memory did not balloon, no
 * temp file was left behind, and a person can still reset a password by email from start to end, in the chat.
 */
export async function expectStillServing(test: TestApp, before: Baseline): Promise<void> {
  expect((await fetch(`${test.url}/healthz`)).status).to.equal(200);
  const grownMb = ((await liveMemory()) - before.liveMemory) / 2 ** 20;
  expect(grownMb, 'growth of the memory kept after a full collection, in MB').to.be.below(50);
  expect(strayTempFiles().filter((name) => !before.tempFiles.has(name))).to.deep.equal([]);

  const chat = test.conversation();
  await chat.say('reset');
  await chat.say('email');
  await chat.say(LIAM.email);
  const link = await latestResetLink(test, LIAM.email);
  const password = `harbor-quilt-${Math.random().toString(36).slice(2, 8)}-lemon`;
  // In the chat: the page's per-address limit may well be used up by the hostile requests.
  await chat.say(link);
  expect(await chat.say({ value: { password, confirm: password } }), 'the chat sets the new password').to.contain(
    'Your password has been changed',
  );
  expect(await test.app.accounts.checkPassword(LIAM.email, password)).to.equal(true);
}
