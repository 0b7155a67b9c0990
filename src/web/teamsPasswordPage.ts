import type { Request, Response, Server } from 'restify';
import type { Locale } from '../config.js';
import type { Texts, TextVariables } from '../i18n.js';
import type { PasswordPageOffer, PasswordPageService } from '../recovery/passwordPages.js';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';
import type { BackgroundTasks } from '../tasks.js';
import { withClientLimit } from './apiGuard.js';
import { acceptBody } from './requestBody.js';
import { escapeHtml } from './html.js';
import { newPasswordFields, renderPage, sendPage, TEAMS_PAGE_HEADERS } from './pageLayout.js';
import { stringField } from './requestFields.js';
import { bundledScript } from './scripts.js';
import { projectPath } from '../paths.js';

export const TEAMS_PASSWORD_PATH = '/teams/password';
const SCRIPT_PATH = '/teams/password.js';
const SCRIPT_SOURCE = projectPath('src/web/client/teamsPasswordDialog.ts');

export interface TeamsPasswordPageDeps {
  pages: PasswordPageService;
  limits: RateLimits;
  texts: Texts;
  logger: Logger;
  tasks: BackgroundTasks;
  settings: { defaultLocale: Locale; passwordMinLength: number };
  /** Tells the conversation that offered the page that the password was set (a proactive message). */
  onPasswordSet(offer: PasswordPageOffer): Promise<void>;
}

type Answer = { status: 'changed' | 'refused' | 'closed' | 'error'; heading?: string; message: string };

/**
 * The new-password page inside a Teams dialog: opened from the password card with a one-time
 * token, it posts the password straight to this server (never through the chat), then the
 * conversation continues with a proactive message. It works as a plain form too.
 */
export function registerTeamsPasswordPage(server: Server, deps: TeamsPasswordPageDeps): void {
  server.get(SCRIPT_PATH, bundledScript(SCRIPT_SOURCE, deps.logger));

  const page = new TeamsPasswordPages(deps);
  server.get(TEAMS_PASSWORD_PATH, async (req: Request, res: Response) =>
    page.handle(req, res, () => page.show(req, res)),
  );
  server.post(TEAMS_PASSWORD_PATH, acceptBody('form'), async (req: Request, res: Response) =>
    page.handle(req, res, () => page.submit(req, res)),
  );
}

class TeamsPasswordPages {
  constructor(private readonly deps: TeamsPasswordPageDeps) {}

  /** Limits by client address, and turns any fault into a calm answer without details. */
  async handle(req: Request, res: Response, action: () => Promise<void>): Promise<void> {
    const locale = this.deps.settings.defaultLocale;
    const t = this.t(locale);
    await withClientLimit(
      this.deps,
      req,
      res,
      {
        name: 'teams password page',
        family: 'pages',
        refuse: (status, retryAfterMs) =>
          this.answer(req, res, status, locale, {
            status: 'error',
            heading: t(status === 429 ? 'web.rateLimitedHeading' : 'web.errorHeading'),
            message:
              status === 429
                ? t('web.rateLimitedBody', { wait: this.deps.texts.formatDuration(locale, retryAfterMs) })
                : t('web.errorBody'),
          }),
      },
      action,
    );
  }

  async show(req: Request, res: Response): Promise<void> {
    const token = stringField(req.query, 'token');
    const offer = token === undefined ? undefined : await this.deps.pages.check(token);
    if (!offer) return this.closed(req, res, this.deps.settings.defaultLocale);
    this.form(res, 200, offer.locale, token!);
  }

  async submit(req: Request, res: Response): Promise<void> {
    const body: unknown = req.body;
    const token = stringField(body, 'token');
    const password = stringField(body, 'password');
    const confirm = stringField(body, 'confirm');
    const locale = this.deps.settings.defaultLocale;
    if (token === undefined || password === undefined || confirm === undefined || password === '' || confirm === '') {
      const t = this.t(locale);
      return this.answer(req, res, 400, locale, {
        status: 'error',
        heading: t('web.badRequestHeading'),
        message: t('password.cardIncomplete'),
      });
    }
    const outcome = await this.deps.pages.submit(token, password, confirm);
    switch (outcome.kind) {
      case 'changed': {
        const { offer } = outcome;
        this.deps.tasks.run('tell the chat the password was set', () => this.deps.onPasswordSet(offer));
        const t = this.t(offer.locale);
        return this.answer(req, res, 200, offer.locale, {
          status: 'changed',
          heading: t('web.changedHeading'),
          message: `${t('web.changedBody')} ${t('teamsPage.doneBody')}`,
        });
      }
      case 'refused': {
        const { reason, ...values } = outcome.refusal;
        const message = this.deps.texts.t(outcome.locale, `password.refused.${reason}`, values);
        if (wantsJson(req)) return this.answer(req, res, 422, outcome.locale, { status: 'refused', message });
        return this.form(res, 422, outcome.locale, token, message);
      }
      case 'invalid':
      case 'linkProblem':
        return this.closed(req, res, 'locale' in outcome ? outcome.locale : locale);
    }
  }

  private form(res: Response, status: number, locale: Locale, token: string, alertText?: string): void {
    const t = this.t(locale);
    const min = this.deps.settings.passwordMinLength;
    const alert = `<p class="alert" id="alert" role="alert"${alertText ? '' : ' hidden'}>${escapeHtml(alertText ?? '')}</p>`;
    const body = `<h1>${escapeHtml(t('web.heading'))}</h1>
${alert}
<p id="status" role="status" aria-live="polite" hidden></p>
<form method="post" action="${TEAMS_PASSWORD_PATH}" data-teams-password data-working="${escapeHtml(t('teamsPage.working'))}" data-failed="${escapeHtml(t('teamsPage.failed'))}">
<p>${escapeHtml(t('web.intro', { min }))}</p>
<input type="hidden" name="token" value="${escapeHtml(token)}">
${newPasswordFields(t, min)}
</form>`;
    sendPage(res, status, renderPage(locale, t('web.title'), body, { script: SCRIPT_PATH }), TEAMS_PAGE_HEADERS);
  }

  private closed(req: Request, res: Response, locale: Locale): void {
    const t = this.t(locale);
    this.answer(req, res, 410, locale, {
      status: 'closed',
      heading: t('teamsPage.closedHeading'),
      message: t('teamsPage.closedBody'),
    });
  }

  /** JSON for the page's script, a whole page for a plain form post or a browser. */
  private answer(req: Request, res: Response, status: number, locale: Locale, answer: Answer): void {
    if (wantsJson(req)) {
      res.header('Cache-Control', 'no-store');
      res.send(status, answer);
      return;
    }
    const body = `<h1>${escapeHtml(answer.heading ?? '')}</h1>\n<p>${escapeHtml(answer.message)}</p>`;
    sendPage(res, status, renderPage(locale, this.t(locale)('web.title'), body), TEAMS_PAGE_HEADERS);
  }

  private t(locale: Locale) {
    return (key: string, variables?: TextVariables) => this.deps.texts.t(locale, key, variables);
  }
}

function wantsJson(req: Request): boolean {
  return (req.header('accept') ?? '').includes('application/json');
}
