import type { Request, Response, Server } from 'restify';
import type { Locale } from '../config.js';
import type { Texts, TextVariables } from '../i18n.js';
import { localeFromAcceptLanguage } from '../i18n.js';
import type { PasswordRefusal } from '../recovery/passwordPolicy.js';
import type { LinkProblem, ResetService } from '../recovery/resetService.js';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';
import { withClientLimit } from './apiGuard.js';
import { escapeHtml } from './html.js';
import { newPasswordFields, renderPage, sendPage } from './pageLayout.js';
import { acceptBody } from './requestBody.js';
import { formBody, stringField } from './requestFields.js';

export interface ResetPageDeps {
  reset: ResetService;
  limits: RateLimits;
  texts: Texts;
  logger: Logger;
  settings: { defaultLocale: Locale; passwordMinLength: number; resetLinkTtlMs: number };
}

const PROBLEM_STATUS: Record<LinkProblem, number> = { expired: 410, used: 410, invalid: 404 };

/**
 * The email reset's web page: a plain HTML form (no JavaScript) that sets the password through the same
 * domain functions as the chat, in the language the browser asks for.
 */
export function registerResetPage(server: Server, deps: ResetPageDeps): void {
  const page = new ResetPages(deps);
  server.get('/reset', async (req: Request, res: Response) => page.handle(req, res, () => page.show(req, res)));
  server.post('/reset', acceptBody('form'), async (req: Request, res: Response) =>
    page.handle(req, res, () => page.submit(req, res)),
  );
  server.post('/reset/renew', acceptBody('form'), async (req: Request, res: Response) =>
    page.handle(req, res, () => page.renew(req, res)),
  );
}

class ResetPages {
  constructor(private readonly deps: ResetPageDeps) {}

  /** Limits by client address, and turns any fault into a calm page without details. */
  async handle(req: Request, res: Response, action: () => Promise<void>): Promise<void> {
    const locale = this.localeOf(req);
    await withClientLimit(
      this.deps,
      req,
      res,
      {
        name: 'reset page',
        family: 'pages',
        refuse: (status, retryAfterMs) =>
          status === 429
            ? this.message(res, 429, locale, 'rateLimited', {
                wait: this.deps.texts.formatDuration(locale, retryAfterMs),
              })
            : this.message(res, 500, locale, 'error'),
      },
      action,
    );
  }

  async show(req: Request, res: Response): Promise<void> {
    const token = stringField(req.query, 'token');
    const check = token === undefined ? ({ kind: 'invalid' } as const) : await this.deps.reset.checkLink(token);
    // The browser's language, else the account's when the link names one.
    const locale = this.localeOf(req, check.kind === 'invalid' ? undefined : check.locale);
    if (check.kind === 'valid') return this.form(res, 200, locale, token!);
    this.problem(res, locale, check.kind, token);
  }

  async submit(req: Request, res: Response): Promise<void> {
    const body = formBody(req.body);
    const token = stringField(body, 'token');
    const password = stringField(body, 'password');
    const confirm = stringField(body, 'confirm');
    const locale = this.localeOf(req);
    if (token === undefined || password === undefined || confirm === undefined)
      return this.message(res, 400, locale, 'badRequest');

    const check = await this.deps.reset.checkLink(token);
    if (check.kind !== 'valid') return this.problem(res, locale, check.kind, token);
    // Without a language from the browser, the account's.
    const reader = this.localeOf(req, check.locale);
    const outcome = await this.deps.reset.setPassword(check.grant, password, confirm, { via: 'web', locale: reader });
    switch (outcome.kind) {
      case 'changed':
        return this.message(res, 200, reader, 'changed');
      case 'refused':
        return this.form(res, 422, reader, token, outcome.refusal);
      case 'linkProblem':
        return this.problem(res, reader, outcome.problem, token);
    }
  }

  async renew(req: Request, res: Response): Promise<void> {
    const token = stringField(formBody(req.body), 'token');
    const locale = this.localeOf(req);
    if (token === undefined) return this.message(res, 400, locale, 'badRequest');
    const check = await this.deps.reset.checkLink(token);
    if (check.kind !== 'invalid') {
      const outcome = await this.deps.reset.renewLink(check.grant, { via: 'web', locale: check.locale ?? locale });
      if (outcome.kind === 'rateLimited') {
        const wait = this.deps.texts.formatDuration(locale, outcome.retryAfterMs);
        return this.message(res, 429, locale, 'rateLimited', { wait });
      }
    }
    // The same page whether or not the link named an account.
    this.message(res, 200, locale, 'renewed');
  }

  private form(res: Response, status: number, locale: Locale, token: string, refusal?: PasswordRefusal): void {
    const t = this.t(locale);
    const min = this.deps.settings.passwordMinLength;
    const alert = refusal ? `<p class="alert" role="alert">${escapeHtml(this.refusalText(locale, refusal))}</p>\n` : '';
    const body = `<h1>${escapeHtml(t('web.heading'))}</h1>
${alert}<p>${escapeHtml(t('web.intro', { min }))}</p>
<form method="post" action="/reset">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${newPasswordFields(t, min)}
</form>`;
    sendPage(res, status, renderPage(locale, t('web.title'), body));
  }

  private problem(res: Response, locale: Locale, problem: LinkProblem, token: string | undefined): void {
    const t = this.t(locale);
    const ttl = this.deps.texts.formatDuration(locale, this.deps.settings.resetLinkTtlMs);
    const renew =
      problem !== 'invalid' && token !== undefined
        ? `\n<form method="post" action="/reset/renew">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">${escapeHtml(t('web.renew'))}</button>
</form>`
        : '';
    const body = `<h1>${escapeHtml(t(`web.${problem}Heading`))}</h1>
<p>${escapeHtml(t(`web.${problem}Body`, { ttl }))}</p>${renew}`;
    sendPage(res, PROBLEM_STATUS[problem], renderPage(locale, t('web.title'), body));
  }

  private message(res: Response, status: number, locale: Locale, name: string, variables: TextVariables = {}): void {
    const t = this.t(locale);
    const body = `<h1>${escapeHtml(t(`web.${name}Heading`))}</h1>
<p>${escapeHtml(t(`web.${name}Body`, variables))}</p>`;
    sendPage(res, status, renderPage(locale, t('web.title'), body));
  }

  private refusalText(locale: Locale, refusal: PasswordRefusal): string {
    const { reason, ...values } = refusal;
    return this.deps.texts.t(locale, `password.refused.${reason}`, values);
  }

  private localeOf(req: Request, fallback?: Locale): Locale {
    return localeFromAcceptLanguage(req.header('accept-language')) ?? fallback ?? this.deps.settings.defaultLocale;
  }

  private t(locale: Locale) {
    return (key: string, variables?: TextVariables) => this.deps.texts.t(locale, key, variables);
  }
}
