import { build } from 'esbuild';
import type { Request, Response } from 'restify';
import type { Logger } from '../security/logger.js';

/** Sends JavaScript with the headers every script of the bot's pages gets. */
export function sendScript(res: Response, code: string, maxAgeSeconds = 3600): void {
  res.writeHead(200, {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Length': Buffer.byteLength(code),
    'Cache-Control': `public, max-age=${maxAgeSeconds}`,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(code);
}

/**
 * A route handler serving one of the pages' own scripts, bundled by esbuild from its TypeScript
 * source on first use and kept in memory (no CDN, no build step before `npm start`).
 */
export function bundledScript(entryFile: string, logger: Logger): (req: Request, res: Response) => Promise<void> {
  let code: Promise<string> | undefined;
  const bundle = () =>
    (code ??= build({
      entryPoints: [entryFile],
      bundle: true,
      write: false,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      legalComments: 'none',
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0]!.text));
  return async (_req, res) => {
    try {
      sendScript(res, await bundle());
    } catch (error) {
      code = undefined;
      logger.error('page script could not be built', { error, entryFile });
      res.send(500, { error: 'The script is not available.' });
    }
  };
}
