import { KeyFileStore } from './keyFileStore.js';

/** Where to reach each conversation later (serviceUrl, ids), by conversation id. Opaque here. */
export interface ConversationReferenceRepository {
  get(conversationId: string): Promise<object | undefined>;
  put(conversationId: string, reference: object): Promise<void>;
}

/** One small file per conversation under `DATA_DIR/conversation-references`. */
export class JsonConversationReferenceRepository implements ConversationReferenceRepository {
  private readonly store: KeyFileStore<object>;

  constructor(dataDir: string) {
    this.store = new KeyFileStore(`${dataDir}/conversation-references`);
  }

  init(): Promise<void> {
    return this.store.init();
  }

  get(conversationId: string): Promise<object | undefined> {
    return this.store.get(conversationId);
  }

  async put(conversationId: string, reference: object): Promise<void> {
    await this.store.update(conversationId, () => reference);
  }
}
