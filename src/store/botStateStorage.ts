import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Logger } from '../security/logger.js';
import { KeyFileStore } from './keyFileStore.js';

type StoredItem = Record<string, unknown> & { eTag: string };

export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Storage: the item "${key}" was changed by another turn`);
    this.name = 'ETagConflictError';
  }
}

/**
 * Whether a turn failed because another turn saved the conversation's state first. By name: the
 * PostgreSQL store is loaded on demand, and a loader may give it its own copy of this module.
 */
export function isETagConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'ETagConflictError';
}

/**
 * Bot Framework conversation and user state in JSON files, one per key, written atomically
 * right after the turn (KeyFileStore), so a journey survives a restart. Honours eTags so two
 * turns never overwrite each other unseen.
 */
export class JsonFileBotStorage implements Storage {
  private readonly files: KeyFileStore<StoredItem>;

  constructor(dir: string, logger: Logger) {
    this.files = new KeyFileStore(dir, logger);
  }

  init(): Promise<void> {
    return this.files.init();
  }

  /** Every change on disk: before the process ends. */
  flush(): Promise<void> {
    return this.files.flush();
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const item = await this.files.get(key);
        if (item !== undefined) items[key] = item;
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(([key, change]) => {
        const expected = (change as { eTag?: string }).eTag;
        // The store keeps its own copy (serialized at once): no clone needed here.
        const stored = { ...(change as Record<string, unknown>), eTag: randomUUID() };
        // Without an eTag to match (none, or "*", which the SDK's state sends) the record is
        // replaced without being read: reading it would only parse what is then thrown away.
        if (!expected || expected === '*') return this.files.put(key, stored);
        return this.files.update(key, (current) => {
          if (current && expected !== current.eTag) throw new ETagConflictError(key);
          return stored;
        });
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.files.delete(key)));
  }
}
