import type { Locale } from '../config.js';

/** How the account pays; card numbers exist only as a keyed fingerprint and the last four digits. */
export type Payment =
  | { type: 'card'; cardFingerprint: string; cardLast4: string }
  | { type: 'partner'; partner: string }
  | { type: 'other' };

export interface Profile {
  name: string;
  kids?: boolean;
}

export interface Account {
  id: string;
  /** Lower-cased, trimmed; the account's unique key. */
  email: string;
  firstName: string;
  lastName: string;
  locale?: Locale;
  phone?: string;
  passwordHash: string;
  /**
   * The current password once more, hashed with the account's history salt, so that a new
   * password is checked against it and the earlier ones with one argon2 computation. Absent until
   * the bot sets a password (imported accounts).
   */
  passwordHistoryHash?: string;
  /** Hashes of earlier passwords, newest first, at most PASSWORD_HISTORY of them. */
  previousPasswordHashes: string[];
  /** Raised by every password change; links, codes and sessions of an older version are void. */
  credentialVersion: number;
  payment: Payment;
  teamsAadObjectId?: string;
  /** The profile the linked Teams user counts as; the main (first) profile when absent. */
  teamsProfile?: string;
  profiles?: Profile[];
  createdAt: string;
  updatedAt: string;
}

/**
 * What a request opens: a reset by link or code, the password change's new-password step after the current
 * password, or the phone number change's check that the person holds a new phone number.
 */
export type ResetPurpose = 'email-link' | 'sms-code' | 'password-change' | 'phone-verify';

/**
 * A code asked for in one conversation. When no account has the number it is a stand-in that
 * answers exactly like a real code (wrong, expired, too many tries) and can never be right, so
 * the conversation cannot tell the two apart.
 */
export interface SmsChallenge {
  id: string;
  conversationId: string;
  /** Keyed SHA-256 of the number, for "a newer code replaces this one". */
  phoneKey: string;
  accountId?: string;
  requestId?: string;
  secretHash: string;
  expiresAt: string;
  failedAttempts: number;
  verifiedAt?: string;
}

export interface SmsChallengeRepository {
  get(conversationId: string): Promise<SmsChallenge | undefined>;
  put(challenge: SmsChallenge): Promise<void>;
  update(conversationId: string, change: (challenge: SmsChallenge) => SmsChallenge): Promise<SmsChallenge | undefined>;
  /** The newest challenge for a number; older ones no longer work. */
  latestFor(phoneKey: string): Promise<string | undefined>;
}

export interface ResetRequest {
  id: string;
  accountId: string;
  purpose: ResetPurpose;
  /** For codes and the password change: the conversation that asked, the only one where it works. */
  conversationId?: string;
  /** Phone number change: the number being verified (E.164); it replaces the account's once the code is right. */
  phone?: string;
  /** Phone number change: wrong codes typed so far. */
  failedAttempts?: number;
  /** SHA-256 of the link token or code; the secret itself is never stored. */
  secretHash: string;
  issuedAt: string;
  expiresAt: string;
  /** The account's credentialVersion when issued; a later password change voids the request. */
  credentialVersion: number;
  usedAt?: string;
}

/** What a conversation or web form holds after a valid link: enough to finish, no secret. */
export interface ResetGrant {
  requestId: string;
  accountId: string;
  purpose: ResetPurpose;
}

export interface AccountRepository {
  findById(id: string): Promise<Account | undefined>;
  findByEmail(email: string): Promise<Account | undefined>;
  /** The account a Teams user (Microsoft Entra object id, any case) is linked to. */
  findByTeamsAadObjectId(aadObjectId: string): Promise<Account | undefined>;
  /** By E.164 number. */
  findByPhone(phone: string): Promise<Account | undefined>;
  /** Every account paying with the card of this keyed fingerprint. */
  findByCardFingerprint(fingerprint: string): Promise<Account[]>;
  /**
   * Inserts each account, or replaces the one with the same email (the build sees it); one write
   * per shard however many accounts. Returns the stored accounts.
   */
  upsertManyByEmail(builds: ReadonlyArray<(existing: Account | undefined) => Account>): Promise<Account[]>;
  update(id: string, change: (account: Account) => Account): Promise<Account | undefined>;
  isEmpty(): Promise<boolean>;
  /** Every account, a page at a time (for moving to another store). */
  all(): AsyncIterable<Account[]>;
}

export interface ResetRequestRepository {
  /** Stores a request as the account's only live one for its purpose; older ones stop working. */
  replace(request: ResetRequest): Promise<void>;
  findBySecretHash(secretHash: string): Promise<ResetRequest | undefined>;
  findCurrent(accountId: string, purpose: ResetPurpose): Promise<ResetRequest | undefined>;
  markUsed(request: ResetRequest, at: Date): Promise<void>;
}
