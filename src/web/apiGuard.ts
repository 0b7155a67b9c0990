import type { Request, Response } from 'restify';
import { bearerKeyMatches } from '../security/apiKeys.js';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';

export type ApiHandler = (req: Request, res: Response) => Promise<void>;

/**
 * Wraps a handler of the bot's JSON APIs: the per-address limit first (429 with Retry-After),
 * then, when a key is named, `Authorization: Bearer <key>` in constant time (401), no caching,
 * and any fault as a 500 without details.
 */
export function guardedApi(
  deps: { limits: RateLimits; logger: Logger },
  options: { name: string; requireKey?: { key: string | undefined; what: string } },
): (handler: ApiHandler) => ApiHandler {
  return (handler) => async (req, res) => {
    try {
      const decision = await deps.limits.webRequest(req.socket.remoteAddress ?? 'unknown');
      if (!decision.allowed) {
        res.header('Retry-After', String(Math.ceil(decision.retryAfterMs / 1000)));
        res.send(429, { error: 'Too many requests from this address; try again later.' });
        return;
      }
      if (options.requireKey && !bearerKeyMatches(req.header('authorization'), options.requireKey.key)) {
        res.header('WWW-Authenticate', 'Bearer');
        res.send(401, { error: `A valid ${options.requireKey.what} is required.` });
        return;
      }
      res.header('Cache-Control', 'no-store');
      await handler(req, res);
    } catch (error) {
      deps.logger.error(`${options.name} failed`, { error, path: req.path() });
      res.send(500, { error: 'The request could not be processed.' });
    }
  };
}
