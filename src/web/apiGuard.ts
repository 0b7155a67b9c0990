import type { Request, Response } from 'restify';
import { bearerKeyMatches } from '../security/apiKeys.js';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';

export type ApiHandler = (req: Request, res: Response) => Promise<void>;

/**
 * The rule every page and API of the bot's own follows: the per-address limit first (SPEC §4),
 * with Retry-After, and any fault logged and answered without details. `refuse` words the 429
 * (with the wait) or the 500 the way the caller answers: a page, or JSON.
 */
export async function withClientLimit(
  deps: { limits: RateLimits; logger: Logger },
  req: Request,
  res: Response,
  handling: { name: string; refuse(status: 429 | 500, retryAfterMs: number): void },
  action: () => Promise<void>,
): Promise<void> {
  try {
    const decision = await deps.limits.webRequest(req.socket.remoteAddress ?? 'unknown');
    if (!decision.allowed) {
      res.header('Retry-After', String(Math.ceil(decision.retryAfterMs / 1000)));
      handling.refuse(429, decision.retryAfterMs);
      return;
    }
    await action();
  } catch (error) {
    deps.logger.error(`${handling.name} failed`, { error, path: req.path() });
    handling.refuse(500, 0);
  }
}

/**
 * Wraps a handler of the bot's JSON APIs: the per-address limit, then, when a key is named,
 * `Authorization: Bearer <key>` in constant time (401), and no caching.
 */
export function guardedApi(
  deps: { limits: RateLimits; logger: Logger },
  options: { name: string; requireKey?: { key: string | undefined; what: string } },
): (handler: ApiHandler) => ApiHandler {
  const refuse = (res: Response) => (status: 429 | 500) =>
    res.send(status, {
      error:
        status === 429
          ? 'Too many requests from this address; try again later.'
          : 'The request could not be processed.',
    });
  // Restify tells handlers by whether they are async functions: this one must be.
  return (handler) => async (req, res) =>
    withClientLimit(deps, req, res, { name: options.name, refuse: refuse(res) }, async () => {
      if (options.requireKey && !bearerKeyMatches(req.header('authorization'), options.requireKey.key)) {
        res.header('WWW-Authenticate', 'Bearer');
        res.send(401, { error: `A valid ${options.requireKey.what} is required.` });
        return;
      }
      res.header('Cache-Control', 'no-store');
      await handler(req, res);
    });
}
