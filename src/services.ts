import { IntentRecognizer } from '../dialogs/intents.js';
import type { DialogServices } from '../dialogs/services.js';
import { LOCALES, type Config } from './config.js';
import { createTexts, type Texts } from './i18n.js';
import { createEmailSender, type EmailSender } from './messaging/email.js';
import { EmailNotifier } from './messaging/emailNotifier.js';
import { AccountService } from './recovery/accounts.js';
import { seedDemoAccounts } from './recovery/demoAccounts.js';
import { PasswordPolicy } from './recovery/passwordPolicy.js';
import { ResetService } from './recovery/resetService.js';
import { FileAuditTrail } from './security/audit.js';
import { loadCardHmacKey } from './security/cardFingerprint.js';
import type { Logger } from './security/logger.js';
import { RateLimits } from './security/rateLimits.js';
import { JsonFileBotStorage } from './store/botStateStorage.js';
import { JsonAccountRepository, JsonResetRequestRepository } from './store/jsonRepositories.js';
import { BackgroundTasks } from './tasks.js';

export interface ServiceOptions {
  logger: Logger;
  /** Replaces the configured mail sender. */
  emailSender?: EmailSender;
  now?: () => Date;
}

export interface Services {
  texts: Texts;
  accounts: AccountService;
  reset: ResetService;
  audit: FileAuditTrail;
  tasks: BackgroundTasks;
  limits: RateLimits;
  emailSender: EmailSender;
  botStorage: JsonFileBotStorage;
  dialogServices: DialogServices;
}

/** The store and the domain services behind both the chat and the web pages. */
export async function createServices(config: Config, options: ServiceOptions): Promise<Services> {
  const { logger } = options;
  const accountsRepo = new JsonAccountRepository(config.dataDir);
  const requestsRepo = new JsonResetRequestRepository(config.dataDir);
  const botStorage = new JsonFileBotStorage(`${config.dataDir}/conversations`);
  await Promise.all([accountsRepo.init(), requestsRepo.init(), botStorage.init()]);

  const texts = createTexts(config.serviceName);
  const audit = new FileAuditTrail(config.dataDir, logger);
  const tasks = new BackgroundTasks(logger);
  const limits = new RateLimits(config.limits);
  const emailSender =
    options.emailSender ??
    createEmailSender({ smtpUrl: config.smtpUrl, from: config.emailFrom, dataDir: config.dataDir });
  const accounts = new AccountService(accountsRepo, await loadCardHmacKey(config.cardHmacKey, config.dataDir), audit);
  const reset = new ResetService(
    accountsRepo,
    requestsRepo,
    new PasswordPolicy(config.passwordMinLength, config.serviceName),
    new EmailNotifier(emailSender, texts),
    limits,
    audit,
    tasks,
    {
      linkTtlMs: config.resetLinkTtlMs,
      passwordHistory: config.passwordHistory,
      publicBaseUrl: config.publicBaseUrl,
      ...(options.now ? { now: options.now } : {}),
    },
  );
  if (config.seedDemoAccounts) await seedDemoAccounts(accountsRepo, accounts, logger);

  const dialogServices: DialogServices = {
    texts,
    intents: new IntentRecognizer(texts, LOCALES),
    reset,
    settings: {
      defaultLocale: config.defaultLocale,
      publicBaseUrl: config.publicBaseUrl,
      passwordMinLength: config.passwordMinLength,
      resetLinkTtlMs: config.resetLinkTtlMs,
    },
  };
  return { texts, accounts, reset, audit, tasks, limits, emailSender, botStorage, dialogServices };
}
