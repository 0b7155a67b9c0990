import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { WebChatConversation, WebChatConversationRepository } from '../../directline/webChatConversations.js';
import type { PasswordPageOffer, PasswordPageRepository } from '../../recovery/passwordPages.js';
import type {
  Account,
  AccountRepository,
  ResetPurpose,
  ResetRequest,
  ResetRequestRepository,
  SmsChallenge,
  SmsChallengeRepository,
} from '../../recovery/types.js';
import type { AuditEvent, AuditTrail } from '../../security/audit.js';
import type { Logger } from '../../security/logger.js';
import { redact } from '../../security/redact.js';
import type { Escalation, EscalationRepository } from '../../support/escalations.js';
import type { SupportChannelRegistration, SupportChannelRepository } from '../../support/supportChannel.js';
import type { Ticket, TicketRepository } from '../../support/tickets.js';
import { ETagConflictError } from '../botStateStorage.js';
import type { ConversationReferenceRepository } from '../conversationReferenceRepository.js';
import type { Database, Queryable } from './database.js';

type Doc<T> = { doc: T };

/** The columns an account is looked up by, taken from the account itself on every write. */
function accountRow(account: Account) {
  return {
    id: account.id,
    email: account.email,
    phone: account.phone ?? null,
    teams_id: account.teamsAadObjectId?.toLowerCase() ?? null,
    card_fingerprint: account.payment.type === 'card' ? account.payment.cardFingerprint : null,
    doc: account,
  };
}

const UPSERT_ACCOUNTS = `
  INSERT INTO accounts (id, email, phone, teams_id, card_fingerprint, doc)
  SELECT id, email, phone, teams_id, card_fingerprint, doc
  FROM jsonb_to_recordset($1::jsonb) AS x(id text, email text, phone text, teams_id text, card_fingerprint text, doc jsonb)
  ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, phone = EXCLUDED.phone, teams_id = EXCLUDED.teams_id,
    card_fingerprint = EXCLUDED.card_fingerprint, doc = EXCLUDED.doc`;

/** Accounts in one table, with the email, phone, Teams id and card fingerprint beside each as indexed columns. */
export class PgAccountRepository implements AccountRepository {
  constructor(private readonly db: Database) {}

  private async one(where: string, value: string): Promise<Account | undefined> {
    const { rows } = await this.db.query<Doc<Account>>(`SELECT doc FROM accounts WHERE ${where} = $1`, [value]);
    return rows[0]?.doc;
  }

  findById(id: string): Promise<Account | undefined> {
    return this.one('id', id);
  }

  findByEmail(email: string): Promise<Account | undefined> {
    return this.one('email', email);
  }

  findByTeamsAadObjectId(aadObjectId: string): Promise<Account | undefined> {
    return this.one('teams_id', aadObjectId.toLowerCase());
  }

  findByPhone(phone: string): Promise<Account | undefined> {
    return this.one('phone', phone);
  }

  async findByCardFingerprint(fingerprint: string): Promise<Account[]> {
    const { rows } = await this.db.query<Doc<Account>>('SELECT doc FROM accounts WHERE card_fingerprint = $1', [
      fingerprint,
    ]);
    return rows.map((row) => row.doc);
  }

  async upsertManyByEmail(builds: ReadonlyArray<(existing: Account | undefined) => Account>): Promise<Account[]> {
    // The last record for an address wins, as if they were imported one after another.
    const byEmail = new Map(builds.map((build) => [build(undefined).email, build]));
    return this.db.transaction(async (client) => {
      // One import at a time across instances (two starting together both seed the demo accounts):
      // a second one then sees the first one's accounts and updates them instead of adding twins.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('accounts.upsert'))");
      const { rows } = await client.query<Doc<Account>>(
        'SELECT doc FROM accounts WHERE email = ANY($1::text[]) FOR UPDATE',
        [[...byEmail.keys()]],
      );
      const existing = new Map(rows.map((row) => [row.doc.email, row.doc]));
      const accounts = [...byEmail].map(([email, build]) => build(existing.get(email)));
      for (let start = 0; start < accounts.length; start += 1000) {
        const batch = accounts.slice(start, start + 1000).map(accountRow);
        await client.query(UPSERT_ACCOUNTS, [JSON.stringify(batch)]);
      }
      return accounts;
    });
  }

  update(id: string, change: (account: Account) => Account): Promise<Account | undefined> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<Doc<Account>>('SELECT doc FROM accounts WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) return undefined;
      const account = change(rows[0].doc);
      await client.query(UPSERT_ACCOUNTS, [JSON.stringify([accountRow(account)])]);
      return account;
    });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM accounts LIMIT 1')).rowCount === 0;
  }

  /** Every account, a page at a time, in id order (for `accounts export`). */
  async *all(pageSize = 1000): AsyncGenerator<Account[]> {
    let after = '';
    for (;;) {
      const { rows } = await this.db.query<Doc<Account> & { id: string }>(
        'SELECT id, doc FROM accounts WHERE id > $1 ORDER BY id LIMIT $2',
        [after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => row.doc);
      after = rows.at(-1)!.id;
    }
  }
}

/** One live request per account and purpose; the secret hash is a unique column. */
export class PgResetRequestRepository implements ResetRequestRepository {
  constructor(private readonly db: Database) {}

  async replace(request: ResetRequest): Promise<void> {
    await this.db.query(
      `INSERT INTO reset_requests (account_id, purpose, secret_hash, doc) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, purpose) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, doc = EXCLUDED.doc`,
      [request.accountId, request.purpose, request.secretHash, request],
    );
  }

  async findBySecretHash(secretHash: string): Promise<ResetRequest | undefined> {
    const { rows } = await this.db.query<Doc<ResetRequest>>('SELECT doc FROM reset_requests WHERE secret_hash = $1', [
      secretHash,
    ]);
    return rows[0]?.doc;
  }

  async findCurrent(accountId: string, purpose: ResetPurpose): Promise<ResetRequest | undefined> {
    const { rows } = await this.db.query<Doc<ResetRequest>>(
      'SELECT doc FROM reset_requests WHERE account_id = $1 AND purpose = $2',
      [accountId, purpose],
    );
    return rows[0]?.doc;
  }

  async markUsed(request: ResetRequest, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE reset_requests SET doc = jsonb_set(doc, '{usedAt}', to_jsonb($4::text))
       WHERE account_id = $1 AND purpose = $2 AND doc->>'id' = $3`,
      [request.accountId, request.purpose, request.id, at.toISOString()],
    );
  }
}

/** Code challenges by conversation, and the newest challenge per number. */
export class PgSmsChallengeRepository implements SmsChallengeRepository {
  constructor(private readonly db: Database) {}

  async get(conversationId: string): Promise<SmsChallenge | undefined> {
    const { rows } = await this.db.query<Doc<SmsChallenge>>(
      'SELECT doc FROM sms_challenges WHERE conversation_id = $1',
      [conversationId],
    );
    return rows[0]?.doc;
  }

  async put(challenge: SmsChallenge): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO sms_challenges (conversation_id, doc) VALUES ($1, $2)
         ON CONFLICT (conversation_id) DO UPDATE SET doc = EXCLUDED.doc`,
        [challenge.conversationId, challenge],
      );
      await client.query(
        `INSERT INTO sms_latest (phone_key, challenge_id) VALUES ($1, $2)
         ON CONFLICT (phone_key) DO UPDATE SET challenge_id = EXCLUDED.challenge_id`,
        [challenge.phoneKey, challenge.id],
      );
    });
  }

  update(conversationId: string, change: (challenge: SmsChallenge) => SmsChallenge): Promise<SmsChallenge | undefined> {
    return updateDocument(this.db, 'sms_challenges', 'conversation_id', conversationId, change);
  }

  async latestFor(phoneKey: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ challenge_id: string }>(
      'SELECT challenge_id FROM sms_latest WHERE phone_key = $1',
      [phoneKey],
    );
    return rows[0]?.challenge_id;
  }
}

/** Offers of the new-password page by conversation; the opened page's ticket hash is a unique column. */
export class PgPasswordPageRepository implements PasswordPageRepository {
  constructor(private readonly db: Database) {}

  async putOffer(offer: PasswordPageOffer): Promise<void> {
    await this.db.query(
      `INSERT INTO password_pages (conversation_id, ticket_hash, doc) VALUES ($1, $2, $3)
       ON CONFLICT (conversation_id) DO UPDATE SET ticket_hash = EXCLUDED.ticket_hash, doc = EXCLUDED.doc`,
      [offer.conversationId, offer.ticketHash ?? null, offer],
    );
  }

  async getOffer(conversationId: string): Promise<PasswordPageOffer | undefined> {
    const { rows } = await this.db.query<Doc<PasswordPageOffer>>(
      'SELECT doc FROM password_pages WHERE conversation_id = $1',
      [conversationId],
    );
    return rows[0]?.doc;
  }

  async openTicket(conversationId: string, ticketHash: string, expiresAt: string): Promise<void> {
    await this.db.query(
      `UPDATE password_pages SET ticket_hash = $2,
         doc = doc || jsonb_build_object('ticketHash', $2::text, 'ticketExpiresAt', $3::text)
       WHERE conversation_id = $1`,
      [conversationId, ticketHash, expiresAt],
    );
  }

  async findByTicket(ticketHash: string): Promise<PasswordPageOffer | undefined> {
    const { rows } = await this.db.query<Doc<PasswordPageOffer>>(
      'SELECT doc FROM password_pages WHERE ticket_hash = $1',
      [ticketHash],
    );
    return rows[0]?.doc;
  }

  async deleteOffer(conversationId: string): Promise<void> {
    await this.db.query('DELETE FROM password_pages WHERE conversation_id = $1', [conversationId]);
  }
}

/**
 * Changes one document under a row lock, so that two instances changing the same record take
 * turns; undefined when there is no such record.
 */
function updateDocument<T>(
  db: Database,
  table: string,
  keyColumn: string,
  key: string,
  change: (current: T) => T,
): Promise<T | undefined> {
  return db.transaction(async (client) => {
    const { rows } = await client.query<Doc<T>>(`SELECT doc FROM ${table} WHERE ${keyColumn} = $1 FOR UPDATE`, [key]);
    if (!rows[0]) return undefined;
    const updated = change(rows[0].doc);
    await client.query(`UPDATE ${table} SET doc = $2 WHERE ${keyColumn} = $1`, [key, updated]);
    return updated;
  });
}

/** Records with an id, kept whole and changed one at a time. */
class PgRecords<T extends { id: string }> {
  constructor(
    protected readonly db: Database,
    private readonly table: 'escalations' | 'webchat_conversations',
  ) {}

  async put(record: T): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`,
      [record.id, record],
    );
  }

  async get(id: string): Promise<T | undefined> {
    const { rows } = await this.db.query<Doc<T>>(`SELECT doc FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }

  update(id: string, change: (record: T) => T): Promise<T | undefined> {
    return updateDocument(this.db, this.table, 'id', id, change);
  }
}

export class PgEscalationRepository extends PgRecords<Escalation> implements EscalationRepository {
  constructor(db: Database) {
    super(db, 'escalations');
  }
}

export class PgWebChatConversationRepository
  extends PgRecords<WebChatConversation>
  implements WebChatConversationRepository
{
  constructor(db: Database) {
    super(db, 'webchat_conversations');
  }
}

/** Tickets by id; a conversation's newest ticket is the one that may still be open. */
export class PgTicketRepository implements TicketRepository {
  constructor(private readonly db: Database) {}

  async put(ticket: Ticket): Promise<void> {
    await this.db.query(
      `INSERT INTO tickets (id, conversation_id, doc) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`,
      [ticket.id, ticket.conversationId, ticket],
    );
  }

  async get(id: string): Promise<Ticket | undefined> {
    const { rows } = await this.db.query<Doc<Ticket>>('SELECT doc FROM tickets WHERE id = $1', [id]);
    return rows[0]?.doc;
  }

  async openFor(conversationId: string): Promise<Ticket | undefined> {
    const { rows } = await this.db.query<Doc<Ticket>>(
      'SELECT doc FROM tickets WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 1',
      [conversationId],
    );
    const ticket = rows[0]?.doc;
    return ticket?.state === 'open' ? ticket : undefined;
  }

  update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | undefined> {
    return updateDocument(this.db, 'tickets', 'id', id, change);
  }
}

/** The registered support channel: one row, read each time so every instance sees a new registration. */
export class PgSupportChannelRepository implements SupportChannelRepository {
  constructor(private readonly db: Database) {}

  async get(): Promise<SupportChannelRegistration | undefined> {
    const { rows } = await this.db.query<Doc<SupportChannelRegistration>>('SELECT doc FROM support_channel');
    return rows[0]?.doc;
  }

  async register(channel: SupportChannelRegistration): Promise<void> {
    await this.db.query(
      'INSERT INTO support_channel (id, doc) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc',
      [channel],
    );
  }
}

export class PgConversationReferenceRepository implements ConversationReferenceRepository {
  constructor(private readonly db: Database) {}

  async get(conversationId: string): Promise<object | undefined> {
    const { rows } = await this.db.query<Doc<object>>(
      'SELECT doc FROM conversation_references WHERE conversation_id = $1',
      [conversationId],
    );
    return rows[0]?.doc;
  }

  async put(conversationId: string, reference: object): Promise<void> {
    await this.db.query(
      `INSERT INTO conversation_references (conversation_id, doc) VALUES ($1, $2)
       ON CONFLICT (conversation_id) DO UPDATE SET doc = EXCLUDED.doc`,
      [conversationId, reference],
    );
  }
}

type StoredItem = Record<string, unknown> & { eTag?: string };

/**
 * Bot Framework state in PostgreSQL with optimistic concurrency: a write that names an eTag
 * succeeds only while the row still has it, so of two instances answering the same conversation
 * at once, the second is refused rather than overwriting the first unseen. Writes commit without
 * waiting for the disk (`Database.queryUnflushed`).
 */
export class PgBotStorage implements Storage {
  constructor(private readonly db: Database) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const { rows } = await this.db.query<{ key: string; etag: string; doc: StoredItem }>(
      'SELECT key, etag, doc FROM bot_state WHERE key = ANY($1::text[])',
      [keys],
    );
    return Object.fromEntries(rows.map((row) => [row.key, { ...row.doc, eTag: row.etag }]));
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(Object.entries(changes).map(([key, change]) => this.writeOne(key, change as StoredItem)));
  }

  private async writeOne(key: string, change: StoredItem): Promise<void> {
    const { eTag: expected, ...doc } = change;
    const etag = randomUUID();
    if (!expected || expected === '*') {
      await this.db.queryUnflushed(
        `INSERT INTO bot_state (key, etag, doc) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, doc = EXCLUDED.doc`,
        [key, etag, doc],
      );
      return;
    }
    const updated = await this.db.queryUnflushed(
      'UPDATE bot_state SET etag = $3, doc = $4 WHERE key = $1 AND etag = $2',
      [key, expected, etag, doc],
    );
    if (updated.rowCount === 1) return;
    // No row with that eTag: either the item is gone (write it), or another turn changed it.
    const inserted = await this.db.queryUnflushed(
      'INSERT INTO bot_state (key, etag, doc) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
      [key, etag, doc],
    );
    if (inserted.rowCount !== 1) throw new ETagConflictError(key);
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.db.queryUnflushed('DELETE FROM bot_state WHERE key = ANY($1::text[])', [keys]);
  }
}

/** The audit trail as an append-only table; every event passes through redaction. */
export class PgAuditTrail implements AuditTrail {
  constructor(
    private readonly db: Queryable,
    private readonly logger: Pick<Logger, 'error'>,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const entry = { at: new Date().toISOString(), ...(redact(event) as AuditEvent) };
    try {
      await this.db.query('INSERT INTO audit_events (doc) VALUES ($1)', [entry]);
    } catch (error) {
      // The journey goes on; the operator learns from the log that the trail has a gap.
      this.logger.error('audit trail write failed', { event: event.event, error });
    }
  }

  async readAll(): Promise<object[]> {
    const { rows } = await this.db.query<Doc<object>>('SELECT doc FROM audit_events ORDER BY seq');
    return rows.map((row) => row.doc);
  }
}
