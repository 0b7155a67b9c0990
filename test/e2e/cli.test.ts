import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeOncePerRun, freshBackend, queryDatabase } from '../helpers/backend.js';
import { runAccountsCli as run } from '../helpers/botProcess.js';
import { makeTempDir } from '../helpers/tempDir.js';

// The same on either store: run once, in the JSON pass.
describeOncePerRun('accounts CLI (npm run accounts)', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;

  beforeEach(() => {
    temp = makeTempDir();
    env = { DATA_DIR: temp.dir, CARD_HMAC_KEY: 'test-card-key-0123456789abcdef0123456789' };
  });
  afterEach(() => temp.remove());

  it('imports accounts, hashing passwords and card numbers, and writes neither', async () => {
    const file = path.join(temp.dir, 'import.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          email: 'Sanne@Example.com',
          password: 'tulip-harbor-violin',
          firstName: 'Sanne',
          lastName: 'Jansen',
          locale: 'nl',
          payment: { type: 'card', cardNumber: '5500-0000-0000-0004' },
        },
        {
          email: 'tom@example.com',
          password: 'quiet-maple-engine',
          firstName: 'Tom',
          lastName: 'Berg',
          payment: { type: 'partner', partner: 'KPN' },
        },
      ]),
    );
    const imported = await run(['import', file], env);
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stdout).to.contain('Imported 2 account(s).');

    expect((await run(['check-password', 'sanne@example.com', 'tulip-harbor-violin'], env)).code).to.equal(0);
    expect((await run(['check-password', 'sanne@example.com', 'wrong-password'], env)).code).to.equal(1);
    expect((await run(['check-password', 'nobody@example.com', 'x'], env)).code).to.equal(1);

    const shown = await run(['show', 'SANNE@example.com'], env);
    expect(shown.code).to.equal(0);
    const account = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(account).to.include({ email: 'sanne@example.com', firstName: 'Sanne', locale: 'nl' });
    expect(account.payment).to.deep.equal({ type: 'card', cardLast4: '0004' });
    expect(shown.stdout).not.to.match(/argon2|passwordHash|cardFingerprint/);

    const { readdir, readFile } = await import('node:fs/promises');
    const files = await readdir(temp.dir, { recursive: true, withFileTypes: true });
    const everything = (
      await Promise.all(
        files
          .filter((f) => f.isFile() && f.name !== 'import.json')
          .map((f) => readFile(path.join(f.parentPath, f.name), 'utf8')),
      )
    ).join();
    for (const secret of ['tulip-harbor-violin', '5500000000000004', '5500-0000-0000-0004'])
      expect(everything).not.to.contain(secret);
  });

  it('upserts by email, taking a ready argon2 hash as it is', async () => {
    const file = path.join(temp.dir, 'import.json');
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0bPSxhX0Y8j0o6L6lyzY7fA9GN9pEuhNkm5ul0vcpKk';
    await writeFile(
      file,
      JSON.stringify([
        {
          email: 'a@example.com',
          password: 'first-pass-phrase',
          firstName: 'A',
          lastName: 'B',
          payment: { type: 'other' },
        },
      ]),
    );
    await run(['import', file], env);
    await writeFile(
      file,
      JSON.stringify([
        { email: 'A@example.com', passwordHash: hash, firstName: 'Anna', lastName: 'B', payment: { type: 'other' } },
      ]),
    );
    expect((await run(['import', file], env)).code).to.equal(0);
    const shown = JSON.parse((await run(['show', 'a@example.com'], env)).stdout) as Record<string, unknown>;
    expect(shown.firstName).to.equal('Anna');
    expect((await run(['check-password', 'a@example.com', 'first-pass-phrase'], env)).code).to.equal(1);
  });

  it('reports each bad record with its number and imports the rest', async () => {
    const file = path.join(temp.dir, 'import.json');
    await writeFile(
      file,
      JSON.stringify([
        { email: 'not-an-email', password: 'x', firstName: 'A', lastName: 'B', payment: { type: 'other' } },
        {
          email: 'ok@example.com',
          password: 'fine-pass-phrase',
          firstName: 'O',
          lastName: 'K',
          payment: { type: 'other' },
        },
        {
          email: 'card@example.com',
          password: 'fine-pass-phrase',
          firstName: 'C',
          lastName: 'D',
          payment: { type: 'card', cardNumber: '4111 1111 1111 1112' },
        },
        { email: 'both@example.com', firstName: 'C', lastName: 'D', payment: { type: 'other' } },
      ]),
    );
    const result = await run(['import', file], env);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.contain('Imported 1 account(s).');
    expect(result.stderr).to.contain('#1: email is not an email address');
    expect(result.stderr).to.contain('#3: payment.cardNumber is not a valid card number');
    expect(result.stderr).to.contain('#4:').and.contain('needs exactly one of password or passwordHash');
    expect(result.stderr).not.to.contain('4111 1111 1111 1112');
  });

  it('explains its usage and rejects unreadable files without a stack trace', async () => {
    const usage = await run([], env);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('npm run accounts -- import <file.json>');
    const missing = await run(['import', path.join(temp.dir, 'nope.json')], env);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('Cannot read').and.not.contain('    at ');
    await writeFile(path.join(temp.dir, 'bad.json'), '{"not": "an array"}');
    const notArray = await run(['import', path.join(temp.dir, 'bad.json')], env);
    expect(notArray.stderr).to.contain('the file must hold a JSON array of accounts');
  });

  it('links a Teams user to an account as one of its profiles, moving the link from an earlier account', async () => {
    const file = path.join(temp.dir, 'import.json');
    const person = (email: string) => ({
      email,
      password: 'tulip-harbor-violin',
      firstName: 'Sanne',
      lastName: 'Jansen',
      payment: { type: 'other' },
      profiles: [{ name: 'Sanne' }, { name: 'Kids', kids: true }],
    });
    await writeFile(file, JSON.stringify([person('sanne@example.com'), person('old@example.com')]));
    expect((await run(['import', file], env)).code).to.equal(0);
    const teamsUser = '6D2F1A9E-3B4C-4F1E-9A8B-1C2D3E4F5A6B';

    expect((await run(['link-teams', 'old@example.com', teamsUser], env)).code).to.equal(0);
    const linked = await run(['link-teams', 'sanne@example.com', teamsUser, 'Kids'], env);
    expect(linked.code).to.equal(0);
    expect(linked.stdout).to.contain('Linked.');
    const shown = JSON.parse((await run(['show', 'sanne@example.com'], env)).stdout) as Record<string, unknown>;
    expect(shown.teamsAadObjectId).to.equal(teamsUser);
    expect(shown.teamsProfile).to.equal('Kids');
    const old = JSON.parse((await run(['show', 'old@example.com'], env)).stdout) as Record<string, unknown>;
    expect(old.teamsAadObjectId).to.equal(null);

    const badId = await run(['link-teams', 'sanne@example.com', 'not-a-guid'], env);
    expect(badId.code).to.equal(2);
    expect(badId.stderr).to.contain('a Teams user id is a GUID');
    const badProfile = await run(['link-teams', 'sanne@example.com', teamsUser, 'Nobody'], env);
    expect(badProfile.stderr).to.contain('no profile named "Nobody"');
    expect((await run(['link-teams', 'nobody@example.com', teamsUser], env)).code).to.equal(1);
  });
});

describeOncePerRun('moving the accounts from the JSON store to PostgreSQL (accounts export, then import)', function () {
  this.timeout(60_000);

  it('exports hashes and fingerprints as they are, and the import on PostgreSQL takes them back', async () => {
    const temp = makeTempDir();
    const backend = await freshBackend();
    const key = { CARD_HMAC_KEY: 'test-card-key-0123456789abcdef0123456789' };
    try {
      const json = { DATA_DIR: temp.dir, ...key };
      const source = path.join(temp.dir, 'source.json');
      await writeFile(
        source,
        JSON.stringify([
          {
            email: 'sanne@example.com',
            password: 'tulip-harbor-violin',
            firstName: 'Sanne',
            lastName: 'Jansen',
            locale: 'nl',
            phone: '+31687654321',
            payment: { type: 'card', cardNumber: '5500-0000-0000-0004' },
            profiles: [{ name: 'Sanne' }, { name: 'Kids', kids: true }],
          },
          {
            email: 'tom@example.com',
            password: 'quartz-meadow-lantern',
            firstName: 'Tom',
            lastName: 'Bos',
            payment: { type: 'other' },
          },
        ]),
      );
      expect((await run(['import', source], json)).code).to.equal(0);
      const exported = path.join(temp.dir, 'export.json');
      const exportRun = await run(['export', exported], json);
      expect(exportRun.code).to.equal(0);
      expect(exportRun.stderr).to.contain('Exported 2 account(s)');
      const text = await readFile(exported, 'utf8');
      expect(text).not.to.contain('tulip-harbor-violin');
      expect(text).not.to.contain('5500000000000004');
      const records = JSON.parse(text) as Array<{ email: string; passwordHash: string; payment: { type: string } }>;
      expect(records.map((r) => r.email).sort()).to.deep.equal(['sanne@example.com', 'tom@example.com']);
      expect(records.every((r) => r.passwordHash.startsWith('$argon2'))).to.equal(true);

      const postgres = { DATA_DIR: temp.dir, ...backend.env, ...key };
      expect((await run(['import', exported], postgres)).stdout).to.contain('Imported 2 account(s)');
      expect((await run(['check-password', 'sanne@example.com', 'tulip-harbor-violin'], postgres)).code).to.equal(0);
      expect((await run(['check-password', 'tom@example.com', 'wrong-password-here'], postgres)).code).to.equal(1);
      const shown = JSON.parse((await run(['show', 'sanne@example.com'], postgres)).stdout) as Record<string, unknown>;
      expect(shown).to.include({ phone: '+31687654321', locale: 'nl' });
      expect(shown.payment).to.deep.equal({ type: 'card', cardLast4: '0004' });
      // The fingerprint came along: the same card finds the account on PostgreSQL.
      const [row] = await queryDatabase<{ found: string }>(
        backend.env.DATABASE_URL!,
        "SELECT count(*) AS found FROM accounts WHERE card_fingerprint IS NOT NULL AND email = 'sanne@example.com'",
      );
      expect(Number(row!.found)).to.equal(1);
    } finally {
      await backend.remove();
      temp.remove();
    }
  });
});
