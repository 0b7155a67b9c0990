import type { Request, Response } from 'restify';
import { bearerKeyMatches } from '../security/apiKeys.js';
import { clientAddressOf } from '../security/clientAddress.js';
import type { Logger } from '../security/logger.js';
import type { KeyedFamily, LimitDecision, RateLimits, RouteFamily } from '../security/rateLimits.js';

export type ApiHandler = (req: Request, res: Response) => Promise<void>;

/** How a page or API words its refusals: a page, or JSON. */
export interface Refusals {
  /** The route family whose per-address limit counts the request. */
  family: RouteFamily;
  name: string;
  refuse(status: 429 | 500, retryAfterMs: number): void;
}

/**
 * The rule every page and API of the bot's own follows: the per-address limit of its route
 * family first, with Retry-After, and any fault logged by its class and answered without details.
 */
export async function withClientLimit(
  deps: { limits: RateLimits; logger: Logger },
  req: Request,
  res: Response,
  handling: Refusals,
  action: () => Promise<void>,
): Promise<void> {
  await guarded(deps, req, res, handling, () => deps.limits.webRequest(handling.family, clientAddressOf(req)), action);
}

/** Takes one point of `limit`, then runs `action`; a fault is logged and answered without details. */
async function guarded(
  deps: { logger: Logger },
  req: Request,
  res: Response,
  handling: Refusals,
  limit: () => Promise<LimitDecision>,
  action: () => Promise<void>,
): Promise<void> {
  try {
    const decision = await limit();
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
 * Wraps a handler of the bot's JSON APIs, answered with no caching. Anonymous APIs count
 * against their family's per-address limit. APIs that need a key check
 * `Authorization: Bearer <key>` in constant time first: the right key is limited per key,
 * never by the address its holder shares with anonymous visitors; a wrong one counts against
 * the address (so keys cannot be guessed) and gets a 401.
 */
export function guardedApi(
  deps: { limits: RateLimits; logger: Logger },
  options: { name: string; family: RouteFamily } | { name: string; family: KeyedFamily; requireKey: ApiKey },
): (handler: ApiHandler) => ApiHandler {
  const handling = (res: Response): Refusals => ({
    family: options.family,
    name: options.name,
    refuse: (status) =>
      res.send(status, {
        error: status === 429 ? 'Too many requests; try again later.' : 'The request could not be processed.',
      }),
  });
  // Restify tells handlers by whether they are async functions: this one must be.
  return (handler) => async (req, res) => {
    res.header('Cache-Control', 'no-store');
    const keyed = 'requireKey' in options ? options : undefined;
    if (keyed && bearerKeyMatches(req.header('authorization'), keyed.requireKey.key)) {
      await guarded(
        deps,
        req,
        res,
        handling(res),
        () => deps.limits.keyedRequest(keyed.family),
        () => handler(req, res),
      );
      return;
    }
    await withClientLimit(deps, req, res, handling(res), async () => {
      if (keyed) {
        res.header('WWW-Authenticate', 'Bearer');
        res.send(401, { error: `A valid ${keyed.requireKey.what} is required.` });
        return;
      }
      await handler(req, res);
    });
  };
}

export interface ApiKey {
  key: string | undefined;
  what: string;
}
