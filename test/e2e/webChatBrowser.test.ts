import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { LIAM } from '../helpers/accounts.js';
import { latestResetLink, useTestApp } from '../helpers/testApp.js';

const ARTIFACTS = path.resolve('test-artifacts');
const NEW_PASSWORD = 'ember-quiet-falcon-road';
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The chat page in Debian's Chromium: the official Web Chat on the bot's own Direct Line endpoint. */
describe('web chat page in a browser (Chromium)', function () {
  this.timeout(90_000);
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(() => browser?.close());
  const app = useTestApp({ accounts: [LIAM] });

  /** The page on a phone-sized screen, recording any error the page reports. */
  async function openChat(
    locale: string,
  ): Promise<{ page: Page; errors: string[]; polls: string[]; streams: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 390, height: 780 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const polls: string[] = [];
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && request.url().includes('/activities')) polls.push(request.url());
    });
    page.on('websocket', (socket) => streams.push(socket.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${app.test.url}/`);
    return { page, errors, polls, streams };
  }

  /** A button of the suggested actions under the last message. */
  const suggested = (page: Page, name: string) => page.getByRole('toolbar').getByRole('button', { name, exact: true });
  const sendBox = (page: Page) => page.getByRole('textbox').last();
  async function type(page: Page, text: string): Promise<void> {
    await sendBox(page).fill(text);
    await sendBox(page).press('Enter');
  }

  for (const [locale, t] of [
    [
      'en-US',
      {
        title: 'StreamFlix password help',
        greeting: 'I can help you get back into your account',
        reset: 'Reset my password',
        email: 'By email',
        sent: 'an email is on its way',
        password: 'New password',
        again: 'Type it again',
        submit: 'Set password',
        changed: 'Your password has been changed',
      },
    ],
    [
      'nl-NL',
      {
        title: 'Wachtwoordhulp van StreamFlix',
        greeting: 'Ik ben de wachtwoordhulp van StreamFlix',
        reset: 'Mijn wachtwoord herstellen',
        email: 'Via e-mail',
        sent: 'onderweg',
        password: 'Nieuw wachtwoord',
        again: 'Nog een keer',
        submit: 'Wachtwoord instellen',
        changed: 'Je wachtwoord is gewijzigd',
      },
    ],
  ] as const) {
    it(`completes a reset by email in the page: buttons, typed address, pasted link, password card (${locale})`, async () => {
      const { page, errors, polls, streams } = await openChat(locale);
      expect(await page.title()).to.equal(t.title);
      await page.getByText(t.greeting).first().waitFor();
      await suggested(page, t.reset).click();
      await suggested(page, t.email).click();
      await type(page, LIAM.email);
      await page.getByText(t.sent).first().waitFor();
      await app.test.app.idle();
      await type(page, await latestResetLink(app.test, LIAM.email));

      await page.getByLabel(t.password).last().fill(NEW_PASSWORD);
      await page.getByLabel(t.again).last().fill(NEW_PASSWORD);
      await page.getByRole('button', { name: t.submit, exact: true }).last().click();
      await page.getByText(t.changed).first().waitFor();
      expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);
      // The password never shows in the transcript.
      expect(await page.locator('body').innerText()).to.not.contain(NEW_PASSWORD);
      await page.screenshot({ path: path.join(ARTIFACTS, `webchat-${locale}.png`) });
      expect(errors, errors.join('\n')).to.deep.equal([]);
      // Everything arrived on the WebSocket stream of the bot's own Direct Line, none by polling,
      // on the bot's public address (never one taken from the request).
      expect(streams).to.have.length(1);
      const publicStreams = `${app.test.config.publicBaseUrl.replace(/^http/, 'ws')}/v3/directline/conversations/`;
      expect(streams[0]!.startsWith(publicStreams), streams[0]).to.equal(true);
      expect(streams[0]).to.match(/\/conversations\/wc-[\w-]+\/stream\?t=/);
      expect(polls).to.deep.equal([]);
      await page.context().close();
    });
  }

  it('passes an axe-core accessibility check with no serious or critical violations', async () => {
    const { page } = await openChat('en-US');
    await suggested(page, 'Reset my password').waitFor();
    await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
    const result = await page.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string }> }> } }
      ).axe;
      return (await axe.run()).violations.map(({ id, impact }) => ({ id, impact }));
    });
    const serious = result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious, JSON.stringify(result)).to.deep.equal([]);
    await page.context().close();
  });
});
