import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Locale } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import { cardFingerprint, isLuhnValid, normalizeCardNumber } from '../security/cardFingerprint.js';
import { hashPassword, isArgon2Hash, verifyPassword } from './passwordHasher.js';
import { normalizePhone } from './phoneNumbers.js';
import type { Account, AccountRepository, Payment } from './types.js';

/** Accounts are keyed by their email address in lower case without surrounding spaces. */
export function normalizeEmail(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** A pragmatic shape check: one @, a dot in the domain, no spaces, at most 254 characters. */
export function isPlausibleEmail(text: string): boolean {
  const email = normalizeEmail(text);
  return email.length <= 254 && /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u.test(email);
}

/** The words a password must not be built from: the email's name and the person's names. */
export function personalWordsOf(account: Pick<Account, 'email' | 'firstName' | 'lastName'>): string[] {
  return [account.email.split('@')[0] ?? '', account.firstName, account.lastName];
}

const importRecordSchema = z
  .object({
    email: z.string().refine(isPlausibleEmail, 'is not an email address'),
    password: z.string().min(1).max(128).optional(),
    passwordHash: z.string().refine(isArgon2Hash, 'is not an argon2 PHC string').optional(),
    phone: z.string().max(32).optional(),
    firstName: z.string().trim().min(1).max(100),
    lastName: z.string().trim().min(1).max(100),
    locale: z.enum(['en', 'nl']).optional(),
    payment: z.union([
      z.object({ type: z.literal('card'), cardNumber: z.string() }),
      // From an export: the keyed fingerprint as it is (it matches only under the same CARD_HMAC_KEY).
      z.object({
        type: z.literal('card'),
        cardFingerprint: z.string().regex(/^[A-Za-z0-9_-]{20,128}$/),
        cardLast4: z.string().regex(/^\d{4}$/),
      }),
      z.object({ type: z.literal('partner'), partner: z.string().trim().min(1).max(100) }),
      z.object({ type: z.literal('other') }),
    ]),
    /** From an export: earlier password hashes, newest first, so the history rule keeps working. */
    previousPasswordHashes: z.array(z.string().refine(isArgon2Hash, 'is not an argon2 PHC string')).max(24).optional(),
    teamsAadObjectId: z.string().trim().min(1).max(100).optional(),
    profiles: z
      .array(z.object({ name: z.string().trim().min(1).max(50), kids: z.boolean().optional() }))
      .max(10)
      .optional(),
    /** The profile a linked Teams user counts as; the main (first) profile when absent. */
    teamsProfile: z.string().trim().min(1).max(50).optional(),
  })
  .refine((record) => (record.password === undefined) !== (record.passwordHash === undefined), {
    message: 'needs exactly one of password or passwordHash',
  })
  .refine(
    (record) =>
      record.teamsProfile === undefined ||
      (record.profiles ?? []).some((profile) => profile.name === record.teamsProfile),
    { message: 'teamsProfile must name one of the profiles' },
  );

export type AccountImportRecord = z.input<typeof importRecordSchema>;

const IMPORT_BATCH = 20_000;
const HASHING_CONCURRENCY = 4;

export interface ImportReport {
  imported: number;
  problems: string[];
}

/**
 * The sign-in check: the NFKC form of the password against the stored argon2 hash. A match made
 * with weaker parameters than today's stores a fresh hash, unless the password changed meanwhile.
 */
export async function checkAccountPassword(
  accounts: AccountRepository,
  account: Account,
  password: string,
): Promise<boolean> {
  const normalized = password.normalize('NFKC');
  const result = await verifyPassword(account.passwordHash, normalized);
  if (result.needsRehash) {
    const fresh = await hashPassword(normalized);
    await accounts.update(account.id, (current) =>
      current.passwordHash === account.passwordHash ? { ...current, passwordHash: fresh } : current,
    );
  }
  return result.match;
}

export class AccountService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly cardHmacKey: string,
    private readonly audit: AuditTrail,
    /** Region of national phone numbers in imports. */
    private readonly defaultRegion = 'NL',
  ) {}

  /**
   * Upserts by email, in batches (one write per shard per batch). Plain passwords and card
   * numbers are hashed here and never written. Bad records are reported by number and skipped.
   */
  async importAccounts(records: unknown): Promise<ImportReport> {
    if (!Array.isArray(records)) return { imported: 0, problems: ['the file must hold a JSON array of accounts'] };
    const report: ImportReport = { imported: 0, problems: [] };
    for (let start = 0; start < records.length; start += IMPORT_BATCH) {
      const builds: Array<(existing: Account | undefined) => Account> = [];
      const batch = records.slice(start, start + IMPORT_BATCH);
      // argon2 runs on libuv's thread pool: a few records at a time keep it busy.
      for (let group = 0; group < batch.length; group += HASHING_CONCURRENCY) {
        const prepared = await Promise.all(
          batch.slice(group, group + HASHING_CONCURRENCY).map((raw) => this.prepareImport(raw)),
        );
        for (const [offset, build] of prepared.entries()) {
          if (typeof build === 'string') report.problems.push(`#${start + group + offset + 1}: ${build}`);
          else builds.push(build);
        }
      }
      if (builds.length === 0) continue;
      const stored = await this.accounts.upsertManyByEmail(builds);
      await this.audit.record({ event: 'account.imported', via: 'cli', detail: { count: stored.length } });
      report.imported += stored.length;
    }
    return report;
  }

  /** A record turned into a builder of the stored account, or what is wrong with it. */
  private async prepareImport(raw: unknown): Promise<((existing: Account | undefined) => Account) | string> {
    const parsed = importRecordSchema.safeParse(raw);
    if (!parsed.success) {
      return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'record'} ${issue.message}`).join('; ');
    }
    const record = parsed.data;
    const payment = this.toPayment(record.payment);
    if (typeof payment === 'string') return `payment.cardNumber ${payment}`;
    const phone = record.phone === undefined ? undefined : normalizePhone(record.phone, this.defaultRegion);
    if (record.phone !== undefined && phone === undefined) return 'phone is not a valid phone number';
    const passwordHash = record.passwordHash ?? (await hashPassword(record.password!.normalize('NFKC')));
    const now = new Date().toISOString();
    return (existing) => ({
      id: existing?.id ?? randomUUID(),
      email: normalizeEmail(record.email),
      firstName: record.firstName,
      lastName: record.lastName,
      ...(record.locale ? { locale: record.locale as Locale } : {}),
      ...(phone ? { phone } : {}),
      passwordHash,
      previousPasswordHashes: record.previousPasswordHashes ?? existing?.previousPasswordHashes ?? [],
      // A new password from an import voids outstanding links, as any password change does.
      credentialVersion:
        (existing?.credentialVersion ?? 0) + (existing && existing.passwordHash !== passwordHash ? 1 : 0),
      payment,
      ...(record.teamsAadObjectId ? { teamsAadObjectId: record.teamsAadObjectId } : {}),
      ...(record.profiles ? { profiles: record.profiles } : {}),
      ...(record.teamsProfile ? { teamsProfile: record.teamsProfile } : {}),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
  }

  /** Checks a password the way sign-in would, and rehashes it when the parameters were raised. */
  async checkPassword(email: string, password: string): Promise<boolean> {
    const account = await this.accounts.findByEmail(normalizeEmail(email));
    return account ? checkAccountPassword(this.accounts, account, password) : false;
  }

  /**
   * An operator links a Teams user (Microsoft Entra object id) to an account, optionally as one
   * of its profiles; a user linked to another account before is unlinked from it.
   */
  async linkTeamsUser(
    email: string,
    aadObjectId: string,
    profile?: string,
  ): Promise<{ kind: 'linked' } | { kind: 'notFound' } | { kind: 'invalid'; problem: string }> {
    const id = aadObjectId.trim();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      return { kind: 'invalid', problem: 'a Teams user id is a GUID such as 00000000-0000-0000-0000-000000000000' };
    const account = await this.accounts.findByEmail(normalizeEmail(email));
    if (!account) return { kind: 'notFound' };
    if (profile !== undefined && !(account.profiles ?? []).some((known) => known.name === profile))
      return { kind: 'invalid', problem: `the account has no profile named "${profile}"` };
    const previous = await this.accounts.findByTeamsAadObjectId(id);
    if (previous && previous.id !== account.id)
      await this.accounts.update(previous.id, ({ teamsAadObjectId: _id, teamsProfile: _profile, ...rest }) => rest);
    await this.accounts.update(account.id, ({ teamsProfile: _profile, ...rest }) => ({
      ...rest,
      teamsAadObjectId: id,
      ...(profile !== undefined ? { teamsProfile: profile } : {}),
      updatedAt: new Date().toISOString(),
    }));
    await this.audit.record({ event: 'teams.linked', accountId: account.id, via: 'cli' });
    return { kind: 'linked' };
  }

  /** For the site's backend opening a signed-in session: the account's id and its profile names. */
  async sessionAccount(email: string): Promise<{ accountId: string; profiles: string[] } | undefined> {
    const account = await this.accounts.findByEmail(normalizeEmail(email));
    return account && { accountId: account.id, profiles: (account.profiles ?? []).map((profile) => profile.name) };
  }

  /** The account as an operator may see it: no hashes, no fingerprints. */
  async describe(email: string): Promise<Record<string, unknown> | undefined> {
    const account = await this.accounts.findByEmail(normalizeEmail(email));
    if (!account) return undefined;
    const payment =
      account.payment.type === 'card' ? { type: 'card', cardLast4: account.payment.cardLast4 } : account.payment;
    return {
      id: account.id,
      email: account.email,
      firstName: account.firstName,
      lastName: account.lastName,
      locale: account.locale ?? null,
      phone: account.phone ?? null,
      payment,
      teamsAadObjectId: account.teamsAadObjectId ?? null,
      profiles: account.profiles ?? [],
      teamsProfile: account.teamsProfile ?? null,
      passwordHistoryLength: account.previousPasswordHashes.length,
      createdAt: account.createdAt,
      updatedAt: account.updatedAt,
    };
  }

  /**
   * Every account in the import format, a page at a time: hashes and fingerprints as they are,
   * nothing in the clear, so `import` on another store (with the same CARD_HMAC_KEY) takes it back.
   */
  async *exportAccounts(): AsyncGenerator<AccountImportRecord[]> {
    for await (const page of this.accounts.all()) {
      yield page.map((account) => ({
        email: account.email,
        passwordHash: account.passwordHash,
        ...(account.previousPasswordHashes.length > 0
          ? { previousPasswordHashes: account.previousPasswordHashes }
          : {}),
        firstName: account.firstName,
        lastName: account.lastName,
        ...(account.locale ? { locale: account.locale } : {}),
        ...(account.phone ? { phone: account.phone } : {}),
        payment: account.payment,
        ...(account.teamsAadObjectId ? { teamsAadObjectId: account.teamsAadObjectId } : {}),
        ...(account.profiles ? { profiles: account.profiles } : {}),
        ...(account.teamsProfile ? { teamsProfile: account.teamsProfile } : {}),
      }));
    }
  }

  private toPayment(payment: z.infer<typeof importRecordSchema>['payment']): Payment | string {
    if (payment.type !== 'card') return payment;
    if ('cardFingerprint' in payment) return payment;
    const digits = normalizeCardNumber(payment.cardNumber);
    if (!digits || !isLuhnValid(digits)) return 'is not a valid card number';
    return { type: 'card', cardFingerprint: cardFingerprint(this.cardHmacKey, digits), cardLast4: digits.slice(-4) };
  }
}
