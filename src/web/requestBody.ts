import type { IncomingMessage } from 'node:http';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { jsonNestingDepth, MAX_JSON_DEPTH } from './jsonShape.js';

/** What a route takes as its body: JSON (the APIs, activities) or an HTML form (the pages). */
export type BodyKind = 'json' | 'form';

const MEDIA_TYPES: Record<BodyKind, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/** Bodies of the bot's own pages and APIs; activities from the channel get more (see the host). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
/** Past the limit, this much more is read and dropped so the client gets its 413; then the socket closes. */
const DRAIN_BYTES = 1024 * 1024;
const MAX_FORM_FIELDS = 50;

/** Why a body was not taken; the message is for the client and names nothing it sent. */
export class BodyRefusal extends Error {
  override readonly name = 'BodyRefusal';

  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A route's body reader: one media type, no compression, a byte limit that holds for the body
 * as it arrives, JSON nested at most `MAX_JSON_DEPTH` deep. Nothing is written to disk and
 * nothing else is parsed (no multipart). An empty body is taken with any content type, as
 * clients post empty bodies with none. The parsed body is in `req.body`.
 */
export function acceptBody(kind: BodyKind, maxBytes = DEFAULT_MAX_BODY_BYTES): RequestHandler {
  // Restify tells handlers by whether they are async: this one calls `next` instead.
  return (req: Request, res: Response, next: Next) => {
    readBody(req, kind, maxBytes).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => {
        const refusal = error instanceof BodyRefusal ? error : new BodyRefusal(400, 'The body could not be read.');
        refuse(req, res, kind, refusal);
        next(false);
      },
    );
  };
}

function refuse(req: Request, res: Response, kind: BodyKind, refusal: BodyRefusal): void {
  if (refusal.status === 413) res.header('Connection', 'close');
  if (refusal.status === 415) res.header('Accept', MEDIA_TYPES[kind]);
  if (kind === 'json') res.send(refusal.status, { error: refusal.message });
  else {
    res.header('Content-Type', 'text/plain; charset=utf-8');
    res.send(refusal.status, refusal.message);
  }
  // Whatever the client still sends is dropped, up to a point, then the connection goes.
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) req.destroy();
  });
  req.resume();
}

/** Reads and parses the body of a request; throws BodyRefusal for anything the route does not take. */
export async function readBody(req: IncomingMessage, kind: BodyKind, maxBytes: number): Promise<unknown> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '')
    throw new BodyRefusal(415, 'Compressed bodies are not accepted; send the body uncompressed.');
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) throw new BodyRefusal(413, `The body may be at most ${maxBytes} bytes.`);
  const raw = await readRaw(req, maxBytes);
  if (raw.length === 0) return undefined;
  const media = mediaType(req.headers['content-type']);
  if (media.type !== MEDIA_TYPES[kind] || (media.charset !== undefined && media.charset !== 'utf-8'))
    throw new BodyRefusal(415, `The body must be ${MEDIA_TYPES[kind]} in UTF-8.`);
  const text = decodeUtf8(raw);
  return kind === 'json' ? parseJson(text) : parseForm(text);
}

function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (action: () => void) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      action();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(() => reject(new BodyRefusal(413, `The body may be at most ${maxBytes} bytes.`)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onError = () => settle(() => reject(new BodyRefusal(400, 'The body could not be read.')));
    const onClose = () => {
      if (!req.complete) onError();
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function mediaType(header: string | undefined): { type: string; charset?: string } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  return { type: type.trim().toLowerCase(), ...(charset !== undefined ? { charset } : {}) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new BodyRefusal(400, 'The body is not valid UTF-8.');
  }
}

function parseJson(text: string): unknown {
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH)
    throw new BodyRefusal(400, `The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the body; the client gets none of it, and neither does the log.
    throw new BodyRefusal(400, 'The body is not valid JSON.');
  }
}

/** Form fields as strings; a field given twice is a list, which no page takes as a value. */
function parseForm(text: string): Record<string, string | string[]> {
  const { fields, complete } = fieldsOf(text);
  if (!complete) throw new BodyRefusal(400, 'The form has too many fields.');
  return fields;
}

/**
 * The query string as fields, parsed the same way as a form: flat, no prototype, malformed
 * percent-encodings kept as they are. Runs before routing, for every request.
 */
export function parseQuery(req: Request, _res: Response, next: Next): void {
  const at = req.url?.indexOf('?') ?? -1;
  req.query = fieldsOf(at >= 0 ? req.url!.slice(at + 1) : '').fields;
  next();
}

/** Up to MAX_FORM_FIELDS fields of a urlencoded text, in an object without prototype. */
function fieldsOf(text: string): { fields: Record<string, string | string[]>; complete: boolean } {
  const fields = Object.create(null) as Record<string, string | string[]>;
  // Most requests have no query at all: no parser to build for them.
  if (text === '') return { fields, complete: true };
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > MAX_FORM_FIELDS) return { fields, complete: false };
    const earlier = fields[name];
    fields[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return { fields, complete: true };
}
