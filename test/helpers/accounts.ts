import type { AccountImportRecord } from '../../src/recovery/accounts.js';
import type { TestApp } from './testApp.js';

export const EMMA: AccountImportRecord = {
  email: 'emma.devries@example.com',
  password: 'lantern-orbit-velvet',
  firstName: 'Emma',
  lastName: 'de Vries',
  locale: 'nl',
  phone: '06 12345678',
  payment: { type: 'card', cardNumber: '4111 1111 1111 1111' },
};

export const LIAM: AccountImportRecord = {
  email: 'liam.smith@example.com',
  password: 'copper-meadow-whistle',
  firstName: 'Liam',
  lastName: 'Smith',
  locale: 'en',
  phone: '+44 7911 123456',
  payment: { type: 'other' },
};

/** The Microsoft Entra object ids the Teams tests give Emma and Liam when they link them. */
export const EMMA_TEAMS = '6d2f1a9e-3b4c-4f1e-9a8b-1c2d3e4f5a6b';
export const LIAM_TEAMS = '0b7e2c3d-8f9a-4b1c-a2d3-e4f5a6b7c8d9';

export async function importAccounts(test: TestApp, ...records: AccountImportRecord[]): Promise<void> {
  const report = await test.app.accounts.importAccounts(records);
  if (report.problems.length > 0) throw new Error(report.problems.join('; '));
}
