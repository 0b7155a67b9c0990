// What the benchmark and the profiler do to a bot: seed a store with accounts, and reset one
// account's password by chat the way a person would.
import { loadConfig } from '../src/config.js';
import { AccountService } from '../src/recovery/accounts.js';
import { hashPassword } from '../src/recovery/passwordHasher.js';
import { createLogger } from '../src/security/logger.js';
import { openStore } from '../src/services.js';
import { type OutboxLinks, post } from './load.js';

export const CARD_KEY = 'bench-card-key-0123456789abcdef0123';
const WORDS = ['lantern', 'orbit', 'velvet', 'copper', 'meadow', 'falcon', 'harbor', 'tulip', 'granite', 'ember'];

export const benchEmail = (i: number) => `user${i}@bench.example`;

/** `count` accounts, user0@bench.example onwards, imported the way an operator imports them. */
export async function seedAccounts(env: Record<string, string>, count: number): Promise<number> {
  const config = loadConfig({ ...env, SEED_DEMO_ACCOUNTS: 'false' });
  const store = await openStore(config, createLogger('silent'));
  const service = new AccountService(store.accounts, CARD_KEY, store.audit);
  const passwordHash = await hashPassword('bench-start-password');
  const started = performance.now();
  const report = await service.importAccounts(
    Array.from({ length: count }, (_, i) => ({
      email: benchEmail(i),
      passwordHash,
      firstName: `First${i}`,
      lastName: `Last${i}`,
      payment: { type: 'other' },
    })),
  );
  await store.close();
  if (report.imported !== count) throw new Error(`seeding imported ${report.imported} of ${count} accounts`);
  return (performance.now() - started) / 1000;
}

/** One whole reset by chat: ask, find the link in the mail outbox, paste it, submit the form. */
export async function resetOnce(
  bot: string,
  outbox: OutboxLinks,
  email: string,
  round: number,
  previous?: string,
): Promise<string> {
  const conversation = `reset-${email}-${round}`;
  await post(bot, conversation, { text: 'email' });
  await post(bot, conversation, { text: email });
  const link = await outbox.next(email, previous);
  await post(bot, conversation, { text: link });
  const password = `${WORDS[round % WORDS.length]}-${WORDS[(round * 7 + email.length) % WORDS.length]}-bench-${round}`;
  const replies = await post(bot, conversation, { value: { password, confirm: password } });
  if (!replies.some((reply) => reply.text?.includes('Your password has been changed')))
    throw new Error(`the reset of ${email} did not complete: ${replies.map((reply) => reply.text).join(' | ')}`);
  return link;
}
