import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../security/logger.js';
import type { ConversationLog } from './conversationLog.js';
import type { DirectLineTokens } from './tokens.js';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/?]+)\/stream$/;
const HEARTBEAT_MS = 30_000;

/** The stream URL of a conversation, on the host the client used, for the token just issued. */
export function streamUrl(req: IncomingMessage, secure: boolean, conversationId: string, token: string): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const scheme = secure || forwarded === 'https' ? 'wss' : 'ws';
  return `${scheme}://${req.headers.host}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}`;
}

/**
 * Direct Line's streaming mode: a WebSocket per client on which the endpoint pushes
 * `{ activities, watermark }` as they are appended (the client still posts over HTTP), with an
 * empty frame as heartbeat. The token in `t` must be valid and for the conversation in the path.
 */
export function attachDirectLineStream(
  server: HttpServer,
  deps: { tokens: DirectLineTokens; log: ConversationLog; logger: Logger },
): { close(): void } {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) {
      // The bot has no other WebSocket endpoint.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const conversationId = decodeURIComponent(match[1]!);
    const check = deps.tokens.check(url.searchParams.get('t') ?? undefined);
    if (check.kind !== 'valid' || check.conversationId !== conversationId) {
      socket.end(
        `HTTP/1.1 ${check.kind === 'expired' ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    const watermark = Number(url.searchParams.get('watermark') ?? Number.NaN);
    sockets.handleUpgrade(req, socket, head, (ws) =>
      stream(ws, conversationId, Number.isFinite(watermark) ? watermark : undefined, deps),
    );
  });
  return {
    close: () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
    },
  };
}

function stream(
  ws: WebSocket,
  conversationId: string,
  startAt: number | undefined,
  deps: { log: ConversationLog; logger: Logger },
): void {
  let watermark = startAt;
  const push = () => {
    const read = deps.log.read(conversationId, watermark);
    watermark = read.watermark;
    if (read.activities.length > 0 && ws.readyState === ws.OPEN)
      ws.send(JSON.stringify({ activities: read.activities, watermark: String(read.watermark) }));
  };
  const unsubscribe = deps.log.subscribe(conversationId, push);
  const heartbeat = setInterval(() => ws.readyState === ws.OPEN && ws.send(''), HEARTBEAT_MS);
  ws.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
  });
  ws.on('error', (error) => deps.logger.warn('direct line stream failed', { error }));
  // The client sends nothing on this socket; anything it does send is ignored.
  ws.on('message', () => undefined);
  push();
}
