import type { Logger } from '../security/logger.js';
import type { AccountImportRecord, AccountService } from './accounts.js';
import type { AccountRepository } from './types.js';

/**
 * Made on the first start with an empty store (outside production), so a newcomer can try the
 * bot at once. The README lists them; the card number is a well-known test number.
 */
export const DEMO_ACCOUNTS: AccountImportRecord[] = [
  {
    email: 'emma@example.com',
    password: 'lantern-orbit-velvet',
    firstName: 'Emma',
    lastName: 'de Vries',
    locale: 'nl',
    phone: '+31612345678',
    payment: { type: 'card', cardNumber: '4111 1111 1111 1111' },
    profiles: [{ name: 'Emma' }, { name: 'Kids', kids: true }],
  },
  {
    email: 'liam@example.com',
    password: 'copper-meadow-whistle',
    firstName: 'Liam',
    lastName: 'Smith',
    locale: 'en',
    payment: { type: 'partner', partner: 'Ziggo' },
  },
  {
    email: 'noor@example.com',
    password: 'harbor-tulip-granite',
    firstName: 'Noor',
    lastName: 'Bakker',
    payment: { type: 'other' },
  },
];

export async function seedDemoAccounts(
  repository: AccountRepository,
  accounts: AccountService,
  logger: Logger,
): Promise<void> {
  if (!(await repository.isEmpty())) return;
  const report = await accounts.importAccounts(DEMO_ACCOUNTS);
  logger.info('demo accounts created', { count: report.imported, emails: DEMO_ACCOUNTS.map((a) => a.email) });
}
