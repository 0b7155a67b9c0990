import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_URL_LENGTH = 4096;

/**
 * The request target as the bot takes it: a path from the root (not `//host`, `*` or an
 * absolute URL), within a sane length, whose path's percent-encodings all decode. Anything else
 * is malformed, and no route ever sees it. The query is left to the route: it is parsed the
 * forgiving way browsers do (a bad escape stays as it is), so that a link mangled on its way
 * through a mail client gets the page that says the link does not work.
 */
export function isWellFormedTarget(url: string | undefined): url is string {
  if (url === undefined || url.length > MAX_URL_LENGTH || !url.startsWith('/') || url.startsWith('//')) return false;
  const query = url.indexOf('?');
  try {
    decodeURIComponent(query < 0 ? url : url.slice(0, query));
    return true;
  } catch {
    return false;
  }
}

/** Before routing: a malformed request target gets a 400 and the connection is closed. */
export function refuseMalformedTarget(req: IncomingMessage, res: ServerResponse, next: (go?: false) => void): void {
  if (isWellFormedTarget(req.url)) {
    next();
    return;
  }
  res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: 'The request URL is malformed.' }));
  next(false);
}
