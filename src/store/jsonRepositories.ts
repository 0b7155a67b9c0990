import path from 'node:path';
import type { WebChatConversation, WebChatConversationRepository } from '../directline/webChatConversations.js';
import type { PasswordPageOffer, PasswordPageRepository } from '../recovery/passwordPages.js';
import type { Escalation, EscalationRepository } from '../support/escalations.js';
import type { SupportChannelRegistration, SupportChannelRepository } from '../support/supportChannel.js';
import type { Ticket, TicketRepository } from '../support/tickets.js';
import type {
  Account,
  AccountRepository,
  ResetPurpose,
  ResetRequest,
  ResetRequestRepository,
  SmsChallenge,
  SmsChallengeRepository,
} from '../recovery/types.js';
import { AtomicJsonFile } from './atomicJsonFile.js';
import { ShardedCollection } from './shardedCollection.js';

/**
 * Accounts in sharded lowdb files, with email and phone indexes so a lookup reads two small
 * shards. A phone index entry is only a hint: it counts when the account still has that number.
 */
export class JsonAccountRepository implements AccountRepository {
  private readonly accounts: ShardedCollection<Account>;
  private readonly emailIndex: ShardedCollection<string>;
  private readonly phoneIndex: ShardedCollection<string>;
  /** Card fingerprint → ids of the accounts paying with that card (a family may share one). */
  private readonly cardIndex: ShardedCollection<string[]>;
  /** Microsoft Entra object id of a linked Teams user → account id; a hint, like the phone index. */
  private readonly teamsIndex: ShardedCollection<string>;

  constructor(dataDir: string) {
    this.cardIndex = new ShardedCollection(path.join(dataDir, 'index', 'card'));
    this.accounts = new ShardedCollection(path.join(dataDir, 'accounts'));
    this.emailIndex = new ShardedCollection(path.join(dataDir, 'index', 'email'));
    this.phoneIndex = new ShardedCollection(path.join(dataDir, 'index', 'phone'));
    this.teamsIndex = new ShardedCollection(path.join(dataDir, 'index', 'teams'));
  }

  async init(): Promise<void> {
    await Promise.all([
      this.accounts.init(),
      this.emailIndex.init(),
      this.phoneIndex.init(),
      this.cardIndex.init(),
      this.teamsIndex.init(),
    ]);
  }

  async findByCardFingerprint(fingerprint: string): Promise<Account[]> {
    const ids = (await this.cardIndex.get(fingerprint)) ?? [];
    const accounts = await Promise.all(ids.map((id) => this.accounts.get(id)));
    return accounts.filter(
      (account): account is Account =>
        account?.payment.type === 'card' && account.payment.cardFingerprint === fingerprint,
    );
  }

  async findByPhone(phone: string): Promise<Account | undefined> {
    const id = await this.phoneIndex.get(phone);
    const account = id === undefined ? undefined : await this.accounts.get(id);
    return account?.phone === phone ? account : undefined;
  }

  async findByTeamsAadObjectId(aadObjectId: string): Promise<Account | undefined> {
    const key = aadObjectId.toLowerCase();
    const id = await this.teamsIndex.get(key);
    const account = id === undefined ? undefined : await this.accounts.get(id);
    return account?.teamsAadObjectId?.toLowerCase() === key ? account : undefined;
  }

  findById(id: string): Promise<Account | undefined> {
    return this.accounts.get(id);
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const id = await this.emailIndex.get(email);
    return id === undefined ? undefined : this.accounts.get(id);
  }

  async upsertManyByEmail(builds: ReadonlyArray<(existing: Account | undefined) => Account>): Promise<Account[]> {
    // The last record for an address wins, as if they were imported one after another.
    const byEmail = new Map(builds.map((build) => [build(undefined).email, build]));
    // Read shard by shard: a lookup per record would read its shards again and again.
    const existingIds = await this.emailIndex.getMany(byEmail.keys());
    const existing = await this.accounts.getMany(existingIds.values());
    const accounts = [...byEmail].map(([email, build]) => {
      const id = existingIds.get(email);
      return build(id === undefined ? undefined : existing.get(id));
    });
    // Accounts first: an index entry never points at an account that is not there.
    await this.accounts.setMany(accounts.map((account) => [account.id, account]));
    await this.emailIndex.setMany(accounts.map((account) => [account.email, account.id]));
    await this.phoneIndex.setMany(accounts.flatMap((account) => (account.phone ? [[account.phone, account.id]] : [])));
    await this.teamsIndex.setMany(
      accounts.flatMap((account) =>
        account.teamsAadObjectId ? [[account.teamsAadObjectId.toLowerCase(), account.id]] : [],
      ),
    );
    const byCard = new Map<string, string[]>();
    for (const { id, payment } of accounts) {
      if (payment.type === 'card')
        byCard.set(payment.cardFingerprint, [...(byCard.get(payment.cardFingerprint) ?? []), id]);
    }
    await this.cardIndex.updateMany(byCard.keys(), (fingerprint, ids = []) => [
      ...new Set([...ids, ...(byCard.get(fingerprint) ?? [])]),
    ]);
    return accounts;
  }

  async update(id: string, change: (account: Account) => Account): Promise<Account | undefined> {
    const updated = await this.accounts.update(id, (current) => (current === undefined ? undefined : change(current)));
    if (updated?.phone && (await this.phoneIndex.get(updated.phone)) !== id)
      await this.phoneIndex.set(updated.phone, id);
    const teamsKey = updated?.teamsAadObjectId?.toLowerCase();
    if (teamsKey && (await this.teamsIndex.get(teamsKey)) !== id) await this.teamsIndex.set(teamsKey, id);
    return updated;
  }

  isEmpty(): Promise<boolean> {
    return this.emailIndex.isEmpty();
  }

  async *all(pageSize = 1000): AsyncGenerator<Account[]> {
    let page: Account[] = [];
    for await (const [, account] of this.accounts.entries()) {
      page.push(account);
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}

type RequestSlots = Partial<Record<ResetPurpose, ResetRequest>>;

/** Each account keeps one live request per purpose; a secret-hash index finds it from a link. */
export class JsonResetRequestRepository implements ResetRequestRepository {
  private readonly requests: ShardedCollection<RequestSlots>;
  private readonly secretIndex: ShardedCollection<{ accountId: string; purpose: ResetPurpose }>;

  constructor(dataDir: string) {
    this.requests = new ShardedCollection(path.join(dataDir, 'resets'));
    this.secretIndex = new ShardedCollection(path.join(dataDir, 'index', 'reset-secrets'));
  }

  async init(): Promise<void> {
    await Promise.all([this.requests.init(), this.secretIndex.init()]);
  }

  async replace(request: ResetRequest): Promise<void> {
    await this.secretIndex.set(request.secretHash, { accountId: request.accountId, purpose: request.purpose });
    let superseded: ResetRequest | undefined;
    await this.requests.update(request.accountId, (slots = {}) => {
      superseded = slots[request.purpose];
      return { ...slots, [request.purpose]: request };
    });
    if (superseded && superseded.secretHash !== request.secretHash) {
      await this.secretIndex.delete(superseded.secretHash);
    }
  }

  async findBySecretHash(secretHash: string): Promise<ResetRequest | undefined> {
    const entry = await this.secretIndex.get(secretHash);
    if (!entry) return undefined;
    const request = await this.findCurrent(entry.accountId, entry.purpose);
    return request?.secretHash === secretHash ? request : undefined;
  }

  async findCurrent(accountId: string, purpose: ResetPurpose): Promise<ResetRequest | undefined> {
    return (await this.requests.get(accountId))?.[purpose];
  }

  async markUsed(request: ResetRequest, at: Date): Promise<void> {
    await this.requests.update(request.accountId, (slots = {}) => {
      const current = slots[request.purpose];
      if (current?.id !== request.id) return slots;
      return { ...slots, [request.purpose]: { ...current, usedAt: at.toISOString() } };
    });
  }
}

/** Code challenges by conversation, and the newest challenge per number. */
export class JsonSmsChallengeRepository implements SmsChallengeRepository {
  private readonly challenges: ShardedCollection<SmsChallenge>;
  private readonly latest: ShardedCollection<string>;

  constructor(dataDir: string) {
    this.challenges = new ShardedCollection(path.join(dataDir, 'sms-challenges'));
    this.latest = new ShardedCollection(path.join(dataDir, 'index', 'sms-latest'));
  }

  async init(): Promise<void> {
    await Promise.all([this.challenges.init(), this.latest.init()]);
  }

  get(conversationId: string): Promise<SmsChallenge | undefined> {
    return this.challenges.get(conversationId);
  }

  async put(challenge: SmsChallenge): Promise<void> {
    await this.challenges.set(challenge.conversationId, challenge);
    await this.latest.set(challenge.phoneKey, challenge.id);
  }

  update(conversationId: string, change: (challenge: SmsChallenge) => SmsChallenge): Promise<SmsChallenge | undefined> {
    return this.challenges.update(conversationId, (current) => (current === undefined ? undefined : change(current)));
  }

  latestFor(phoneKey: string): Promise<string | undefined> {
    return this.latest.get(phoneKey);
  }
}

/** Offers of the new-password page by conversation, and an index from the page's ticket hash. */
export class JsonPasswordPageRepository implements PasswordPageRepository {
  private readonly offers: ShardedCollection<PasswordPageOffer>;
  private readonly tickets: ShardedCollection<string>;

  constructor(dataDir: string) {
    this.offers = new ShardedCollection(path.join(dataDir, 'password-pages'));
    this.tickets = new ShardedCollection(path.join(dataDir, 'index', 'password-page-tickets'));
  }

  async init(): Promise<void> {
    await Promise.all([this.offers.init(), this.tickets.init()]);
  }

  async putOffer(offer: PasswordPageOffer): Promise<void> {
    const previous = await this.offers.get(offer.conversationId);
    await this.offers.set(offer.conversationId, offer);
    if (previous?.ticketHash) await this.tickets.delete(previous.ticketHash);
  }

  getOffer(conversationId: string): Promise<PasswordPageOffer | undefined> {
    return this.offers.get(conversationId);
  }

  async openTicket(conversationId: string, ticketHash: string, expiresAt: string): Promise<void> {
    let previous: string | undefined;
    await this.offers.update(conversationId, (offer) => {
      previous = offer?.ticketHash;
      return offer && { ...offer, ticketHash, ticketExpiresAt: expiresAt };
    });
    await this.tickets.set(ticketHash, conversationId);
    if (previous) await this.tickets.delete(previous);
  }

  async findByTicket(ticketHash: string): Promise<PasswordPageOffer | undefined> {
    const conversationId = await this.tickets.get(ticketHash);
    const offer = conversationId === undefined ? undefined : await this.offers.get(conversationId);
    return offer?.ticketHash === ticketHash ? offer : undefined;
  }

  async deleteOffer(conversationId: string): Promise<void> {
    const offer = await this.offers.get(conversationId);
    if (!offer) return;
    await this.offers.delete(conversationId);
    if (offer.ticketHash) await this.tickets.delete(offer.ticketHash);
  }
}

/** Records with an id, kept whole and changed one at a time. */
class JsonRecords<T extends { id: string }> {
  protected readonly records: ShardedCollection<T>;

  constructor(dir: string) {
    this.records = new ShardedCollection(dir);
  }

  init(): Promise<void> {
    return this.records.init();
  }

  async put(record: T): Promise<void> {
    await this.records.set(record.id, record);
  }

  get(id: string): Promise<T | undefined> {
    return this.records.get(id);
  }

  update(id: string, change: (record: T) => T): Promise<T | undefined> {
    return this.records.update(id, (current) => (current === undefined ? undefined : change(current)));
  }
}

/** The conversations of the bot's own web chat endpoint, by id. */
export class JsonWebChatConversationRepository
  extends JsonRecords<WebChatConversation>
  implements WebChatConversationRepository
{
  constructor(dataDir: string) {
    super(path.join(dataDir, 'webchat-conversations'));
  }
}

/** Support escalations by id. */
export class JsonEscalationRepository extends JsonRecords<Escalation> implements EscalationRepository {
  constructor(dataDir: string) {
    super(path.join(dataDir, 'escalations'));
  }
}

/** Support tickets by id, and the newest ticket of each conversation. */
export class JsonTicketRepository extends JsonRecords<Ticket> implements TicketRepository {
  /** Conversation id → its newest ticket's id; the ticket itself says whether it is still open. */
  private readonly byConversation: ShardedCollection<string>;

  constructor(dataDir: string) {
    super(path.join(dataDir, 'tickets'));
    this.byConversation = new ShardedCollection(path.join(dataDir, 'index', 'tickets-by-conversation'));
  }

  override async init(): Promise<void> {
    await Promise.all([super.init(), this.byConversation.init()]);
  }

  override async put(ticket: Ticket): Promise<void> {
    await super.put(ticket);
    await this.byConversation.set(ticket.conversationId, ticket.id);
  }

  async openFor(conversationId: string): Promise<Ticket | undefined> {
    const id = await this.byConversation.get(conversationId);
    const ticket = id === undefined ? undefined : await this.records.get(id);
    return ticket?.state === 'open' ? ticket : undefined;
  }
}

/** The support channel an admin registered, in one small file, `DATA_DIR/support-channel.json`. */
export class JsonSupportChannelRepository implements SupportChannelRepository {
  private readonly file: AtomicJsonFile<SupportChannelRegistration>;
  private cached: SupportChannelRegistration | null | undefined;

  constructor(dataDir: string) {
    this.file = new AtomicJsonFile(path.join(dataDir, 'support-channel.json'));
  }

  async init(): Promise<void> {}

  async get(): Promise<SupportChannelRegistration | undefined> {
    if (this.cached === undefined) this.cached = await this.file.read();
    return this.cached ?? undefined;
  }

  async register(channel: SupportChannelRegistration): Promise<void> {
    await this.file.write(channel);
    this.cached = channel;
  }
}
