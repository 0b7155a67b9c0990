import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../security/logger.js';
import { isWellFormedTarget } from '../web/requestUrl.js';
import type { ActivityLog } from './activityLog.js';
import type { DirectLineTokens } from './tokens.js';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/?]+)\/stream$/;
const HEARTBEAT_MS = 30_000;

export interface StreamLimits {
  /** Open sockets one conversation may have (Web Chat needs one; a reconnect briefly two). */
  perConversation: number;
  /** Open sockets in all. */
  total: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perConversation: 3, total: 5000 };

/** The stream URL of a conversation for the token just issued, on the bot's public address (never the Host header). */
export function streamUrl(publicBaseUrl: string, conversationId: string, token: string): string {
  const base = publicBaseUrl.replace(/^http/, 'ws');
  return `${base}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}`;
}

export interface DirectLineStream {
  /** Closes the sockets of one conversation, when its session ends. */
  closeConversation(conversationId: string): void;
  close(): void;
}

type Upgrade =
  { kind: 'accept'; conversationId: string; watermark: number | undefined } | { kind: 'refuse'; status: string };

/**
 * Direct Line's streaming mode: a WebSocket per client on which the endpoint pushes
 * `{ activities, watermark }` as they are appended (the client still posts over HTTP), with an
 * empty frame as heartbeat. The token in `t` must be valid and for the conversation in the path.
 * Whatever a client sends (a malformed upgrade, frames, a reset) is answered or dropped here;
 * nothing of it reaches the process as an uncaught error.
 */
export function attachDirectLineStream(
  server: HttpServer,
  deps: { tokens: DirectLineTokens; log: ActivityLog; logger: Logger; limits?: StreamLimits },
): DirectLineStream {
  const limits = deps.limits ?? DEFAULT_STREAM_LIMITS;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const open = new Map<string, Set<WebSocket>>();
  let total = 0;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets the connection mid-handshake must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    try {
      const upgrade = checkUpgrade(req, deps.tokens);
      if (upgrade.kind === 'refuse') return refuse(socket, upgrade.status);
      const ofConversation = open.get(upgrade.conversationId)?.size ?? 0;
      if (ofConversation >= limits.perConversation || total >= limits.total)
        return refuse(socket, '429 Too Many Requests');
      sockets.handleUpgrade(req, socket, head, (ws) => {
        const set = open.get(upgrade.conversationId) ?? new Set<WebSocket>();
        open.set(upgrade.conversationId, set.add(ws));
        total++;
        ws.once('close', () => {
          total--;
          set.delete(ws);
          if (set.size === 0 && open.get(upgrade.conversationId) === set) open.delete(upgrade.conversationId);
        });
        stream(ws, upgrade.conversationId, upgrade.watermark, deps);
      });
    } catch (error) {
      deps.logger.warn('direct line upgrade refused', { error: (error as Error)?.name ?? 'NonError' });
      refuse(socket, '400 Bad Request');
    }
  });
  return {
    closeConversation: (conversationId) => {
      for (const ws of open.get(conversationId) ?? []) ws.close(4001, 'session ended');
    },
    close: () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}

/** Whether the upgrade request names a stream and carries a valid token for its conversation. */
function checkUpgrade(req: IncomingMessage, tokens: DirectLineTokens): Upgrade {
  if (!isWellFormedTarget(req.url)) return { kind: 'refuse', status: '400 Bad Request' };
  const url = new URL(req.url, 'http://localhost');
  const match = STREAM_PATH.exec(url.pathname);
  // The bot has no other WebSocket endpoint.
  if (!match) return { kind: 'refuse', status: '404 Not Found' };
  const conversationId = decodeURIComponent(match[1]!);
  const check = tokens.check(url.searchParams.get('t') ?? undefined);
  if (check.kind !== 'valid' || check.conversationId !== conversationId)
    return { kind: 'refuse', status: check.kind === 'expired' ? '403 Forbidden' : '401 Unauthorized' };
  const watermark = Number(url.searchParams.get('watermark') ?? Number.NaN);
  return { kind: 'accept', conversationId, watermark: Number.isSafeInteger(watermark) ? watermark : undefined };
}

/** Answers the upgrade request with an HTTP status and closes the socket once that is written. */
function refuse(socket: Duplex, status: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

function stream(
  ws: WebSocket,
  conversationId: string,
  startAt: number | undefined,
  deps: { log: ActivityLog; logger: Logger },
): void {
  let watermark = startAt;
  ws.on('error', (error) => deps.logger.warn('direct line stream failed', { error: error.name }));
  // One read at a time per socket, and one more if appends came meanwhile, so the socket gets
  // every activity once and in order.
  let reading = false;
  let again = false;
  const push = (): void => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    void (async () => {
      try {
        do {
          again = false;
          if (ws.readyState !== ws.OPEN) return;
          const read = await deps.log.read(conversationId, watermark);
          watermark = read.watermark;
          if (read.activities.length > 0 && ws.readyState === ws.OPEN)
            ws.send(JSON.stringify({ activities: read.activities, watermark: String(read.watermark) }));
        } while (again);
      } catch (error) {
        deps.logger.warn('direct line stream could not read', { error });
      } finally {
        reading = false;
      }
    })();
  };
  const unsubscribe = deps.log.subscribe(conversationId, push);
  const heartbeat = setInterval(() => ws.readyState === ws.OPEN && ws.send(''), HEARTBEAT_MS);
  ws.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
  });
  // The client sends nothing on this socket; anything it does send is ignored.
  ws.on('message', () => undefined);
  push();
}
