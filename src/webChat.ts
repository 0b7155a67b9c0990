import type { Activity, CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder';
import { AuthenticationConstants, ClaimsIdentity } from 'botframework-connector';
import type { Server } from 'restify';
import { turnOf } from '../dialogs/turn.js';
import type { Config } from './config.js';
import type { ActivityLog } from './directline/activityLog.js';
import { DirectLineDelivery } from './directline/delivery.js';
import { DIRECT_LINE_PATH, registerDirectLine } from './directline/directLineServer.js';
import { attachDirectLineStream, type DirectLineStream } from './directline/stream.js';
import { DirectLineTokens } from './directline/tokens.js';
import { WebChatConversations } from './directline/webChatConversations.js';
import { keyedHash } from './recovery/secrets.js';
import type { Logger } from './security/logger.js';
import type { Services } from './services.js';
import { registerWebChatApi } from './web/webChatApi.js';
import { registerWebChatPage } from './web/webChatPage.js';

/** The bot's own web chat endpoint: its serviceUrl, which the bot endpoint refuses from outside. */
export function webChatServiceUrl(config: Config): string {
  return `${config.publicBaseUrl}${DIRECT_LINE_PATH}/`;
}

/**
 * The bot's own web chat: a Direct Line endpoint (REST and WebSocket) that runs the bot in
 * process, the chat page, and the API the website opens conversations with. Its delivery
 * middleware goes on the adapter first, so that everything the bot sends in these conversations
 * lands in their history. Returns the WebSocket side, which the app closes on shutdown.
 */
export function mountWebChat(
  server: Server,
  deps: {
    config: Config;
    services: Services;
    adapter: CloudAdapter;
    authentication: ConfigurationBotFrameworkAuthentication;
    bot: { run(context: TurnContext): Promise<void>; awaitsSecret(context: TurnContext): Promise<boolean> };
    /** Where the conversations' activities are kept and followed (memory, or Redis for several instances). */
    log: ActivityLog;
    logger: Logger;
    now?: () => Date;
  },
): DirectLineStream {
  const { config, services, adapter, bot, log, logger } = deps;
  const serviceUrl = webChatServiceUrl(config);
  adapter.use(new DirectLineDelivery(serviceUrl, log, (context) => bot.awaitsSecret(context)));
  const tokens = new DirectLineTokens(keyedHash(services.secretKey, 'directline', 'token-key'), deps.now);
  const conversations = new WebChatConversations(services.store.webChats, config.webChatSession, deps.now);
  const botClaims = new ClaimsIdentity([
    { type: AuthenticationConstants.AudienceClaim, value: config.bot.appId },
    { type: AuthenticationConstants.AppIdClaim, value: config.bot.appId },
  ]);
  const turnSource = {
    claimsIdentity: botClaims,
    audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
    connectorFactory: deps.authentication.createConnectorFactory(botClaims),
  };
  const { limits } = services;
  registerDirectLine(server, {
    tokens,
    conversations,
    log,
    limits,
    logger,
    bot: { id: config.bot.appId || 'password-help-bot', name: config.serviceName },
    serviceUrl,
    publicBaseUrl: config.publicBaseUrl,
    process: (activity, conversation, clientAddress) =>
      adapter.processActivityDirect(turnSource, activity as unknown as Activity, async (context) => {
        const turn = turnOf(context);
        if (conversation.session) turn.webSession = conversation.session;
        turn.clientAddress = clientAddress;
        await bot.run(context);
      }),
  });
  const streams = attachDirectLineStream(server.server, { tokens, log, logger });
  const { texts, dialogServices } = services;
  const { publicBaseUrl } = config;
  registerWebChatPage(server, { texts, logger, settings: dialogServices.settings, publicBaseUrl });
  registerWebChatApi(server, {
    tokens,
    conversations,
    accounts: services.accounts,
    limits,
    audit: services.audit,
    streams,
    logger,
    websiteApiKey: config.websiteApiKey,
    azureDirectLine: config.directLine,
  });
  return streams;
}
