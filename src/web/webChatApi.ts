import { randomUUID } from 'node:crypto';
import type { Server } from 'restify';
import type { DirectLineStream } from '../directline/stream.js';
import type { DirectLineTokens } from '../directline/tokens.js';
import type { WebChatConversations, WebChatSession } from '../directline/webChatConversations.js';
import type { AccountService } from '../recovery/accounts.js';
import type { AuditTrail } from '../security/audit.js';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';
import { guardedApi } from './apiGuard.js';
import { acceptBody } from './requestBody.js';
import { stringField } from './requestFields.js';

export interface WebChatApiDeps {
  tokens: DirectLineTokens;
  conversations: WebChatConversations;
  accounts: AccountService;
  limits: RateLimits;
  audit: AuditTrail;
  /** The open streams, so that a revoked session's sockets close at once. */
  streams: Pick<DirectLineStream, 'closeConversation'>;
  logger: Logger;
  websiteApiKey: string | undefined;
  /** Azure's Direct Line, when configured, for anonymous visitors. */
  azureDirectLine: { secret: string; domain: string } | undefined;
}

/**
 * How a web chat gets its conversation on the bot's own Direct Line endpoint:
 * `POST /api/webchat/token` for an anonymous visitor (the bot's chat page asks for it), and
 * `POST /api/webchat/session` for the site's backend, with its API key, to open a conversation
 * in which its signed-in user counts as signed in, until the session's idle or absolute lifetime
 * runs out or `DELETE /api/webchat/session/:conversationId` revokes it. Anonymous requests are
 * limited per client address, the site's per key.
 */
export function registerWebChatApi(server: Server, deps: WebChatApiDeps): void {
  const guarded = guardedApi(deps, { name: 'web chat api', family: 'webchatToken' });

  server.post(
    '/api/webchat/token',
    acceptBody('json'),
    guarded(async (_req, res) => {
      if (!deps.azureDirectLine) {
        res.send(201, await openConversation(deps));
        return;
      }
      const token = await azureToken(deps.azureDirectLine);
      if (!token) {
        deps.logger.warn('azure direct line refused a token');
        res.send(502, { error: 'The chat service is not available right now.' });
        return;
      }
      res.send(201, { ...token, domain: deps.azureDirectLine.domain });
    }),
  );

  const withSiteKey = guardedApi(deps, {
    name: 'web chat api',
    family: 'webchatSession',
    requireKey: { key: deps.websiteApiKey, what: 'website API key' },
  });
  server.post(
    '/api/webchat/session',
    acceptBody('json'),
    withSiteKey(async (req, res) => {
      const email = stringField(req.body, 'email');
      const profile = (req.body as Record<string, unknown> | undefined)?.profile;
      if (email === undefined || (profile !== undefined && typeof profile !== 'string')) {
        res.send(400, { error: 'The body must be { "email": string, "profile"?: string }.' });
        return;
      }
      const account = await deps.accounts.sessionAccount(email);
      if (!account) {
        res.send(404, { error: 'No account has that email address.' });
        return;
      }
      if (profile !== undefined && !account.profiles.includes(profile)) {
        res.send(400, { error: 'The account has no profile of that name.' });
        return;
      }
      const signedIn = { accountId: account.accountId, ...(profile !== undefined ? { profile } : {}) };
      await deps.audit.record({ event: 'webchat.session_opened', accountId: account.accountId, via: 'web' });
      res.send(201, await openConversation(deps, signedIn));
    }),
  );

  // The person signed out of the site, or the site no longer trusts the session: it ends now.
  server.del(
    '/api/webchat/session/:conversationId',
    withSiteKey(async (req, res) => {
      const conversationId = String((req.params as Record<string, unknown>).conversationId ?? '');
      const conversation = await deps.conversations.get(conversationId);
      if (!conversation?.session || !(await deps.conversations.revoke(conversationId))) {
        res.send(404, { error: 'No signed-in session has that conversation id.' });
        return;
      }
      deps.streams.closeConversation(conversationId);
      await deps.audit.record({
        event: 'webchat.session_revoked',
        accountId: conversation.session.accountId,
        via: 'web',
        detail: { conversationId },
      });
      res.send(204);
    }),
  );
}

async function openConversation(deps: WebChatApiDeps, signedIn?: Pick<WebChatSession, 'accountId' | 'profile'>) {
  const conversation = await deps.conversations.create(signedIn);
  const { token, expiresIn } = deps.tokens.issue(conversation.id, deps.conversations.sessionEnd(conversation));
  return { conversationId: conversation.id, token, expires_in: expiresIn };
}

/** Exchanges the Direct Line secret for a conversation token, server side: the secret never reaches a browser. */
async function azureToken(directLine: {
  secret: string;
  domain: string;
}): Promise<{ conversationId: string; token: string; expires_in: number } | undefined> {
  try {
    const response = await fetch(`${directLine.domain}/tokens/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${directLine.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: `dl_${randomUUID()}` } }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { conversationId?: unknown; token?: unknown; expires_in?: unknown };
    if (typeof body.token !== 'string' || typeof body.conversationId !== 'string') return undefined;
    return {
      conversationId: body.conversationId,
      token: body.token,
      expires_in: typeof body.expires_in === 'number' ? body.expires_in : 1800,
    };
  } catch {
    return undefined;
  }
}
