import type { Logger } from '../../security/logger.js';
import type { Repositories } from '../../services.js';
import { Database } from './database.js';
import {
  PgAccountRepository,
  PgAuditTrail,
  PgBotStorage,
  PgConversationReferenceRepository,
  PgEscalationRepository,
  PgPasswordPageRepository,
  PgResetRequestRepository,
  PgSmsChallengeRepository,
  PgSupportChannelRepository,
  PgTicketRepository,
  PgWebChatConversationRepository,
} from './repositories.js';

/** Every repository on the PostgreSQL database of `url`, its schema brought up to date first when asked. */
export async function openPostgresStore(url: string, migrate: boolean, logger: Logger): Promise<Repositories> {
  const database = new Database(url, logger);
  if (migrate) await database.migrate();
  return {
    accounts: new PgAccountRepository(database),
    requests: new PgResetRequestRepository(database),
    challenges: new PgSmsChallengeRepository(database),
    pages: new PgPasswordPageRepository(database),
    escalations: new PgEscalationRepository(database),
    tickets: new PgTicketRepository(database),
    supportChannel: new PgSupportChannelRepository(database),
    webChats: new PgWebChatConversationRepository(database),
    references: new PgConversationReferenceRepository(database),
    botStorage: new PgBotStorage(database),
    audit: new PgAuditTrail(database, logger),
    database,
    reachable: () => database.reachable(),
    atomically: (work) => database.transaction(() => work()),
    close: () => database.close(),
  };
}
