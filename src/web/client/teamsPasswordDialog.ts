/// <reference lib="dom" />
/**
 * The script of the Teams dialog page (bundled by esbuild, served by the bot, no CDN). The form
 * works without it; with it the password goes to the bot's server with the page's one-time
 * token, the page says how it went, and in Teams the dialog closes once the password is set.
 */
import { app, dialog } from '@microsoft/teams-js';

const TEAMS_INIT_TIMEOUT_MS = 5000;

interface SubmitAnswer {
  status: 'changed' | 'refused' | 'closed' | 'error';
  heading?: string;
  message: string;
}

/** Resolves true inside a Teams host; false anywhere else, without waiting forever. */
function initializeTeams(): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), TEAMS_INIT_TIMEOUT_MS));
  const init = app.initialize().then(
    () => true,
    () => false,
  );
  return Promise.race([init, timeout]);
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>('form[data-teams-password]');
  const status = document.getElementById('status');
  const alert = document.getElementById('alert');
  const heading = document.querySelector('h1');
  if (!form || !status || !alert || !heading) return;
  const inTeams = initializeTeams();
  const button = form.querySelector('button');

  const show = (element: HTMLElement, text: string) => {
    element.textContent = text;
    element.hidden = false;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    alert.hidden = true;
    show(status, form.dataset.working ?? '');
    if (button) button.disabled = true;
    void fetch(form.action, {
      method: 'POST',
      // The same form fields a browser without JavaScript posts; the answer comes as JSON.
      headers: { accept: 'application/json' },
      body: new URLSearchParams(data as unknown as Record<string, string>),
    })
      .then((response) => response.json() as Promise<SubmitAnswer>)
      .catch((): SubmitAnswer => ({ status: 'error', message: form.dataset.failed ?? '' }))
      .then(async (answer) => {
        if (button) button.disabled = false;
        status.hidden = true;
        form.querySelectorAll<HTMLInputElement>('input[type=password]').forEach((input) => (input.value = ''));
        if (answer.status !== 'changed' && answer.status !== 'closed') {
          show(alert, answer.message);
          form.querySelector<HTMLInputElement>('input[type=password]')?.focus();
          return;
        }
        form.hidden = true;
        if (answer.heading) heading.textContent = answer.heading;
        show(status, answer.message);
        document.body.dataset.outcome = answer.status;
        if (answer.status === 'changed' && (await inTeams) && dialog.url.isSupported())
          dialog.url.submit({ status: 'changed' });
      });
  });
}

start();
