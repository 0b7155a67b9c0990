import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { LIAM } from '../helpers/accounts.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { inTeams, TEAMS_BOT } from '../helpers/teams.js';
import { latestResetLink, useTestApp } from '../helpers/testApp.js';

const NEW_PASSWORD = 'ember-quiet-falcon-road';

/**
 * A stand-in for the Teams client around the dialog: it frames the page and answers teams-js at
 * the host-message boundary (postMessage), the way Teams does, and records what the page asks.
 */
function teamsHostPage(dialogUrl: string): string {
  const runtime = JSON.stringify({ apiVersion: 4, supports: { dialog: { url: {}, update: {} } } });
  return `<!doctype html><html lang="en"><head><title>Teams host stand-in</title></head><body>
<iframe id="dialog" title="dialog" src="${dialogUrl}" style="width:420px;height:520px;border:0"></iframe>
<script>
window.hostCalls = [];
window.addEventListener('message', (event) => {
  const message = event.data;
  if (!message || typeof message.func !== 'string') return;
  window.hostCalls.push({ func: message.func, args: message.args });
  if (message.func === 'initialize') {
    event.source.postMessage(
      { id: message.id, uuidAsString: message.uuidAsString, args: ['task', 'web', ${JSON.stringify(runtime)}, '2.0.0'] },
      event.origin,
    );
  }
});
</script></body></html>`;
}

describe('Teams dialog page in a browser (Chromium, teams-js host stubbed)', function () {
  this.timeout(60_000);
  let browser: Browser;

  before(async function () {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  const channel = useChannelStandIn();
  const app = useTestApp({ accounts: [LIAM] });

  /** A Teams chat brought to the password card, and the dialog URL the bot gives for it. */
  async function dialogUrl(locale: string): Promise<string> {
    const chat = app.test.conversation(undefined, locale, 'msteams');
    chat.serviceUrl = channel.serviceUrl;
    inTeams(chat);
    await chat.send('reset');
    await chat.send('email');
    await chat.send(LIAM.email);
    await chat.idle();
    await chat.send(await latestResetLink(app.test, LIAM.email));
    const response = await fetch(`${app.test.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'task/fetch',
        channelId: 'msteams',
        serviceUrl: channel.serviceUrl,
        conversation: { id: chat.conversationId, conversationType: 'personal' },
        from: chat.from,
        recipient: TEAMS_BOT,
        locale,
        value: { data: { msteams: { type: 'task/fetch' }, passwordPage: true } },
      }),
    });
    const url = new URL(((await response.json()) as { task: { value: { url: string } } }).task.value.url);
    // PUBLIC_BASE_URL names the public host; the test reaches the same server on its own port.
    return `${app.test.url}${url.pathname}${url.search}`;
  }

  async function openInHost(url: string, locale: string): Promise<Page> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const hostUrl = `${app.test.url}/__teams-host-stand-in`;
    await page.route(hostUrl, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: teamsHostPage(url) }),
    );
    await page.goto(hostUrl);
    return page;
  }

  for (const [locale, t] of [
    [
      'en-US',
      {
        heading: 'Choose a new password',
        label: 'New password',
        refused: 'not safe or too common',
        done: 'Your password has been changed',
        proactive: 'Your password has been changed',
      },
    ],
    [
      'nl-NL',
      {
        heading: 'Kies een nieuw wachtwoord',
        label: 'Nieuw wachtwoord',
        refused: 'niet veilig of te vaak gebruikt',
        done: 'Je wachtwoord is gewijzigd',
        proactive: 'Je wachtwoord is gewijzigd',
      },
    ],
  ] as const) {
    it(`renders, refuses a weak password, sets a good one and closes the dialog (${locale})`, async () => {
      const page = await openInHost(await dialogUrl(locale), locale);
      const dialog = page.frameLocator('#dialog');
      await dialog.getByRole('heading', { name: t.heading }).waitFor();
      expect(
        await page.evaluate(() => document.querySelector('iframe')!.contentDocument?.documentElement.lang),
      ).to.equal(locale.slice(0, 2));

      await dialog.getByLabel(t.label, { exact: true }).fill('Password2024!');
      await dialog.locator('#confirm').fill('Password2024!');
      await dialog.getByRole('button').click();
      await dialog.getByRole('alert').filter({ hasText: t.refused }).waitFor();

      await dialog.getByLabel(t.label, { exact: true }).fill(NEW_PASSWORD);
      await dialog.locator('#confirm').fill(NEW_PASSWORD);
      await dialog.getByRole('button').click();
      await dialog.getByRole('heading', { name: t.done }).waitFor();

      // The page told its host to close the dialog, the way teams-js does in Teams.
      await page.waitForFunction(() =>
        (window as unknown as { hostCalls: Array<{ func: string }> }).hostCalls.some(
          (c) => c.func === 'tasks.completeTask',
        ),
      );
      const calls = await page.evaluate(
        () => (window as unknown as { hostCalls: Array<{ func: string; args: unknown[] }> }).hostCalls,
      );
      expect(calls[0]!.func).to.equal('initialize');
      expect(calls.find((call) => call.func === 'tasks.completeTask')!.args[0]).to.deep.equal({ status: 'changed' });

      await channel.waitForMessage((activity) => (activity.text ?? '').includes(t.proactive));
      expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);
      await page.context().close();
    });
  }
});
