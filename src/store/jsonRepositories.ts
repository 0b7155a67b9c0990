import path from 'node:path';
import type {
  Account,
  AccountRepository,
  ResetPurpose,
  ResetRequest,
  ResetRequestRepository,
} from '../recovery/types.js';
import { ShardedCollection } from './shardedCollection.js';

/** Accounts in sharded lowdb files, with an email index so a lookup reads one small shard. */
export class JsonAccountRepository implements AccountRepository {
  private readonly accounts: ShardedCollection<Account>;
  private readonly emailIndex: ShardedCollection<string>;

  constructor(dataDir: string) {
    this.accounts = new ShardedCollection(path.join(dataDir, 'accounts'));
    this.emailIndex = new ShardedCollection(path.join(dataDir, 'index', 'email'));
  }

  async init(): Promise<void> {
    await Promise.all([this.accounts.init(), this.emailIndex.init()]);
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
    const accounts: Account[] = [];
    for (const [email, build] of byEmail) {
      const existingId = await this.emailIndex.get(email);
      const existing = existingId === undefined ? undefined : await this.accounts.get(existingId);
      accounts.push(build(existing));
    }
    // Accounts first: an index entry never points at an account that is not there.
    await this.accounts.setMany(accounts.map((account) => [account.id, account]));
    await this.emailIndex.setMany(accounts.map((account) => [account.email, account.id]));
    return accounts;
  }

  async update(id: string, change: (account: Account) => Account): Promise<Account | undefined> {
    return this.accounts.update(id, (current) => (current === undefined ? undefined : change(current)));
  }

  isEmpty(): Promise<boolean> {
    return this.emailIndex.isEmpty();
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
