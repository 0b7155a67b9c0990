import { IntentRecognizer } from '../dialogs/intents.js';
import type { DialogServices } from '../dialogs/services.js';
import type { Storage } from 'botbuilder';
import type { WebChatConversationRepository } from './directline/webChatConversations.js';
import type { PasswordPageRepository } from './recovery/passwordPages.js';
import type { AccountRepository, ResetRequestRepository, SmsChallengeRepository } from './recovery/types.js';
import type { AuditTrail } from './security/audit.js';
import {
  JsonConversationReferenceRepository,
  type ConversationReferenceRepository,
} from './store/conversationReferenceRepository.js';
import type { Database } from './store/postgres/database.js';
import type { EscalationRepository } from './support/escalations.js';
import type { SupportChannelRepository } from './support/supportChannel.js';
import type { TicketRepository } from './support/tickets.js';
import { LOCALES, type Config } from './config.js';
import { createTexts, type Texts } from './i18n.js';
import { createEmailSender, type EmailSender } from './messaging/email.js';
import { EmailNotifier } from './messaging/emailNotifier.js';
import { createSmsSender, type SmsSender } from './messaging/sms.js';
import { SmsNotifier } from './messaging/smsNotifier.js';
import { OutboxTicketSink } from './messaging/supportOutbox.js';
import { IntentClassifier } from './nlu/classifier.js';
import { AccountService } from './recovery/accounts.js';
import { BillingRecoveryService } from './recovery/billingRecovery.js';
import { seedDemoAccounts } from './recovery/demoAccounts.js';
import { IdentityService } from './recovery/identity.js';
import { loadPartners } from './recovery/partners.js';
import { PasswordChangeService } from './recovery/passwordChange.js';
import { PasswordPageService } from './recovery/passwordPages.js';
import { PasswordPolicy } from './recovery/passwordPolicy.js';
import { PhoneChangeService, type CodeNotSent } from './recovery/phoneChange.js';
import { ResetRequestLimits } from './recovery/requestLimits.js';
import { ResetService } from './recovery/resetService.js';
import { SmsResetService } from './recovery/smsReset.js';
import { FileAuditTrail } from './security/audit.js';
import { loadCardHmacKey } from './security/cardFingerprint.js';
import type { Logger } from './security/logger.js';
import { memoryCounters, RateLimits, redisCounters, type CounterFactory } from './security/rateLimits.js';
import { SeenInMemory, SeenInRedis, type SeenActivities } from './duplicateFilter.js';
import { MemoryActivityLog, RedisActivityLog, type ActivityLog } from './directline/activityLog.js';
import { JsonFileBotStorage } from './store/botStateStorage.js';
import {
  JsonAccountRepository,
  JsonEscalationRepository,
  JsonPasswordPageRepository,
  JsonResetRequestRepository,
  JsonSmsChallengeRepository,
  JsonSupportChannelRepository,
  JsonTicketRepository,
  JsonWebChatConversationRepository,
} from './store/jsonRepositories.js';
import { EscalationService } from './support/escalations.js';
import { NO_SUPPORT_CHANNEL, type SupportChannel } from './support/supportChannel.js';
import { TicketService } from './support/tickets.js';
import { BackgroundTasks, DatabaseTasks } from './tasks.js';
import { CountedAuditTrail, Metrics } from './metrics.js';

/** Every kind of record the bot keeps, each behind its repository: the one place that picks the store. */
export interface Repositories {
  accounts: AccountRepository;
  requests: ResetRequestRepository;
  challenges: SmsChallengeRepository;
  pages: PasswordPageRepository;
  escalations: EscalationRepository;
  tickets: TicketRepository;
  supportChannel: SupportChannelRepository;
  webChats: WebChatConversationRepository;
  references: ConversationReferenceRepository;
  botStorage: Storage;
  audit: AuditTrail & { readAll(): Promise<object[]> };
  /** The database, when the store is PostgreSQL (its job queue and readiness use it). */
  database?: Database;
  /** Whether the store answers now (`/readyz`). */
  reachable(): Promise<boolean>;
  /** Runs changes that belong together as one (a transaction on PostgreSQL). */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * PostgreSQL when DATABASE_URL is set, else the embedded JSON store under DATA_DIR. The
 * PostgreSQL modules load only then, so the embedded store starts without them.
 */
export async function openStore(config: Config, logger: Logger): Promise<Repositories> {
  if (!config.databaseUrl) return openJsonStore(config.dataDir, logger);
  const { openPostgresStore } = await import('./store/postgres/store.js');
  return openPostgresStore(config.databaseUrl, config.migrateAtStart, logger);
}

/** The embedded JSON store under DATA_DIR, opened (directories made, stale temp files removed). */
async function openJsonStore(dataDir: string, logger: Logger): Promise<Repositories> {
  const files = {
    accounts: new JsonAccountRepository(dataDir),
    requests: new JsonResetRequestRepository(dataDir),
    challenges: new JsonSmsChallengeRepository(dataDir),
    pages: new JsonPasswordPageRepository(dataDir),
    escalations: new JsonEscalationRepository(dataDir),
    tickets: new JsonTicketRepository(dataDir),
    supportChannel: new JsonSupportChannelRepository(dataDir),
    webChats: new JsonWebChatConversationRepository(dataDir),
    references: new JsonConversationReferenceRepository(dataDir, logger),
    botStorage: new JsonFileBotStorage(`${dataDir}/conversations`, logger),
  };
  await Promise.all(Object.values(files).map((repository) => repository.init()));
  return {
    ...files,
    audit: new FileAuditTrail(dataDir, logger),
    reachable: async () => true,
    atomically: (work) => work(),
    // Conversation state and references are written right after their turn: all of it first.
    close: async () => {
      await Promise.all([files.botStorage.flush(), files.references.flush()]);
    },
  };
}

/** What the instances share for a short while: in this process, or in Redis when REDIS_URL is set. */
export interface SharedState {
  /** Where the rate limits count. */
  counters: CounterFactory;
  /** The duplicate filter's memory of activities already taken. */
  seen: SeenActivities;
  /** Web chat activities, and the fan-out to the instance that holds the socket. */
  activityLog: ActivityLog;
  /** Whether the shared cache answers now (`/readyz`). */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

/** In this process, or in Redis when REDIS_URL is set (whose client then loads). */
export async function openSharedState(config: Config, logger: Logger): Promise<SharedState> {
  if (!config.redisUrl)
    return {
      counters: memoryCounters,
      seen: new SeenInMemory(),
      activityLog: new MemoryActivityLog(),
      reachable: async () => true,
      close: async () => undefined,
    };
  const { SharedCache } = await import('./store/redis.js');
  const cache = new SharedCache(config.redisUrl, config.redisKeyPrefix, logger);
  return {
    counters: redisCounters(cache),
    seen: new SeenInRedis(cache),
    activityLog: new RedisActivityLog(cache),
    reachable: () => cache.reachable(),
    close: () => cache.close(),
  };
}

export interface ServiceOptions {
  logger: Logger;
  /** Replaces the configured mail sender. */
  emailSender?: EmailSender;
  /** Replaces the configured SMS sender. */
  smsSender?: SmsSender;
  now?: () => Date;
}

/** What the app adds when it builds the services for a running bot; the dialog tests go without. */
export interface ServiceConnections {
  /** The store already opened; else the JSON store under DATA_DIR is opened. */
  store?: Repositories;
  /** Where limits count; else in this process. */
  counters?: CounterFactory;
  /** The texts, when the app made them already (the support channel writes with them too). */
  texts?: Texts;
  /** Where tickets and outcomes go and how support reaches people; else tickets go to the outbox. */
  supportChannel?: SupportChannel;
  /** Tells a conversation that a code could not be sent after the chat answered. */
  onCodeNotSent?: (notice: CodeNotSent) => Promise<void>;
}

/** The pieces every service shares. */
interface Basics {
  config: Config;
  store: Repositories;
  options: ServiceOptions;
  texts: Texts;
  audit: Repositories['audit'];
  tasks: BackgroundTasks;
  limits: RateLimits;
  secretKey: string;
}

export interface Services extends Recovery {
  texts: Texts;
  store: Repositories;
  logger: Logger;
  /** The server's secret key (CARD_HMAC_KEY, or the generated development key). */
  secretKey: string;
  audit: Repositories['audit'];
  tasks: BackgroundTasks;
  limits: RateLimits;
  metrics: Metrics;
  dialogServices: DialogServices;
}

/** The store and the domain services behind the chat, the web pages and the support desk. */
export async function createServices(
  config: Config,
  options: ServiceOptions,
  connections: ServiceConnections = {},
): Promise<Services> {
  const { logger } = options;
  const store = connections.store ?? (await openStore(config, logger));
  const tasks = store.database
    ? new DatabaseTasks(store.database, logger, { leaseSeconds: config.taskLeaseMs / 1000 })
    : new BackgroundTasks(logger);
  const metrics = new Metrics(() => tasks.pending());
  const basics: Basics = {
    config,
    store,
    options,
    texts: connections.texts ?? createTexts(config.serviceName),
    audit: new CountedAuditTrail(store.audit, metrics),
    tasks,
    limits: new RateLimits(config.limits, connections.counters ?? memoryCounters),
    secretKey: await loadCardHmacKey(config.cardHmacKey, config.dataDir),
  };
  const recovery = await createRecovery(basics, connections.onCodeNotSent);
  const channel = connections.supportChannel ?? NO_SUPPORT_CHANNEL;
  const tickets = new TicketService(
    store.tickets,
    { channel, outbox: new OutboxTicketSink(config.dataDir), tasks },
    basics.audit,
    basics.limits,
    logger,
    options.now,
  );
  const escalations = new EscalationService(
    store.escalations,
    tickets,
    channel,
    basics.audit,
    logger,
    tasks,
    options.now,
  );
  if (config.seedDemoAccounts) await seedDemoAccounts(store.accounts, recovery.accounts, logger);
  const dialogServices: DialogServices = {
    texts: basics.texts,
    intents: new IntentRecognizer(basics.texts, LOCALES),
    understanding: await IntentClassifier.fromRepository(),
    reset: recovery.reset,
    sms: recovery.sms,
    billing: recovery.billing,
    phoneChange: recovery.phoneChange,
    passwordChange: recovery.passwordChange,
    passwordPages: recovery.passwordPages,
    identity: new IdentityService(store.accounts),
    escalations,
    tickets,
    settings: dialogSettings(config),
  };
  const { texts, audit, limits, secretKey } = basics;
  return { ...recovery, texts, store, logger, secretKey, audit, tasks, limits, metrics, dialogServices };
}

interface Recovery {
  accounts: AccountService;
  emailSender: EmailSender;
  reset: ResetService;
  sms: SmsResetService;
  billing: BillingRecoveryService;
  phoneChange: PhoneChangeService;
  passwordChange: PasswordChangeService;
  passwordPages: PasswordPageService;
}

/** The journeys' services: resets by link and by code, billing recovery, the signed-in changes. */
async function createRecovery(
  { config, store, options, texts, audit, tasks, limits, secretKey }: Basics,
  onCodeNotSent: ServiceConnections['onCodeNotSent'],
): Promise<Recovery> {
  const now = options.now ? { now: options.now } : {};
  const requestLimits = new ResetRequestLimits(limits, audit);
  const { emailSender, accountNotifier, codeNotifier } = await createNotifiers(config, options, texts);
  const reset = new ResetService(
    store.accounts,
    store.requests,
    new PasswordPolicy(config.passwordMinLength, config.serviceName),
    accountNotifier,
    requestLimits,
    audit,
    tasks,
    {
      linkTtlMs: config.resetLinkTtlMs,
      passwordHistory: config.passwordHistory,
      publicBaseUrl: config.publicBaseUrl,
      atomically: (work) => store.atomically(work),
      ...now,
    },
  );
  const codeOptions = { codeTtlMs: config.smsCodeTtlMs, defaultRegion: config.defaultRegion, secretKey, ...now };
  const { accounts, requests } = store;
  return {
    accounts: new AccountService(accounts, secretKey, audit, config.defaultRegion),
    emailSender,
    reset,
    sms: new SmsResetService(
      accounts,
      store.requests,
      store.challenges,
      codeNotifier,
      requestLimits,
      audit,
      tasks,
      codeOptions,
    ),
    billing: new BillingRecoveryService(accounts, reset, limits, audit, tasks, {
      cardHmacKey: secretKey,
      regions: config.billingRecoveryRegions,
      partners: await loadPartners(config.partnersFile),
    }),
    phoneChange: new PhoneChangeService(
      accounts,
      requests,
      codeNotifier,
      accountNotifier,
      requestLimits,
      audit,
      tasks,
      {
        ...codeOptions,
        ...(onCodeNotSent ? { onCodeNotSent } : {}),
      },
    ),
    passwordChange: new PasswordChangeService(accounts, requests, limits, audit, now),
    passwordPages: new PasswordPageService(store.pages, reset, now),
  };
}

/** Mail to the account's address and texts with codes, through the configured senders (or the outbox files). */
async function createNotifiers(
  config: Config,
  options: ServiceOptions,
  texts: Texts,
): Promise<{ emailSender: EmailSender; accountNotifier: EmailNotifier; codeNotifier: SmsNotifier }> {
  const emailSender =
    options.emailSender ??
    createEmailSender({ smtpUrl: config.smtpUrl, from: config.emailFrom, dataDir: config.dataDir });
  const smsSender =
    options.smsSender ??
    (await createSmsSender({ twilio: config.twilio, dataDir: config.dataDir, publicBaseUrl: config.publicBaseUrl }));
  return {
    emailSender,
    accountNotifier: new EmailNotifier(emailSender, texts, config.defaultTimeZone),
    codeNotifier: new SmsNotifier(smsSender, texts),
  };
}

/** What the dialogs need to know of the configuration. */
function dialogSettings(config: Config): DialogServices['settings'] {
  return {
    defaultLocale: config.defaultLocale,
    publicBaseUrl: config.publicBaseUrl,
    passwordMinLength: config.passwordMinLength,
    resetLinkTtlMs: config.resetLinkTtlMs,
    smsCodeTtlMs: config.smsCodeTtlMs,
    emailFrom: config.emailFrom,
    supportUrl: config.supportUrl,
    supportWaitMs: config.supportWaitMs,
    defaultRegion: config.defaultRegion,
  };
}
