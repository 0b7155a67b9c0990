import type { Request, Response, Server } from 'restify';
import { clientAddressOf } from '../security/clientAddress.js';
import type { Logger } from '../security/logger.js';
import { isSecretField } from '../security/redact.js';
import type { RateLimits } from '../security/rateLimits.js';
import { valueProblem } from '../web/activityShape.js';
import { acceptBody } from '../web/requestBody.js';
import { randomBytes } from 'node:crypto';
import type { ActivityLog } from './activityLog.js';
import type { LoggedActivity } from './conversationLog.js';
import { streamUrl } from './stream.js';
import type { DirectLineTokens } from './tokens.js';
import type { WebChatConversation, WebChatConversations } from './webChatConversations.js';

export const DIRECT_LINE_PATH = '/v3/directline';

const MAX_TEXT = 10_000;
/** An activity a client posts: text and card data well within this. */
const MAX_POST_BYTES = 48 * 1024;
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
/** What the history keeps of a secret the person typed or submitted: they see that it was sent, nobody sees it. */
export const SECRET_PLACEHOLDER = '••••••••';

/** An activity from a client, made into what the bot receives: only fields a client may set. */
export interface IncomingActivity {
  type: 'message' | 'event' | 'conversationUpdate';
  id: string;
  timestamp: string;
  channelId: 'directline';
  serviceUrl: string;
  conversation: { id: string };
  from: { id: string; name?: string; role: 'user' };
  recipient: { id: string; name: string; role: 'bot' };
  locale?: string;
  text?: string;
  value?: unknown;
  name?: string;
  entities?: unknown[];
  channelData?: { clientActivityID?: string };
  membersAdded?: Array<{ id: string; name?: string }>;
}

export interface DirectLineDeps {
  tokens: DirectLineTokens;
  conversations: WebChatConversations;
  log: ActivityLog;
  limits: RateLimits;
  logger: Logger;
  bot: { id: string; name: string };
  /** The serviceUrl the bot's turns of these conversations carry (see DirectLineDelivery). */
  serviceUrl: string;
  /** The bot's public address, for the stream URL it hands out. */
  publicBaseUrl: string;
  /**
   * Runs the bot on an activity of a conversation, with the conversation's session (when it is
   * still active) and the client address it came from.
   */
  process(activity: IncomingActivity, conversation: WebChatConversation, clientAddress: string): Promise<void>;
}

class DirectLineError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * The Direct Line 3.0 endpoint of the bot itself, enough for Web Chat and the official
 * `botframework-directlinejs` client: start or resume a conversation with a token, post
 * activities, read them from a watermark (polling), and refresh the token. A token is bound to
 * one conversation; every route checks that it names the conversation in the path.
 */
export function registerDirectLine(server: Server, deps: DirectLineDeps): void {
  const routes = new DirectLineRoutes(deps);
  const route =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      allowCrossOrigin(res);
      // Answers carry tokens or the conversation itself.
      res.header('Cache-Control', 'no-store');
      try {
        await handler(req, res);
      } catch (error) {
        if (error instanceof DirectLineError) {
          if (error.retryAfterMs !== undefined) res.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
          res.send(error.status, { error: { code: error.code, message: error.message } });
          return;
        }
        deps.logger.error('direct line request failed', { error });
        res.send(500, { error: { code: 'ServiceError', message: 'The request could not be processed.' } });
      }
    };
  // A site on another origin may run Web Chat against this endpoint: it holds a Bearer token, not cookies.
  const preflight = (_req: Request, res: Response, next: () => void) => {
    allowCrossOrigin(res);
    res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.header('Access-Control-Allow-Headers', 'authorization, content-type, x-ms-bot-agent');
    res.header('Access-Control-Max-Age', '600');
    res.send(204);
    next();
  };
  for (const path of ['/conversations', '/conversations/:id', '/conversations/:id/activities', '/tokens/refresh'])
    server.opts(`${DIRECT_LINE_PATH}${path}`, preflight);
  server.post(
    `${DIRECT_LINE_PATH}/conversations`,
    acceptBody('json'),
    route((req, res) => routes.start(req, res)),
  );
  server.get(
    `${DIRECT_LINE_PATH}/conversations/:id`,
    route((req, res) => routes.resume(req, res)),
  );
  server.get(
    `${DIRECT_LINE_PATH}/conversations/:id/activities`,
    route((req, res) => routes.read(req, res)),
  );
  server.post(
    `${DIRECT_LINE_PATH}/conversations/:id/activities`,
    acceptBody('json', MAX_POST_BYTES),
    route((req, res) => routes.post(req, res)),
  );
  server.post(
    `${DIRECT_LINE_PATH}/conversations/:id/upload`,
    route(async () => routes.upload()),
  );
  server.post(
    `${DIRECT_LINE_PATH}/tokens/refresh`,
    acceptBody('json'),
    route((req, res) => routes.refresh(req, res)),
  );
}

class DirectLineRoutes {
  private sequence = 0;
  /** Ids stay unique across instances serving the same conversation. */
  private readonly instance = randomBytes(3).toString('hex');

  constructor(private readonly deps: DirectLineDeps) {}

  async start(req: Request, res: Response): Promise<void> {
    const conversation = await this.authorized(req);
    if (await this.deps.conversations.markStarted(conversation.id)) {
      const update = this.incoming(conversation.id, { type: 'conversationUpdate' }, req);
      await this.deps.process(update, conversation, clientAddressOf(req));
    }
    res.send(201, this.conversationAnswer(conversation));
  }

  async resume(req: Request, res: Response): Promise<void> {
    const conversation = await this.authorized(req, pathId(req));
    res.send(200, this.conversationAnswer(conversation));
  }

  async read(req: Request, res: Response): Promise<void> {
    const conversation = await this.authorized(req, pathId(req));
    const watermark = parseWatermark((req.query as Record<string, unknown> | undefined)?.watermark);
    const { activities, watermark: next } = await this.deps.log.read(conversation.id, watermark);
    res.send(200, { activities, watermark: String(next) });
  }

  async post(req: Request, res: Response): Promise<void> {
    const conversation = await this.authorized(req, pathId(req));
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new DirectLineError(400, 'BadArgument', 'The body must be an activity object.');
    const fields = body as Record<string, unknown>;
    const type = fields.type;
    if (typeof type !== 'string' || !CLIENT_TYPES.has(type))
      throw new DirectLineError(400, 'BadArgument', 'The activity type must be message, event or typing.');
    if (fields.text !== undefined && (typeof fields.text !== 'string' || fields.text.length > MAX_TEXT))
      throw new DirectLineError(400, 'BadArgument', `The text must be a string of at most ${MAX_TEXT} characters.`);
    if (Array.isArray(fields.attachments) && fields.attachments.length > 0)
      throw new DirectLineError(415, 'MediaTypeNotSupported', 'Attachments are not accepted.');
    const tooLarge = valueProblem(fields.value);
    if (tooLarge) throw new DirectLineError(400, 'BadArgument', tooLarge);
    const limit = await this.deps.limits.directLinePost(conversation.id);
    if (!limit.allowed)
      throw new DirectLineError(429, 'TooManyRequests', 'Too many activities; slow down.', limit.retryAfterMs);
    // A typing indicator from the person means nothing to this bot.
    if (type === 'typing') {
      res.send(200, { id: this.nextId(conversation.id) });
      return;
    }
    const activity = this.incoming(conversation.id, { ...fields, type: type as 'message' | 'event' }, req);
    // Web Chat shows a message as sent once it reads it back; a secret only as the placeholder.
    const logged = toLogged(activity, await this.deps.log.awaitsSecret(conversation.id));
    if (!(await this.deps.log.append(conversation.id, logged)))
      throw new DirectLineError(413, 'BadArgument', 'The activity is too large.');
    await this.deps.conversations.touch(conversation);
    await this.deps.process(activity, conversation, clientAddressOf(req));
    res.send(200, { id: activity.id });
  }

  upload(): Promise<void> {
    throw new DirectLineError(415, 'MediaTypeNotSupported', 'This bot does not accept uploads.');
  }

  async refresh(req: Request, res: Response): Promise<void> {
    const conversation = await this.authorized(req);
    res.send(200, this.conversationAnswer(conversation));
  }

  /** The conversation the Bearer token is for; it must be the one in the path, when there is one. */
  private async authorized(req: Request, pathConversationId?: string): Promise<WebChatConversation> {
    const header = req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    const check = this.deps.tokens.check(token);
    if (check.kind === 'expired') throw new DirectLineError(403, 'TokenExpired', 'The token has expired.');
    if (check.kind !== 'valid') throw new DirectLineError(401, 'BadArgument', 'A valid Bearer token is required.');
    if (pathConversationId !== undefined && pathConversationId !== check.conversationId)
      throw new DirectLineError(403, 'BadArgument', 'The token is for another conversation.');
    const conversation = await this.deps.conversations.get(check.conversationId);
    if (!conversation) throw new DirectLineError(404, 'BadArgument', 'Conversation not found.');
    // A signed-in session that ended (idle, at its end, revoked) takes its conversation with it.
    if (this.deps.conversations.sessionEnded(conversation))
      throw new DirectLineError(403, 'TokenExpired', 'The signed-in session has ended.');
    return conversation;
  }

  /** A fresh token, which never outlives the conversation's signed-in session. */
  private conversationAnswer(conversation: WebChatConversation) {
    const { token, expiresIn } = this.deps.tokens.issue(
      conversation.id,
      this.deps.conversations.sessionEnd(conversation),
    );
    return {
      conversationId: conversation.id,
      token,
      expires_in: expiresIn,
      streamUrl: streamUrl(this.deps.publicBaseUrl, conversation.id, token),
    };
  }

  private incoming(conversationId: string, fields: Record<string, unknown>, req: Request): IncomingActivity {
    const from = (fields.from ?? {}) as { id?: unknown; name?: unknown };
    const fromId = typeof from.id === 'string' && from.id.length <= 100 ? from.id : 'visitor';
    const locale = typeof fields.locale === 'string' && fields.locale.length <= 20 ? fields.locale : undefined;
    const channelData = fields.channelData as { clientActivityID?: unknown } | undefined;
    const clientActivityID =
      typeof channelData?.clientActivityID === 'string' ? channelData.clientActivityID.slice(0, 100) : undefined;
    const activity: IncomingActivity = {
      type: fields.type as IncomingActivity['type'],
      id: this.nextId(conversationId),
      timestamp: new Date().toISOString(),
      channelId: 'directline',
      serviceUrl: this.deps.serviceUrl,
      conversation: { id: conversationId },
      from: { id: fromId, ...(typeof from.name === 'string' ? { name: from.name.slice(0, 100) } : {}), role: 'user' },
      recipient: { ...this.deps.bot, role: 'bot' },
      ...(locale ? { locale } : acceptedLocale(req)),
      ...(typeof fields.text === 'string' ? { text: fields.text } : {}),
      ...(fields.value !== undefined ? { value: fields.value } : {}),
      ...(typeof fields.name === 'string' ? { name: fields.name.slice(0, 100) } : {}),
      ...(Array.isArray(fields.entities)
        ? { entities: fields.entities.filter((entity) => (entity as { type?: unknown })?.type === 'clientInfo') }
        : {}),
      ...(clientActivityID ? { channelData: { clientActivityID } } : {}),
    };
    if (activity.type === 'conversationUpdate') activity.membersAdded = [{ id: fromId }];
    return activity;
  }

  private nextId(conversationId: string): string {
    return `${conversationId}|u${this.instance}${(++this.sequence).toString(36)}`;
  }
}

function allowCrossOrigin(res: Response): void {
  res.header('Access-Control-Allow-Origin', '*');
}

/**
 * The person's activity as the history keeps it: text typed where the bot asked for a secret,
 * and secret card fields, only as the placeholder.
 */
function toLogged(activity: IncomingActivity, secretText: boolean): LoggedActivity {
  const { serviceUrl: _serviceUrl, ...rest } = activity;
  const logged = rest as unknown as LoggedActivity;
  if (secretText && typeof activity.text === 'string') logged.text = SECRET_PLACEHOLDER;
  if (activity.value !== null && typeof activity.value === 'object' && !Array.isArray(activity.value)) {
    logged.value = Object.fromEntries(
      Object.entries(activity.value).map(([key, item]) => [key, isSecretField(key) ? SECRET_PLACEHOLDER : item]),
    );
  }
  return logged;
}

/** The browser's first language, when the client names none. */
function acceptedLocale(req: Request): { locale?: string } {
  const first = req.header('accept-language')?.split(/[,;]/)[0]?.trim();
  return first && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(first) ? { locale: first } : {};
}

function pathId(req: Request): string {
  return String((req.params as Record<string, unknown> | undefined)?.id ?? '');
}

function parseWatermark(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) return undefined;
  return Number(value);
}
