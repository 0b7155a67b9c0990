import type { Logger } from '../security/logger.js';
import { KeyFileStore } from './keyFileStore.js';

/** Where to reach each conversation later (serviceUrl, ids), by conversation id. Opaque here. */
export interface ConversationReferenceRepository {
  get(conversationId: string): Promise<object | undefined>;
  put(conversationId: string, reference: object): Promise<void>;
}

/** One small file per conversation under `DATA_DIR/conversation-references`. */
export class JsonConversationReferenceRepository implements ConversationReferenceRepository {
  private readonly store: KeyFileStore<object>;

  constructor(dataDir: string, logger: Logger) {
    this.store = new KeyFileStore(`${dataDir}/conversation-references`, logger);
  }

  init(): Promise<void> {
    return this.store.init();
  }

  /** Every change on disk: before the process ends. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  get(conversationId: string): Promise<object | undefined> {
    return this.store.get(conversationId);
  }

  async put(conversationId: string, reference: object): Promise<void> {
    await this.store.put(conversationId, reference);
  }
}
