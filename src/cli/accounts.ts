import 'dotenv/config';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../config.js';
import { AccountService } from '../recovery/accounts.js';
import { loadCardHmacKey } from '../security/cardFingerprint.js';
import { createLogger } from '../security/logger.js';
import { openStore } from '../services.js';

const USAGE = `Usage:
  npm run accounts -- import <file.json>               upsert accounts by email
  npm run accounts -- check-password <email> <password>  exit 0 when it matches, 1 when not
  npm run accounts -- show <email>                     the account, without secrets
  npm run accounts -- export [file.json]               every account in the import format (hashes as they are)
  npm run accounts -- link-teams <email> <aadObjectId> [profile]
                                                       link a Teams user to the account (as a profile)`;

/** The accounts CLI (see README, Accounts CLI). Exit codes: 0 done/match, 1 no match or not found, 2 usage or input error. */
export async function runAccountsCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig({ ...env, SEED_DEMO_ACCOUNTS: 'false' });
  const logger = createLogger('warn', (line) => process.stderr.write(line + '\n'));
  // The store the bot uses: the JSON files under DATA_DIR, or PostgreSQL with DATABASE_URL.
  const store = await openStore(config, logger);
  try {
    const service = new AccountService(
      store.accounts,
      await loadCardHmacKey(config.cardHmacKey, config.dataDir),
      store.audit,
      config.defaultRegion,
    );
    return await runCommand(args, service);
  } finally {
    await store.close();
  }
}

async function runCommand(args: string[], service: AccountService): Promise<number> {
  const [command, ...rest] = args;

  if (command === 'import' && rest.length === 1) {
    let records: unknown;
    try {
      records = JSON.parse(await readFile(rest[0]!, 'utf8'));
    } catch (error) {
      process.stderr.write(`Cannot read ${rest[0]}: ${(error as Error).message}\n`);
      return 2;
    }
    const report = await service.importAccounts(records);
    process.stdout.write(`Imported ${report.imported} account(s).\n`);
    for (const problem of report.problems) process.stderr.write(`Skipped ${problem}\n`);
    return report.problems.length > 0 ? 2 : 0;
  }
  if (command === 'check-password' && rest.length === 2) {
    const match = await service.checkPassword(rest[0]!, rest[1]!);
    process.stdout.write(match ? 'match\n' : 'no match\n');
    return match ? 0 : 1;
  }
  if (command === 'show' && rest.length === 1) {
    const account = await service.describe(rest[0]!);
    if (!account) {
      process.stderr.write('No account with that email address.\n');
      return 1;
    }
    process.stdout.write(JSON.stringify(account, null, 2) + '\n');
    return 0;
  }
  if (command === 'link-teams' && (rest.length === 2 || rest.length === 3)) {
    const outcome = await service.linkTeamsUser(rest[0]!, rest[1]!, rest[2]);
    if (outcome.kind === 'notFound') process.stderr.write('No account with that email address.\n');
    if (outcome.kind === 'invalid') process.stderr.write(`Not linked: ${outcome.problem}.\n`);
    if (outcome.kind === 'linked') process.stdout.write('Linked.\n');
    return outcome.kind === 'linked' ? 0 : outcome.kind === 'notFound' ? 1 : 2;
  }
  if (command === 'export' && rest.length <= 1) {
    const out: Writable = rest[0] ? createWriteStream(rest[0], { mode: 0o600 }) : process.stdout;
    let count = 0;
    out.write('[');
    for await (const page of service.exportAccounts()) {
      for (const record of page) out.write(`${count++ === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
    }
    out.write('\n]\n');
    if (rest[0])
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    process.stderr.write(`Exported ${count} account(s).\n`);
    return 0;
  }
  process.stderr.write(USAGE + '\n');
  return 2;
}

runAccountsCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(error.message + '\n');
    else process.stderr.write(`accounts: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
