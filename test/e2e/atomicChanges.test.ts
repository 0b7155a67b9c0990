import { expect } from 'chai';
import { LIAM } from '../helpers/accounts.js';
import { describeOncePerRun, freshBackend, queryDatabase, type TestBackend } from '../helpers/backend.js';
import { latestResetLink, startTestApp, type TestApp } from '../helpers/testApp.js';

describeOncePerRun('changes that belong together, on PostgreSQL', function () {
  this.timeout(30_000);
  let backend: TestBackend;
  let test: TestApp;

  beforeEach(async () => {
    backend = await freshBackend();
    test = await startTestApp({ env: backend.env });
    await test.app.accounts.importAccounts([LIAM]);
  });
  afterEach(async () => {
    await test.close();
    await backend.remove();
  });

  async function untilTheNewPassword(): Promise<ReturnType<TestApp['conversation']>> {
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('email');
    await chat.say(LIAM.email);
    expect(await chat.say(await latestResetLink(test, LIAM.email))).to.contain('new password');
    return chat;
  }

  it('stores a new password together with its notice: when the notice cannot be promised, nothing changed', async () => {
    const chat = await untilTheNewPassword();
    const url = backend.env.DATABASE_URL!;
    await queryDatabase(url, 'ALTER TABLE jobs RENAME TO jobs_away');
    try {
      await chat.say('ember-quiet-falcon-road');
      expect(await chat.say('ember-quiet-falcon-road')).to.contain('something went wrong');
    } finally {
      await queryDatabase(url, 'ALTER TABLE jobs_away RENAME TO jobs');
    }
    expect(await test.app.accounts.checkPassword(LIAM.email, 'ember-quiet-falcon-road')).to.equal(false);
    expect(await test.app.accounts.checkPassword(LIAM.email, LIAM.password!)).to.equal(true);
    const changed = await queryDatabase(url, "SELECT 1 FROM audit_events WHERE doc->>'event' = 'password.changed'");
    expect(changed).to.deep.equal([]);
  });

  it('stores the new password, the used link and the promised notice at once, and sends the notice', async () => {
    const chat = await untilTheNewPassword();
    await chat.say('ember-quiet-falcon-road');
    expect(await chat.say('ember-quiet-falcon-road')).to.contain('Your password has been changed');
    await test.app.idle();
    const kinds = await queryDatabase<{ kind: string; done: boolean }>(
      backend.env.DATABASE_URL!,
      'SELECT kind, done_at IS NOT NULL AS done FROM jobs ORDER BY id',
    );
    expect(kinds).to.deep.equal([
      { kind: 'reset.link-to-address', done: true },
      { kind: 'reset.password-changed-notice', done: true },
    ]);
    expect((await test.emails()).map((mail) => mail.subject)).to.deep.equal([
      'Reset your StreamFlix password',
      'Your StreamFlix password was changed',
    ]);
  });

  it('lets one link change the password once, when two instances take it at the same moment', async () => {
    const chat = test.conversation();
    await chat.say('reset');
    await chat.say('email');
    await chat.say(LIAM.email);
    const token = new URL(await latestResetLink(test, LIAM.email)).searchParams.get('token')!;
    // The second instance starts once the mail is out: started earlier, its task worker could take
    // the mail's job and send it into its own outbox, where this test does not look.
    const other = await startTestApp({ env: backend.env });
    try {
      const submit = (url: string, password: string) =>
        fetch(`${url}/reset`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, password, confirm: password }).toString(),
        }).then(async (response) => (await response.text()).includes('Your password has been changed'));
      const outcomes = await Promise.all([
        submit(test.url, 'ember-quiet-falcon-road'),
        submit(other.url, 'copper-tulip-granite-sky'),
      ]);
      expect(outcomes.filter(Boolean)).to.have.length(1);
      const changed = await queryDatabase(
        backend.env.DATABASE_URL!,
        "SELECT 1 FROM audit_events WHERE doc->>'event' = 'password.changed'",
      );
      expect(changed).to.have.length(1);
      const winner = outcomes[0] ? 'ember-quiet-falcon-road' : 'copper-tulip-granite-sky';
      expect(await test.app.accounts.checkPassword(LIAM.email, winner)).to.equal(true);
    } finally {
      await other.close();
    }
  });
});
