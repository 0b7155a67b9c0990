import type { CloudAdapter, TurnContext } from 'botbuilder';
import { TurnConversationState } from './conversationState.js';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Server } from 'restify';
import { MainDialog } from '../dialogs/mainDialog.js';
import { localeOf } from '../dialogs/services.js';
import { PASSWORD_PAGE_DONE, PHONE_CODE_NOT_SENT } from '../dialogs/teams.js';
import { PasswordHelpBot } from './bot.js';
import type { Config } from './config.js';
import { ConversationReferenceStore } from './conversationReferences.js';
import { isWebChatConversation } from './directline/webChatConversations.js';
import { DuplicateActivityFilter } from './duplicateFilter.js';
import { createAdapter, createServer, recoverFailedTurns, registerBotEndpoint, registerOperations } from './host.js';
import { createTexts } from './i18n.js';
import { ProactiveTurns } from './proactive.js';
import type { AccountService } from './recovery/accounts.js';
import type { ResetService } from './recovery/resetService.js';
import {
  createServices,
  openSharedState,
  openStore,
  type ServiceOptions,
  type Services,
  type SharedState,
} from './services.js';
import { SupportDesk } from './support/desk.js';
import { TeamsSupportChannel } from './teamsSupportChannel.js';
import { TypingIndicator } from './typingIndicator.js';
import { mountWebChat, webChatServiceUrl } from './webChat.js';
import { registerResetPage } from './web/resetPage.js';
import { registerSupportApi } from './web/supportApi.js';
import { registerTeamsPasswordPage, TEAMS_PASSWORD_PATH } from './web/teamsPasswordPage.js';
import { registerTwilioStatus } from './web/twilioStatus.js';

export interface AppOptions extends ServiceOptions {
  /**
   * Credentials for the bot's calls to the channel. Tests give a stand-in, since the real ones
   * come from Microsoft Entra ID (MSAL, https only); unset in production.
   */
  channelCredentials?: ServiceClientCredentialsFactory;
}

export interface App {
  server: Server;
  adapter: CloudAdapter;
  accounts: AccountService;
  reset: ResetService;
  audit: Services['audit'];
  /** Resolves once background work (mail, lookups) started so far has finished. */
  idle(): Promise<void>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires config → store → services → bot → adapter → server, in that order. Nothing listens
 * until `listen()`.
 */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const { adapter, authentication } = createAdapter(config, options.channelCredentials);
  const store = await openStore(config, logger);
  const shared = await openSharedState(config, logger);
  // The one loop between the parts: the bot's dialogs open tickets that reach the support
  // channel, and support starts the bot's dialogs from there. It closes here: the turns the app
  // starts itself run the bot made a few lines below, and none starts before `listen()`.
  const references = new ConversationReferenceStore(store.references);
  const turns = new ProactiveTurns(adapter, config.bot.appId, references, (context) => bot.run(context));
  const texts = createTexts(config.serviceName);
  const supportChannel = new TeamsSupportChannel({
    turns,
    registration: store.supportChannel,
    texts,
    defaultLocale: config.defaultLocale,
  });
  const services = await createServices(config, options, {
    store,
    counters: shared.counters,
    texts,
    supportChannel,
    onCodeNotSent: async ({ conversationId, locale, ending }) =>
      void (await turns.sendToConversation(conversationId, { name: PHONE_CODE_NOT_SENT, value: { ending }, locale })),
  });
  const { tickets, escalations } = services.dialogServices;
  const desk = new SupportDesk(tickets, escalations, supportChannel, logger);
  const bot = createBot(config, services, desk);

  const server = createServer(config, logger);
  const streams = mountWebChat(server, {
    config,
    services,
    adapter,
    authentication,
    bot,
    log: shared.activityLog,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  useMiddleware(adapter, services, shared, references, bot);
  registerBotEndpoint(server, {
    adapter,
    logger,
    ownServiceUrl: webChatServiceUrl(config),
    isOwnConversation: isWebChatConversation,
    run: (context) => bot.run(context),
  });
  registerRoutes(server, config, services, { turns, desk });
  registerOperations(server, {
    ready: async () => (await store.reachable()) && (await shared.reachable()),
    metrics: () => services.metrics.text(),
  });
  return appHandle(server, adapter, config, services, { closeStreams: () => streams.close(), shared });
}

/**
 * The rest of the adapter's middleware, after the web chat's delivery: the conversation state's
 * early read, metrics, the duplicate filter, conversation references, typing; and what a failed
 * turn does.
 */
function useMiddleware(
  adapter: CloudAdapter,
  services: Services,
  shared: SharedState,
  references: ConversationReferenceStore,
  bot: PasswordHelpBot,
): void {
  adapter.use(bot.conversationState.prefetch());
  adapter.use(services.metrics.middleware());
  adapter.use(new DuplicateActivityFilter(shared.seen));
  adapter.use(references);
  adapter.use(new TypingIndicator(500, 2000));
  const say = (key: string) => (context: TurnContext) =>
    services.texts.t(localeOf(context, services.dialogServices), key);
  recoverFailedTurns(adapter, {
    conversationState: bot.conversationState,
    logger: services.logger,
    errorText: say('error'),
    conflictText: say('stateConflict'),
  });
}

/** The bot on the conversation state, with its main dialog and the support channel's commands. */
function createBot(config: Config, services: Services, desk: SupportDesk): PasswordHelpBot {
  const { dialogServices } = services;
  return new PasswordHelpBot(
    new TurnConversationState(services.store.botStorage),
    new MainDialog(dialogServices),
    dialogServices,
    {
      passwordPageUrl: (token) => `${config.publicBaseUrl}${TEAMS_PASSWORD_PATH}?token=${encodeURIComponent(token)}`,
    },
    { store: services.store.supportChannel, admins: new Set(config.supportAdmins), desk },
  );
}

/** The web pages and the APIs besides the chat: the reset page, the Teams dialog page, support's API, Twilio's callbacks. */
function registerRoutes(
  server: Server,
  config: Config,
  services: Services,
  { turns, desk }: { turns: ProactiveTurns; desk: SupportDesk },
): void {
  const { texts, limits, audit, tasks, dialogServices, logger } = services;
  const { settings } = dialogServices;
  registerResetPage(server, { reset: services.reset, limits, texts, logger, settings });
  registerTeamsPasswordPage(server, {
    pages: services.passwordPages,
    limits,
    texts,
    logger,
    tasks,
    settings,
    onPasswordSet: (offer) =>
      turns.send(offer.reply, {
        name: PASSWORD_PAGE_DONE,
        value: { requestId: offer.grant.requestId },
        locale: offer.locale,
      }),
  });
  registerSupportApi(server, {
    escalations: dialogServices.escalations,
    limits,
    logger,
    supportApiKey: config.supportApiKey,
    desk,
  });
  registerTwilioStatus(server, { twilio: config.twilio, publicBaseUrl: config.publicBaseUrl, audit, limits, logger });
}

/** What the caller holds: the server to listen and close, and what the tests look into. */
function appHandle(
  server: Server,
  adapter: CloudAdapter,
  config: Config,
  services: Services,
  { closeStreams, shared }: { closeStreams: () => void; shared: SharedState },
): App {
  const { tasks } = services;
  return {
    server,
    adapter,
    accounts: services.accounts,
    reset: services.reset,
    audit: services.audit,
    idle: () => tasks.idle(),
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve(server.url));
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closeStreams();
      // Keep-alive connections of pollers (web chat) would hold the close open; idle ones go now.
      server.server.closeIdleConnections();
      await closed;
      await tasks.close();
      services.emailSender.close?.();
      await shared.close();
      await services.store.close();
    },
  };
}
