import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { useChannelStandIn } from '../helpers/channelStandIn.js';
import { inTeams, TEAMS_BOT } from '../helpers/teams.js';
import { latestResetLink, useTestApp, type ChatDriver } from '../helpers/testApp.js';

const NEW_PASSWORD = 'ember-quiet-falcon-road';

/** The Teams dialog page, through the real server: card → task/fetch → page → password → proactive reply. */
describe('Teams dialog page for the new password (end to end)', function () {
  this.timeout(30_000);
  const channel = useChannelStandIn();
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  function teamsChat(locale: string): ChatDriver {
    const chat = app.test.conversation(undefined, locale, 'msteams');
    chat.serviceUrl = channel.serviceUrl;
    return inTeams(chat);
  }

  /** Reset by email up to the password card, in a Teams personal chat. */
  async function atPasswordCard(chat: ChatDriver, email: string): Promise<Partial<Activity>[]> {
    await chat.send('reset');
    await chat.send('email');
    await chat.send(email);
    await chat.idle();
    return chat.send(await latestResetLink(app.test, email));
  }

  async function openDialog(chat: ChatDriver): Promise<{ task: { type: string; value: unknown } }> {
    const response = await fetch(`${chat.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name: 'task/fetch',
        id: `invoke-${Date.now()}`,
        channelId: 'msteams',
        serviceUrl: channel.serviceUrl,
        conversation: { id: chat.conversationId, conversationType: 'personal' },
        from: chat.from,
        recipient: TEAMS_BOT,
        locale: chat.locale,
        value: { data: { msteams: { type: 'task/fetch' }, passwordPage: true }, context: { theme: 'dark' } },
      }),
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as { task: { type: string; value: unknown } };
  }

  async function postPassword(token: string, password: string, confirm = password) {
    const response = await fetch(`${app.test.url}/teams/password`, {
      method: 'POST',
      // As the page's script posts it: the form's fields, with the answer asked for as JSON.
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ token, password, confirm }),
    });
    return { status: response.status, body: (await response.json()) as { status: string; message: string } };
  }

  for (const [locale, t] of [
    [
      'en-US',
      { button: 'Open in a separate window', refused: 'too short', proactive: 'Your password has been changed' },
    ],
    ['nl-NL', { button: 'Openen in een apart venster', refused: 'te kort', proactive: 'Je wachtwoord is gewijzigd' }],
  ] as const) {
    it(`sets the password on the page and continues the chat with a proactive message (${locale})`, async () => {
      const chat = teamsChat(locale);
      const card = await atPasswordCard(chat, LIAM.email);
      const actions = (card.at(-1)!.attachments![0]!.content as { actions: Array<Record<string, unknown>> }).actions;
      expect(actions[1]).to.deep.include({
        title: t.button,
        data: { msteams: { type: 'task/fetch' }, passwordPage: true },
      });

      const fetched = await openDialog(chat);
      expect(fetched.task.type).to.equal('continue');
      const url = new URL((fetched.task.value as { url: string }).url);
      expect(`${url.origin}${url.pathname}`).to.equal(`${app.test.config.publicBaseUrl}/teams/password`);
      const token = url.searchParams.get('token')!;

      const page = await fetch(`${app.test.url}/teams/password?token=${token}`);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-security-policy'))
        .to.contain('frame-ancestors')
        .and.contain('https://teams.microsoft.com');
      expect(page.headers.get('x-frame-options')).to.equal(null);
      const html = await page.text();
      expect(html).to.contain('<script src="/teams/password.js" defer></script>');
      expect(html).to.contain(locale === 'nl-NL' ? 'Kies een nieuw wachtwoord' : 'Choose a new password');

      const refused = await postPassword(token, 'short');
      expect(refused.status).to.equal(422);
      expect(refused.body.message).to.contain(t.refused);

      const done = await postPassword(token, NEW_PASSWORD);
      expect(done).to.deep.include({ status: 200 });
      expect(done.body.status).to.equal('changed');
      const proactive = await channel.waitForMessage((activity) => (activity.text ?? '').includes(t.proactive));
      expect(proactive.conversation?.id).to.equal(chat.conversationId);
      expect(await app.test.app.accounts.checkPassword(LIAM.email, NEW_PASSWORD)).to.equal(true);

      // The token worked once; the chat's step is over, so the next message starts afresh.
      expect((await postPassword(token, 'another-long-passphrase-here')).status).to.equal(410);
      expect(await chat.say('reset')).to.contain(locale === 'nl-NL' ? 'Hoe wil je' : 'How would you like');
    });
  }

  it('serves the bundled teams-js script from the bot itself', async () => {
    const response = await fetch(`${app.test.url}/teams/password.js`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.contain('javascript');
    const code = await response.text();
    expect(code).to.contain('tasks.completeTask');
    expect(code.length).to.be.greaterThan(10_000);
  });

  it('answers a dialog request with nothing to open by saying so, and refuses unknown tokens', async () => {
    const chat = teamsChat('en-US');
    const fetched = await openDialog(chat);
    expect(fetched.task).to.deep.equal({
      type: 'message',
      value: 'This window can no longer be opened: the step it belonged to has finished. Please go back to the chat.',
    });
    expect((await fetch(`${app.test.url}/teams/password?token=${'A'.repeat(43)}`)).status).to.equal(410);
    expect((await postPassword('not-a-token', NEW_PASSWORD)).status).to.equal(410);
    const asJson = await fetch(`${app.test.url}/teams/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"token": 5}',
    });
    expect(asJson.status, 'the page takes its form, nothing else').to.equal(415);
    const empty = await fetch(`${app.test.url}/teams/password`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ token: 'x' }),
    });
    expect(empty.status).to.equal(400);
  });

  it('ignores a client that sends the page-done event itself', async () => {
    const chat = teamsChat('en-US');
    await atPasswordCard(chat, LIAM.email);
    const replies = await chat.post({ type: 'event', name: 'passwordPage/completed', value: { requestId: 'any' } });
    expect(replies).to.deep.equal([]);
    expect(await app.test.app.accounts.checkPassword(LIAM.email, LIAM.password!)).to.equal(true);
    // Still at the password step.
    expect(await chat.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).to.contain(
      'Your password has been changed',
    );
  });

  it('closes the page once the password was set on the card instead', async () => {
    const chat = teamsChat('en-US');
    await atPasswordCard(chat, LIAM.email);
    const token = new URL(((await openDialog(chat)).task.value as { url: string }).url).searchParams.get('token')!;
    expect(await chat.say({ value: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } })).to.contain(
      'Your password has been changed',
    );
    expect((await fetch(`${app.test.url}/teams/password?token=${token}`)).status).to.equal(410);
  });
});
