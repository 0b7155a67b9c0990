import { ConversationState, type Activity, type CloudAdapter } from 'botbuilder';
import { AuthenticationConstants, ClaimsIdentity, type ServiceClientCredentialsFactory } from 'botframework-connector';
import { turnOf } from '../dialogs/turn.js';
import { ConversationLog } from './directline/conversationLog.js';
import { DirectLineDelivery } from './directline/delivery.js';
import { DIRECT_LINE_PATH, registerDirectLine } from './directline/directLineServer.js';
import { attachDirectLineStream } from './directline/stream.js';
import { DirectLineTokens } from './directline/tokens.js';
import { isWebChatConversation, WebChatConversations } from './directline/webChatConversations.js';
import { JsonWebChatConversationRepository } from './store/jsonRepositories.js';
import { keyedHash } from './recovery/secrets.js';
import { SupportDesk } from './support/desk.js';
import { registerSupportApi } from './web/supportApi.js';
import { registerWebChatApi } from './web/webChatApi.js';
import { registerWebChatPage } from './web/webChatPage.js';
import type { Server } from 'restify';
import { MainDialog } from '../dialogs/mainDialog.js';
import { localeOf } from '../dialogs/services.js';
import {
  PASSWORD_PAGE_DONE,
  PHONE_CODE_NOT_SENT,
  SUPPORT_CARD,
  SUPPORT_ESCALATION,
  SUPPORT_OUTCOME,
  SUPPORT_RELEASED,
  SUPPORT_TICKET,
} from '../dialogs/teams.js';
import { ConversationReferenceStore } from './conversationReferences.js';
import { PasswordHelpBot } from './bot.js';
import type { Config } from './config.js';
import type { AccountService } from './recovery/accounts.js';
import type { ResetService } from './recovery/resetService.js';
import type { FileAuditTrail } from './security/audit.js';
import { createServices, type ServiceOptions } from './services.js';
import { DuplicateActivityFilter } from './duplicateFilter.js';
import { TypingIndicator } from './typingIndicator.js';
import { createAdapter, createServer, recoverFailedTurns, registerBotEndpoint } from './host.js';
import { ProactiveTurns } from './proactive.js';
import { registerResetPage } from './web/resetPage.js';
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
  audit: FileAuditTrail;
  /** Resolves once background work (mail, lookups) started so far has finished. */
  idle(): Promise<void>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Wires config → store → services → adapter → server. Nothing listens until `listen()`. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  const services = await createServices(config, options);
  const { texts, reset, tasks, limits, dialogServices, botStorage, emailSender } = services;
  const conversationState = new ConversationState(botStorage);
  // Support's actions reach conversations through `proactive`, made below once the adapter exists.
  const desk: SupportDesk = new SupportDesk(
    dialogServices.tickets,
    dialogServices.escalations,
    {
      knowsConversation: async (conversationId) => (await references.get(conversationId)) !== undefined,
      startJourney: (escalation): Promise<boolean> =>
        proactive.sendToConversation(escalation.conversationId, {
          name: SUPPORT_ESCALATION,
          value: { escalationId: escalation.id, journey: escalation.journey },
        }),
      release: (conversationId): Promise<boolean> =>
        proactive.sendToConversation(conversationId, { name: SUPPORT_RELEASED, value: {} }),
      showCard: (card, view) => proactive.send(card.reference, { name: SUPPORT_CARD, value: { ...view, card } }),
      postOutcome: ({ id, journey, state }) => toSupportChannel(SUPPORT_OUTCOME, { id, journey, state }),
      later: (name, task) => tasks.run(name, task),
    },
    logger,
  );
  dialogServices.tickets.onSettled = async (ticket) => desk.ticketSettled(ticket);
  dialogServices.escalations.onSettled = (escalation) => desk.escalationSettled(escalation);
  const bot: PasswordHelpBot = new PasswordHelpBot(
    conversationState,
    new MainDialog(dialogServices),
    dialogServices,
    {
      passwordPageUrl: (token) => `${config.publicBaseUrl}${TEAMS_PASSWORD_PATH}?token=${encodeURIComponent(token)}`,
    },
    { store: services.supportChannel, admins: new Set(config.supportAdmins), desk },
  );

  const { adapter, authentication: botAuthentication } = createAdapter(config, options.channelCredentials);
  const references = new ConversationReferenceStore(config.dataDir);
  await references.init();
  // First, so that everything the bot sends in its own Direct Line conversations is delivered there.
  const directLineServiceUrl = `${config.publicBaseUrl}${DIRECT_LINE_PATH}/`;
  const directLineLog = new ConversationLog();
  adapter.use(new DirectLineDelivery(directLineServiceUrl, directLineLog, (context) => bot.awaitsSecret(context)));
  adapter.use(new DuplicateActivityFilter());
  adapter.use(references);
  adapter.use(new TypingIndicator(500, 2000));
  recoverFailedTurns(adapter, {
    conversationState,
    logger,
    errorText: (context) => texts.t(localeOf(context, dialogServices), 'error'),
  });

  const server = createServer(config, logger);
  registerBotEndpoint(server, {
    adapter,
    logger,
    ownServiceUrl: directLineServiceUrl,
    isOwnConversation: isWebChatConversation,
    run: (context) => bot.run(context),
  });
  registerResetPage(server, { reset, limits, texts, logger, settings: dialogServices.settings });
  const proactive: ProactiveTurns = new ProactiveTurns(
    adapter,
    config.bot.appId,
    (context) => bot.run(context),
    references,
  );
  /** Posts to the support team's channel; false when none is registered. */
  const toSupportChannel = async (name: string, value: unknown): Promise<boolean> => {
    const channel = await services.supportChannel.get();
    if (!channel) return false;
    await proactive.send(channel.reference, { name, value });
    return true;
  };
  services.ticketSink.post = (ticket) => toSupportChannel(SUPPORT_TICKET, ticket);
  dialogServices.phoneChange.onCodeNotSent = async ({ conversationId, locale, ending }) => {
    await proactive.sendToConversation(conversationId, { name: PHONE_CODE_NOT_SENT, value: { ending }, locale });
  };
  registerTeamsPasswordPage(server, {
    pages: services.passwordPages,
    limits,
    texts,
    logger,
    tasks,
    settings: dialogServices.settings,
    onPasswordSet: (offer) =>
      proactive.send(offer.reply, {
        name: PASSWORD_PAGE_DONE,
        value: { requestId: offer.grant.requestId },
        locale: offer.locale,
      }),
  });
  const webChatRecords = new JsonWebChatConversationRepository(config.dataDir);
  await webChatRecords.init();
  const webChats = new WebChatConversations(webChatRecords, config.webChatSession, options.now);
  const directLineTokens = new DirectLineTokens(keyedHash(services.secretKey, 'directline', 'token-key'), options.now);
  const botClaims = new ClaimsIdentity([
    { type: AuthenticationConstants.AudienceClaim, value: config.bot.appId },
    { type: AuthenticationConstants.AppIdClaim, value: config.bot.appId },
  ]);
  registerDirectLine(server, {
    tokens: directLineTokens,
    conversations: webChats,
    log: directLineLog,
    limits,
    logger,
    bot: { id: config.bot.appId || 'password-help-bot', name: config.serviceName },
    serviceUrl: directLineServiceUrl,
    publicBaseUrl: config.publicBaseUrl,
    process: (activity, conversation, clientAddress) =>
      adapter.processActivityDirect(
        {
          claimsIdentity: botClaims,
          audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
          connectorFactory: botAuthentication.createConnectorFactory(botClaims),
        },
        activity as unknown as Activity,
        async (context) => {
          const turn = turnOf(context);
          if (conversation.session) turn.webSession = conversation.session;
          turn.clientAddress = clientAddress;
          await bot.run(context);
        },
      ),
  });
  const directLineStream = attachDirectLineStream(server.server, {
    tokens: directLineTokens,
    log: directLineLog,
    logger,
  });
  registerWebChatPage(server, {
    texts,
    logger,
    settings: dialogServices.settings,
    publicBaseUrl: config.publicBaseUrl,
  });
  registerWebChatApi(server, {
    tokens: directLineTokens,
    conversations: webChats,
    accounts: services.accounts,
    limits,
    audit: services.audit,
    streams: directLineStream,
    logger,
    websiteApiKey: config.websiteApiKey,
    azureDirectLine: config.directLine,
  });
  registerSupportApi(server, {
    escalations: dialogServices.escalations,
    limits,
    logger,
    supportApiKey: config.supportApiKey,
    desk,
  });
  registerTwilioStatus(server, {
    twilio: config.twilio,
    publicBaseUrl: config.publicBaseUrl,
    audit: services.audit,
    limits,
    logger,
  });
  return {
    server,
    adapter,
    accounts: services.accounts,
    reset,
    audit: services.audit,
    idle: () => tasks.idle(),
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve(server.url));
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      directLineStream.close();
      // Keep-alive connections of pollers (web chat) would hold the close open; idle ones go now.
      server.server.closeIdleConnections();
      await closed;
      await tasks.idle();
      emailSender.close?.();
    },
  };
}
