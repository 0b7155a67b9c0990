import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/**
 * A stand-in for a channel's reply endpoint (the activity's serviceUrl): it records what the bot
 * sends outside a request's own response, such as proactive messages.
 */
export interface ChannelStandIn {
  serviceUrl: string;
  /** Messages sent (POST), in order. */
  received: Array<{ conversationId: string; activity: Partial<Activity> }>;
  /** Messages replaced in place (PUT of an activity id the stand-in handed out), in order. */
  updated: Array<{ conversationId: string; activityId: string; activity: Partial<Activity> }>;
  /** The Authorization header of each request, in order. */
  authorizations: Array<string | undefined>;
  /** Resolves with the first message that matches, waiting up to `timeoutMs`. */
  waitForMessage(match: (activity: Partial<Activity>) => boolean, timeoutMs?: number): Promise<Partial<Activity>>;
  /** Resolves with the first update of a message that matches, waiting up to `timeoutMs`. */
  waitForUpdate(match: (activity: Partial<Activity>) => boolean, timeoutMs?: number): Promise<Partial<Activity>>;
  close(): Promise<void>;
}

export async function startChannelStandIn(): Promise<ChannelStandIn> {
  const received: ChannelStandIn['received'] = [];
  const updated: ChannelStandIn['updated'] = [];
  const authorizations: Array<string | undefined> = [];
  const waiters = new Set<() => void>();
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      authorizations.push(req.headers.authorization);
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      const conversationId = decodeURIComponent(match?.[1] ?? '');
      const activityId = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
      const body = () => JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Activity>;
      if (match && req.method === 'POST') {
        received.push({ conversationId, activity: body() });
        res.end(JSON.stringify({ id: `sent-${++counter}` }));
      } else if (match && req.method === 'PUT' && activityId && /^sent-\d+$/.test(activityId)) {
        updated.push({ conversationId, activityId, activity: body() });
        res.end(JSON.stringify({ id: activityId }));
      } else {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  return {
    serviceUrl,
    received,
    updated,
    authorizations,
    waitForMessage: (match, timeoutMs) => waitFor(received, match, timeoutMs),
    waitForUpdate: (match, timeoutMs) => waitFor(updated, match, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function waitFor(
    entries: ReadonlyArray<{ activity: Partial<Activity> }>,
    match: (activity: Partial<Activity>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Partial<Activity>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = entries.find((entry) => entry.activity.type === 'message' && match(entry.activity));
        if (!found) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found.activity);
        return true;
      };
      const wake = () => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching message reached the channel within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(wake);
      check();
    });
  }
}

/**
 * A fresh stand-in for each test of the describe block it is called in (mocha hooks), closed
 * after the test. The returned object always speaks for the current test's stand-in.
 */
export function useChannelStandIn(): ChannelStandIn {
  let current: ChannelStandIn | undefined;
  beforeEach(async () => {
    current = await startChannelStandIn();
  });
  afterEach(() => current?.close());
  const now = (): ChannelStandIn => {
    if (!current) throw new Error('the channel stand-in runs only inside a test');
    return current;
  };
  return {
    get serviceUrl() {
      return now().serviceUrl;
    },
    get received() {
      return now().received;
    },
    get updated() {
      return now().updated;
    },
    get authorizations() {
      return now().authorizations;
    },
    waitForMessage: (match, timeoutMs) => now().waitForMessage(match, timeoutMs),
    waitForUpdate: (match, timeoutMs) => now().waitForUpdate(match, timeoutMs),
    close: () => now().close(),
  };
}
