// The benchmark's clients: turns posted to a bot's /api/messages with the replies in the answer
// (deliveryMode expectReplies) over node:http with kept-alive connections, as a channel's service
// keeps them, timed from the bench process. The client shares the machine's cores with the bots it
// measures, so it has to be light: node's fetch cost about 0.5 ms of CPU a turn here, node:http
// about 0.12 ms, and a heavy client adds the same cost to the echo bot and to the bot, pulling every
// ratio towards 1.
import { closeSync, type FSWatcher, openSync, readSync, statSync, watch } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

let activityCounter = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function post(
  url: string,
  conversationId: string,
  activity: Record<string, unknown>,
): Promise<Array<{ text?: string }>> {
  const body = JSON.stringify({
    id: `a${++activityCounter}`,
    type: 'message',
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    conversation: { id: conversationId },
    from: { id: `user-${conversationId}` },
    recipient: { id: 'bot' },
    locale: 'en-US',
    ...activity,
  });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/api/messages`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new Error(`${url} answered ${response.statusCode}`));
            return;
          }
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              activities?: Array<{ text?: string }>;
            };
            resolve(answer.activities ?? []);
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Milliseconds one turn took, seen from the client. */
export async function timed(turn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await turn();
  return performance.now() - started;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `workers` clients posting one turn after another until `seconds` are up: turns per second. */
export async function throughput(
  seconds: number,
  workers: number,
  turn: (worker: number, i: number) => Promise<unknown>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let turns = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await turn(worker, i);
        turns++;
      }
    }),
  );
  return turns / seconds;
}

/** A client waiting for the reset link mailed to `to` (a newer one than `previous`). */
interface LinkWaiter {
  to: string;
  previous: string | undefined;
  found(link: string): void;
  failed(error: Error): void;
}

/**
 * The reset links the bot wrote to its mail outbox (DATA_DIR/outbox/email.jsonl, one JSON line
 * a mail), read as they arrive. One reader serves every waiting client: it reads when the kernel
 * says the outbox changed (fs.watch), and every 50 ms in case a change went unreported. Each
 * waiting client polling the file every 10 ms on its own cost the 16 resetting clients about
 * 5 ms of CPU a reset, on the cores the bot was measured on.
 */
export class OutboxLinks {
  private offset = 0;
  private rest = '';
  private readonly latest = new Map<string, string>();
  private readonly waiting = new Set<LinkWaiter>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string) {}

  /** The newest link sent to `to` that is not `previous`, waiting up to 10 s for it. */
  async next(to: string, previous: string | undefined): Promise<string> {
    this.read();
    const link = this.latest.get(to);
    if (link && link !== previous) return link;
    return new Promise((resolve, reject) => {
      const waiter: LinkWaiter = {
        to,
        previous,
        found: (found) => {
          this.forget(waiter, giveUp);
          resolve(found);
        },
        failed: (error) => {
          this.forget(waiter, giveUp);
          reject(error);
        },
      };
      const giveUp = setTimeout(() => waiter.failed(new Error(`no reset mail reached ${to} within 10 s`)), 10_000);
      this.waiting.add(waiter);
      this.startWatching();
    });
  }

  private forget(waiter: LinkWaiter, giveUp: NodeJS.Timeout): void {
    clearTimeout(giveUp);
    this.waiting.delete(waiter);
    if (this.waiting.size === 0) this.stopWatching();
  }

  private startWatching(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.deliver(), 50);
    try {
      // A watcher that fails leaves the timer to read.
      this.watcher = watch(path.dirname(this.file), () => this.deliver()).on('error', () => undefined);
    } catch {
      // No outbox folder yet: the timer reads until there is.
    }
  }

  private stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private deliver(): void {
    try {
      this.read();
    } catch (error) {
      for (const waiter of this.waiting) waiter.failed(error as Error);
      return;
    }
    for (const waiter of this.waiting) {
      const link = this.latest.get(waiter.to);
      if (link && link !== waiter.previous) waiter.found(link);
    }
  }

  private read(): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return;
    }
    if (size <= this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.rest + buffer.toString('utf8')).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) {
      const mail = JSON.parse(line) as { to: string; text: string };
      const link = /https?:\/\/\S+\/reset\?token=[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
      if (link) this.latest.set(mail.to, link);
    }
  }
}
