import { IntentRecognizer } from '../dialogs/intents.js';
import type { DialogServices } from '../dialogs/services.js';
import { LOCALES, type Config } from './config.js';
import { createTexts, type Texts } from './i18n.js';
import { createEmailSender, type EmailSender } from './messaging/email.js';
import { EmailNotifier } from './messaging/emailNotifier.js';
import { createSmsSender, type SmsSender } from './messaging/sms.js';
import { SmsNotifier } from './messaging/smsNotifier.js';
import { AccountService } from './recovery/accounts.js';
import { BillingRecoveryService } from './recovery/billingRecovery.js';
import { seedDemoAccounts } from './recovery/demoAccounts.js';
import { IdentityService } from './recovery/identity.js';
import { loadPartners } from './recovery/partners.js';
import { PasswordChangeService } from './recovery/passwordChange.js';
import { PasswordPageService } from './recovery/passwordPages.js';
import { PhoneChangeService } from './recovery/phoneChange.js';
import { PasswordPolicy } from './recovery/passwordPolicy.js';
import { ResetRequestLimits } from './recovery/requestLimits.js';
import { ResetService } from './recovery/resetService.js';
import { SmsResetService } from './recovery/smsReset.js';
import { FileAuditTrail } from './security/audit.js';
import { OutboxTicketSink } from './messaging/supportOutbox.js';
import { EscalationService } from './support/escalations.js';
import { ChannelOrOutboxSink, SupportChannelStore } from './support/supportChannel.js';
import { IntentClassifier } from './nlu/classifier.js';
import { TicketService } from './support/tickets.js';
import { loadCardHmacKey } from './security/cardFingerprint.js';
import type { Logger } from './security/logger.js';
import { RateLimits } from './security/rateLimits.js';
import { JsonFileBotStorage } from './store/botStateStorage.js';
import {
  JsonAccountRepository,
  JsonEscalationRepository,
  JsonPasswordPageRepository,
  JsonTicketRepository,
  JsonResetRequestRepository,
  JsonSmsChallengeRepository,
} from './store/jsonRepositories.js';
import { BackgroundTasks } from './tasks.js';

export interface ServiceOptions {
  logger: Logger;
  /** Replaces the configured mail sender. */
  emailSender?: EmailSender;
  /** Replaces the configured SMS sender. */
  smsSender?: SmsSender;
  now?: () => Date;
}

export interface Services {
  texts: Texts;
  accounts: AccountService;
  reset: ResetService;
  sms: SmsResetService;
  passwordPages: PasswordPageService;
  ticketSink: ChannelOrOutboxSink;
  supportChannel: SupportChannelStore;
  /** The server's secret key (CARD_HMAC_KEY, or the generated development key). */
  secretKey: string;
  audit: FileAuditTrail;
  tasks: BackgroundTasks;
  limits: RateLimits;
  emailSender: EmailSender;
  botStorage: JsonFileBotStorage;
  dialogServices: DialogServices;
}

/** Every kind of record the bot keeps, each behind its repository: the one place that picks the store. */
interface Repositories {
  accounts: JsonAccountRepository;
  requests: JsonResetRequestRepository;
  challenges: JsonSmsChallengeRepository;
  pages: JsonPasswordPageRepository;
  escalations: JsonEscalationRepository;
  tickets: JsonTicketRepository;
  botStorage: JsonFileBotStorage;
}

/** The embedded JSON store under DATA_DIR, opened (directories made, stale temp files removed). */
async function openJsonStore(dataDir: string): Promise<Repositories> {
  const store: Repositories = {
    accounts: new JsonAccountRepository(dataDir),
    requests: new JsonResetRequestRepository(dataDir),
    challenges: new JsonSmsChallengeRepository(dataDir),
    pages: new JsonPasswordPageRepository(dataDir),
    escalations: new JsonEscalationRepository(dataDir),
    tickets: new JsonTicketRepository(dataDir),
    botStorage: new JsonFileBotStorage(`${dataDir}/conversations`),
  };
  await Promise.all(Object.values(store).map((repository) => repository.init()));
  return store;
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

/** The store and the domain services behind both the chat and the web pages. */
export async function createServices(config: Config, options: ServiceOptions): Promise<Services> {
  const { logger } = options;
  const store = await openJsonStore(config.dataDir);
  const {
    accounts: accountsRepo,
    requests: requestsRepo,
    challenges: challengesRepo,
    pages: pagesRepo,
    escalations: escalationsRepo,
    tickets: ticketsRepo,
    botStorage,
  } = store;

  const texts = createTexts(config.serviceName);
  const audit = new FileAuditTrail(config.dataDir, logger);
  const tasks = new BackgroundTasks(logger);
  const limits = new RateLimits(config.limits);
  const requestLimits = new ResetRequestLimits(limits, audit);
  const emailSender =
    options.emailSender ??
    createEmailSender({ smtpUrl: config.smtpUrl, from: config.emailFrom, dataDir: config.dataDir });
  const cardKey = await loadCardHmacKey(config.cardHmacKey, config.dataDir);
  const accounts = new AccountService(accountsRepo, cardKey, audit, config.defaultRegion);
  const accountNotifier = new EmailNotifier(emailSender, texts, config.defaultTimeZone);
  const reset = new ResetService(
    accountsRepo,
    requestsRepo,
    new PasswordPolicy(config.passwordMinLength, config.serviceName),
    accountNotifier,
    requestLimits,
    audit,
    tasks,
    {
      linkTtlMs: config.resetLinkTtlMs,
      passwordHistory: config.passwordHistory,
      publicBaseUrl: config.publicBaseUrl,
      ...(options.now ? { now: options.now } : {}),
    },
  );
  const smsSender =
    options.smsSender ??
    (await createSmsSender({ twilio: config.twilio, dataDir: config.dataDir, publicBaseUrl: config.publicBaseUrl }));
  const codeNotifier = new SmsNotifier(smsSender, texts);
  const codeOptions = {
    codeTtlMs: config.smsCodeTtlMs,
    defaultRegion: config.defaultRegion,
    secretKey: cardKey,
    ...(options.now ? { now: options.now } : {}),
  };
  const sms = new SmsResetService(
    accountsRepo,
    requestsRepo,
    challengesRepo,
    codeNotifier,
    requestLimits,
    audit,
    tasks,
    codeOptions,
  );
  const billing = new BillingRecoveryService(accountsRepo, reset, limits, audit, tasks, {
    cardHmacKey: cardKey,
    regions: config.billingRecoveryRegions,
    partners: await loadPartners(config.partnersFile),
  });
  const phoneChange = new PhoneChangeService(
    accountsRepo,
    requestsRepo,
    codeNotifier,
    accountNotifier,
    requestLimits,
    audit,
    tasks,
    codeOptions,
  );
  const passwordChange = new PasswordChangeService(accountsRepo, requestsRepo, limits, audit, {
    ...(options.now ? { now: options.now } : {}),
  });
  const passwordPages = new PasswordPageService(pagesRepo, reset, { ...(options.now ? { now: options.now } : {}) });
  const escalations = new EscalationService(escalationsRepo, audit, logger, options.now);
  const ticketSink = new ChannelOrOutboxSink(
    new OutboxTicketSink(config.dataDir),
    (name, task) => tasks.run(name, task),
    logger,
  );
  const tickets = new TicketService(ticketsRepo, ticketSink, audit, limits, logger, options.now);
  if (config.seedDemoAccounts) await seedDemoAccounts(accountsRepo, accounts, logger);

  const dialogServices: DialogServices = {
    texts,
    intents: new IntentRecognizer(texts, LOCALES),
    understanding: await IntentClassifier.fromRepository(),
    reset,
    sms,
    billing,
    identity: new IdentityService(accountsRepo),
    passwordChange,
    phoneChange,
    passwordPages,
    escalations,
    tickets,
    settings: dialogSettings(config),
  };
  return {
    texts,
    accounts,
    reset,
    sms,
    passwordPages,
    ticketSink,
    supportChannel: new SupportChannelStore(config.dataDir),
    secretKey: cardKey,
    audit,
    tasks,
    limits,
    emailSender,
    botStorage,
    dialogServices,
  };
}
