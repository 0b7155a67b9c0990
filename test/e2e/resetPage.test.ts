import { expect } from 'chai';
import { EMMA, LIAM } from '../helpers/accounts.js';
import { latestResetLink, useTestApp, type TestApp } from '../helpers/testApp.js';

async function requestLink(test: TestApp, email: string, locale = 'en-US'): Promise<string> {
  const chat = test.conversation(undefined, locale);
  await chat.say('reset');
  await chat.say('email');
  await chat.say(email);
  return latestResetLink(test, email);
}

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  };
}

/** What a person reads on the page: tags dropped, entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token')!;
}

describe('reset page, as a plain HTML form', () => {
  const app = useTestApp({ accounts: [EMMA, LIAM] });

  it('serves a form with two password fields and strict security headers', async () => {
    const link = await requestLink(app.test, LIAM.email);
    const response = await fetch(link.replace(app.test.config.publicBaseUrl, app.test.url));
    const html = await response.text();
    expect(response.status).to.equal(200);
    expect(html).to.contain('<form method="post" action="/reset">');
    expect(html.match(/type="password"/g)).to.have.length(2);
    expect(html).not.to.contain('<script');
    expect(response.headers.get('content-security-policy'))
      .to.match(/default-src 'none'/)
      .and.match(/form-action 'self'/);
    expect(response.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(response.headers.get('cache-control')).to.equal('no-store');
    expect(response.headers.get('x-frame-options')).to.equal('DENY');
  });

  it('speaks the language the browser asks for', async () => {
    const link = await requestLink(app.test, LIAM.email);
    const response = await fetch(`${app.test.url}/reset?token=${tokenOf(link)}`, {
      headers: { 'accept-language': 'nl-BE,nl;q=0.9,en;q=0.5' },
    });
    const html = await response.text();
    expect(html).to.contain('<html lang="nl">');
    expect(html).to.contain('Kies een nieuw wachtwoord');
    const token = tokenOf(link);
    const dutch = { headers: { 'accept-language': 'nl-NL' } };
    const refused = await fetch(`${app.test.url}/reset`, {
      ...form({ token, password: 'wachtwoord1', confirm: 'wachtwoord1' }),
      headers: { ...form({}).headers, ...dutch.headers },
    });
    expect(textOf(await refused.text())).to.contain('niet veilig of te vaak gebruikt');
    const done = await fetch(`${app.test.url}/reset`, {
      ...form({ token, password: 'wolk-lepel-paard-zon', confirm: 'wolk-lepel-paard-zon' }),
      headers: { ...form({}).headers, ...dutch.headers },
    });
    expect(textOf(await done.text())).to.contain('Je wachtwoord is gewijzigd');
  });

  it('sets the password from the form, once, and then calls the link used', async () => {
    const token = tokenOf(await requestLink(app.test, EMMA.email));
    // Without a language from the browser the page speaks the account's (Emma's is Dutch).
    const refused = await fetch(
      `${app.test.url}/reset`,
      form({ token, password: 'Welkom2024!', confirm: 'Welkom2024!' }),
    );
    expect(refused.status).to.equal(422);
    expect(await refused.text()).to.contain('niet veilig of te vaak gebruikt');
    const english = (fields: Record<string, string>): RequestInit => {
      const init = form(fields);
      return { ...init, headers: { ...(init.headers as Record<string, string>), 'accept-language': 'en-GB' } };
    };

    const mismatch = await fetch(
      `${app.test.url}/reset`,
      english({ token, password: 'velvet-anchor-mosaic', confirm: 'velvet-anchor-mosaik' }),
    );
    expect(await mismatch.text()).to.contain('The two passwords are not the same');

    const done = await fetch(
      `${app.test.url}/reset`,
      english({ token, password: 'velvet-anchor-mosaic', confirm: 'velvet-anchor-mosaic' }),
    );
    expect(done.status).to.equal(200);
    expect(await done.text()).to.contain('Your password has been changed');
    expect(await app.test.app.accounts.checkPassword(EMMA.email, 'velvet-anchor-mosaic')).to.equal(true);

    const again = await fetch(`${app.test.url}/reset?token=${token}`, { headers: { 'accept-language': 'en' } });
    expect(again.status).to.equal(410);
    expect(await again.text())
      .to.contain('This link has already been used')
      .and.contain('Email me a new link');
    const replay = await fetch(
      `${app.test.url}/reset`,
      form({ token, password: 'other-valid-passphrase-here', confirm: 'other-valid-passphrase-here' }),
    );
    expect(replay.status).to.equal(410);
    expect(await app.test.app.accounts.checkPassword(EMMA.email, 'velvet-anchor-mosaic')).to.equal(true);
  });

  it('says an expired link has expired and sends a new one in one step', async () => {
    const token = tokenOf(await requestLink(app.test, LIAM.email));
    app.advanceClock(24 * 3600_000 + 1000);
    const expired = await fetch(`${app.test.url}/reset?token=${token}`);
    expect(expired.status).to.equal(410);
    const html = await expired.text();
    expect(html).to.contain('This link has expired').and.contain('24 hours');
    expect(html).to.contain('action="/reset/renew"');

    const renewed = await fetch(`${app.test.url}/reset/renew`, form({ token }));
    expect(renewed.status).to.equal(200);
    expect(await renewed.text()).to.contain('Check your email');
    const fresh = await latestResetLink(app.test, LIAM.email);
    expect(tokenOf(fresh)).not.to.equal(token);
    expect((await fetch(`${app.test.url}/reset?token=${tokenOf(fresh)}`)).status).to.equal(200);
  });

  it('makes an older link stop working once a newer one is sent', async () => {
    const first = tokenOf(await requestLink(app.test, LIAM.email));
    const second = tokenOf(await requestLink(app.test, LIAM.email));
    expect((await fetch(`${app.test.url}/reset?token=${first}`)).status).to.equal(404);
    expect((await fetch(`${app.test.url}/reset?token=${second}`)).status).to.equal(200);
  });

  it('answers unknown, malformed and missing tokens with a clear page, never a stack trace', async () => {
    for (const query of [
      '',
      '?token=',
      '?token=abc',
      `?token=${'A'.repeat(43)}`,
      '?token=%00%ff',
      '?token=a&token=b',
    ]) {
      const response = await fetch(`${app.test.url}/reset${query}`);
      const html = await response.text();
      expect(response.status, query).to.equal(404);
      expect(textOf(html)).to.contain("This link doesn't work");
      expect(html).not.to.match(/at \w+ \(|Error:/);
    }
    const incomplete = await fetch(`${app.test.url}/reset`, form({ token: 'x' }));
    expect(incomplete.status).to.equal(400);
    const junk = await fetch(`${app.test.url}/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":',
    });
    expect(junk.status).to.be.within(400, 499);
    expect(await junk.text()).not.to.match(/at \w+ \(/);
  });

  it('limits each client address to 20 requests an hour on its pages', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await fetch(`${app.test.url}/reset?token=nothing`)).status);
    expect(statuses.slice(0, 20).every((status) => status === 404)).to.equal(true);
    const limited = await fetch(`${app.test.url}/reset?token=nothing`);
    expect(limited.status).to.equal(429);
    expect(limited.headers.get('retry-after')).to.match(/^\d+$/);
    expect(await limited.text()).to.contain('try again in');
  });
});
