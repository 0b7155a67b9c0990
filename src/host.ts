import {
  type Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationState,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type ServiceClientCredentialsFactory,
  type UserTokenClient,
} from 'botframework-connector';
import restify, { type Request, type Response, type Server } from 'restify';
import type { Config } from './config.js';
import { rememberClientAddress } from './security/clientAddress.js';
import { isETagConflict } from './store/botStateStorage.js';
import type { Logger } from './security/logger.js';
import { activityProblem, MAX_ACTIVITY_BYTES } from './web/activityShape.js';
import { acceptBody, parseQuery } from './web/requestBody.js';
import { refuseMalformedTarget } from './web/requestUrl.js';

/**
 * The public cloud's settings with the channel's signing keys taken from elsewhere. The SDK
 * treats any one of these settings as "all of them are given", so the rest are spelt out.
 */
function publicCloudWithKeysFrom(openIdMetadataUrl: string): Record<string, string | boolean> {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/** Clients of each kind kept at most: one per channel service the bot answers, in practice a handful. */
const MAX_REUSED_CLIENTS = 64;

/**
 * The SDK builds a Bot Connector client and a user-token client for every activity, each with its
 * own HTTP pipeline: a sixth of a menu turn, and its garbage. Neither holds anything of the turn,
 * only the bot's credentials (whose tokens they cache), so one connector client per app id,
 * channel service and audience, and one token client per app id, serve every turn.
 */
class ClientReusingAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    const factory = result.connectorFactory;
    if (!factory) return result;
    const appId = appIdOf(result.claimsIdentity);
    const reusing = {
      create: (serviceUrl: string, audience?: string) =>
        this.reuse(this.connectors, `${appId}\n${serviceUrl}\n${audience ?? ''}`, () =>
          factory.create(serviceUrl, audience),
        ),
    } as ConnectorFactory;
    return { ...result, connectorFactory: reusing };
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.reuse(this.tokenClients, appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  /** The client under `key`, made once; a failed making is not kept, and the oldest goes past the bound. */
  private reuse<T>(clients: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    const known = clients.get(key);
    if (known) return known;
    const made = make();
    made.catch(() => clients.delete(key));
    clients.set(key, made);
    if (clients.size > MAX_REUSED_CLIENTS) clients.delete(clients.keys().next().value!);
    return made;
  }
}

/** The bot's app id the activity was sent to (the audience claim; the app id claim from the Emulator). */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return (
    claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/** The Bot Framework adapter with the bot registration's authentication (none in Emulator mode). */
export function createAdapter(
  config: Config,
  channelCredentials: ServiceClientCredentialsFactory | undefined,
): { adapter: CloudAdapter; authentication: ConfigurationBotFrameworkAuthentication } {
  const authentication = new ClientReusingAuthentication(
    {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppPassword: config.bot.appPassword,
      MicrosoftAppType: config.bot.appType,
      MicrosoftAppTenantId: config.bot.appTenantId,
      ...(config.bot.channelOpenIdMetadataUrl ? publicCloudWithKeysFrom(config.bot.channelOpenIdMetadataUrl) : {}),
    },
    channelCredentials,
  );
  return { adapter: new CloudAdapter(authentication), authentication };
}

/**
 * A failed turn is logged, the conversation starts afresh (so the failing step is not repeated on
 * the next message), and the person hears about it in their language.
 */
export function recoverFailedTurns(
  adapter: CloudAdapter,
  deps: {
    conversationState: ConversationState;
    logger: Logger;
    errorText(context: TurnContext): string;
    conflictText(context: TurnContext): string;
  },
): void {
  const { conversationState, logger } = deps;
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // Another turn of the same conversation (on this or another instance) saved first: its state
    // stands, nothing is lost, and this message only needs sending again.
    if (isETagConflict(error)) {
      logger.info('turn lost a race with another turn of its conversation', { channel: context.activity.channelId });
      await context
        .sendActivity(deps.conflictText(context))
        .catch((sendError: unknown) => logger.warn('could not ask the person to say it again', { error: sendError }));
      return;
    }
    logger.error('turn failed', { error, channel: context.activity.channelId });
    try {
      await conversationState.delete(context);
      await conversationState.saveChanges(context, true);
    } catch (stateError) {
      logger.error('could not reset conversation state', { error: stateError });
    }
    try {
      await context.sendActivity(deps.errorText(context));
    } catch (sendError) {
      logger.warn('could not tell the person about the error', { error: sendError });
    }
  };
}

/**
 * The HTTP server every route registers on: slow clients hold a socket only so long, a malformed
 * request target never reaches a route, the client address and the query are read once, and
 * `GET /healthz` answers. No body is parsed here: each route reads its own.
 */
export function createServer(config: Config, logger: Logger): Server {
  const server = restify.createServer({ name: 'password-help-bot', handleUncaughtExceptions: false });
  server.server.headersTimeout = 15_000;
  server.server.requestTimeout = 30_000;
  server.pre(refuseMalformedTarget);
  server.pre(rememberClientAddress(config.trustProxy));
  server.pre(parseQuery);
  server.on('restifyError', (_req: Request, _res: Response, error: Error, callback: () => void) => {
    // The class only: messages of parse errors quote the request, and paths may carry tokens.
    logger.warn('request refused', { error: error.name });
    callback();
  });
  server.get('/healthz', (_req: Request, res: Response, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  return server;
}

/**
 * `POST /api/messages`: a JSON activity, checked before the adapter sees it, run by the bot.
 * Activities that claim the bot's own web chat endpoint or one of its conversations are refused.
 */
export function registerBotEndpoint(
  server: Server,
  deps: {
    adapter: CloudAdapter;
    logger: Logger;
    ownServiceUrl: string;
    isOwnConversation(channelId: string, conversationId: string): boolean;
    run(context: TurnContext): Promise<void>;
  },
): void {
  server.post('/api/messages', acceptBody('json', MAX_ACTIVITY_BYTES), async (req: Request, res: Response) => {
    const problem = activityProblem(req.body, deps);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    try {
      await deps.adapter.process(req, res, deps.run);
    } catch (error) {
      deps.logger.error('activity not processed', { error });
      if (!res.headersSent) res.send(500, { error: 'The activity could not be processed.' });
    }
  });
}

/**
 * `GET /readyz`: 200 once the store and the shared cache answer, else 503, so a load balancer
 * sends no one to an instance that cannot serve them (`/healthz` only says the process lives).
 * `GET /metrics`: the Prometheus metrics.
 */
export function registerOperations(
  server: Server,
  deps: { ready(): Promise<boolean>; metrics(): Promise<{ contentType: string; body: string }> },
): void {
  server.get('/readyz', async (_req: Request, res: Response) => {
    const ready = await deps.ready();
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
  });
  server.get('/metrics', async (_req: Request, res: Response) => {
    const { contentType, body } = await deps.metrics();
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.sendRaw(200, body);
  });
}
