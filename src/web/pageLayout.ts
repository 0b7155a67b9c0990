import { createHash } from 'node:crypto';
import type { Response } from 'restify';
import type { Locale } from '../config.js';
import { escapeHtml } from './html.js';

const STYLE = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#141414;color:#f5f5f5}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#1f1f1f;border-radius:8px}
h1{font-size:1.5rem;margin-top:0}
p{line-height:1.5}
label{display:block;margin:1rem 0 .25rem}
input[type=password]{box-sizing:border-box;width:100%;padding:.75rem;font-size:1rem;border-radius:4px;border:1px solid #8c8c8c;background:#333;color:#fff}
button{margin-top:1.5rem;width:100%;padding:.8rem;font-size:1rem;border:0;border-radius:4px;background:#e50914;color:#fff;cursor:pointer}
.alert{padding:.75rem;border-radius:4px;background:#5c1a1a;border:1px solid #e87c03}
[hidden]{display:none}
`.trim();

/** The page's only style, allowed by hash so the policy needs no 'unsafe-inline'. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Where Microsoft Teams shows an app's dialog pages; only these may frame the Teams dialog page. */
const TEAMS_FRAME_ANCESTORS = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://*.microsoft365.com',
].join(' ');

/**
 * The Teams dialog page: framed by Teams, with its own bundled script, talking only to this
 * server (which also keeps teams-js from fetching anything from a CDN).
 */
export const TEAMS_PAGE_HEADERS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'X-Frame-Options')),
  'Content-Security-Policy':
    `default-src 'none'; style-src ${STYLE_HASH}; script-src 'self'; connect-src 'self'; ` +
    `form-action 'self'; base-uri 'none'; frame-ancestors ${TEAMS_FRAME_ANCESTORS}`,
  'Cross-Origin-Opener-Policy': 'unsafe-none',
};

/** A whole page; `body` must already be HTML-escaped where it holds text. */
export function renderPage(locale: Locale, title: string, body: string, options: { script?: string } = {}): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>${options.script ? `\n<script src="${escapeHtml(options.script)}" defer></script>` : ''}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function sendPage(
  res: Response,
  status: number,
  html: string,
  headers: Record<string, string> = SECURITY_HEADERS,
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
  });
  res.end(html);
}

/** The two new-password inputs and the submit button, shared by the reset page and the Teams dialog page. */
export function newPasswordFields(t: (key: string) => string, min: number): string {
  return `<label for="password">${escapeHtml(t('web.password'))}</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="${min}" required>
<label for="confirm">${escapeHtml(t('web.confirm'))}</label>
<input type="password" id="confirm" name="confirm" autocomplete="new-password" minlength="${min}" required>
<button type="submit">${escapeHtml(t('web.submit'))}</button>`;
}
