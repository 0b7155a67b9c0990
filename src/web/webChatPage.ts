import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Locale } from '../config.js';
import type { Texts } from '../i18n.js';
import { localeFromAcceptLanguage } from '../i18n.js';
import type { Logger } from '../security/logger.js';
import { escapeHtml } from './html.js';
import { bundledScript, sendScript } from './scripts.js';
import { projectPath } from '../paths.js';

/** The package's self-contained browser build, found from its entry point (its exports do not list it). */
const WEB_CHAT_BUNDLE = path.join(
  path.dirname(createRequire(import.meta.url).resolve('botframework-webchat')),
  '..',
  'dist',
  'webchat.js',
);
const PAGE_SCRIPT = projectPath('src/web/client/webChat.ts');

const STYLE = `
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f5f5f5;color:#1a1a1a}
header{padding:.75rem 1rem;background:#141414;color:#fff}
h1{margin:0;font-size:1.125rem}
main{flex:1;min-height:0;display:flex;justify-content:center}
#webchat{flex:1;max-width:48rem;min-height:0;background:#fff}
#status{padding:1rem}
.webchat__bubble--from-user a{color:#fff}
@media (prefers-color-scheme: dark){body{background:#0b0b0b;color:#f5f5f5}#webchat{background:#141414}}
`.trim();
const styleHash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
/** The page's own style, and the empty style element Web Chat creates before it fills it (with the nonce). */
const STYLE_HASHES = `${styleHash(STYLE)} ${styleHash('')}`;

export interface WebChatPageDeps {
  texts: Texts;
  logger: Logger;
  settings: { defaultLocale: Locale };
  /** The bot's public address: the stream URLs it hands out are on it, so the page may connect there. */
  publicBaseUrl: string;
}

/**
 * The chat on the service's site: `GET /` serves a page with the official Web Chat client
 * (served from the installed botframework-webchat package, no CDN) connected to the bot's own
 * Direct Line endpoint, in the visitor's language.
 */
export function registerWebChatPage(server: Server, deps: WebChatPageDeps): void {
  let bundle: Promise<string> | undefined;
  server.get('/webchat/webchat.js', async (_req: Request, res: Response) => {
    try {
      sendScript(res, await (bundle ??= readFile(WEB_CHAT_BUNDLE, 'utf8')), 86_400);
    } catch (error) {
      bundle = undefined;
      deps.logger.error('web chat bundle unreadable', { error });
      res.send(500, { error: 'The chat client is not available.' });
    }
  });
  server.get('/webchat/page.js', bundledScript(PAGE_SCRIPT, deps.logger));
  server.get('/', (req: Request, res: Response, next) => {
    const locale = localeFromAcceptLanguage(req.header('accept-language')) ?? deps.settings.defaultLocale;
    sendChatPage(res, locale, deps.texts, new URL(deps.publicBaseUrl).host);
    next();
  });
}

function sendChatPage(res: Response, locale: Locale, texts: Texts, publicHost: string): void {
  const t = (key: string) => escapeHtml(texts.t(locale, key));
  // Web Chat adds its styles at run time, with this nonce; nothing else inline may run or style.
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${t('webchat.title')}</title>
<style>${STYLE}</style>
<script src="/webchat/webchat.js" defer></script>
<script src="/webchat/page.js" defer></script>
</head>
<body>
<header><h1>${t('webchat.heading')}</h1></header>
<main>
<div id="webchat" role="region" aria-label="${t('webchat.heading')}" data-locale="${locale === 'nl' ? 'nl-NL' : 'en-US'}" data-nonce="${nonce}" data-brand="${t('webchat.brand')}" data-failed="${t('webchat.failed')}">
<p id="status" role="status">${t('webchat.loading')}</p>
<noscript><p>${t('webchat.noscript')}</p></noscript>
</div>
</main>
</body>
</html>
`;
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Content-Security-Policy':
      `default-src 'none'; script-src 'self'; style-src 'self' ${STYLE_HASHES} 'nonce-${nonce}'; ` +
      `connect-src 'self' ws://${publicHost} wss://${publicHost}; img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; ` +
      `base-uri 'none'; form-action 'self'; frame-ancestors 'self'`,
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}
