import type { Server } from 'restify';
import type { Logger } from '../security/logger.js';
import type { RateLimits } from '../security/rateLimits.js';
import type { SupportDesk } from '../support/desk.js';
import { isEscalationJourney, type Escalation, type EscalationService } from '../support/escalations.js';
import { guardedApi } from './apiGuard.js';
import { acceptBody } from './requestBody.js';
import { stringField } from './requestFields.js';

export interface SupportApiDeps {
  desk: SupportDesk;
  escalations: EscalationService;
  limits: RateLimits;
  logger: Logger;
  supportApiKey: string | undefined;
}

/**
 * Support → bot: `POST /api/support/escalations` starts a journey in a customer's
 * conversation and answers `202 { id }`; `GET /api/support/escalations/:id` answers
 * `{ id, state }`, with nothing personal. Every request needs the support key and is limited
 * per client address.
 */
export function registerSupportApi(server: Server, deps: SupportApiDeps): void {
  const guarded = guardedApi(deps, {
    name: 'support api',
    family: 'support',
    requireKey: { key: deps.supportApiKey, what: 'support API key' },
  });

  server.post(
    '/api/support/escalations',
    acceptBody('json'),
    guarded(async (req, res) => {
      // The conversation directly, or the ticket the bot opened when it handed the person over.
      const ticketId = stringField(req.body, 'ticketId');
      const conversationId = stringField(req.body, 'conversationId');
      const journey = (req.body as Record<string, unknown> | undefined)?.journey;
      if ((ticketId ?? conversationId ?? '') === '' || !isEscalationJourney(journey)) {
        res.send(400, {
          error:
            'The body must be { "conversationId" or "ticketId": string, "journey": "reset" | "billing" | "change-password" | "phone" }.',
        });
        return;
      }
      const outcome = await deps.desk.escalate(
        ticketId !== undefined ? { ticketId } : { conversationId: conversationId! },
        journey,
        'api',
      );
      if (outcome.kind !== 'started') {
        res.send(404, {
          error:
            outcome.kind === 'unknownTicket' ? 'No ticket has that id.' : 'The bot does not know that conversation.',
        });
        return;
      }
      const { escalation } = outcome;
      res.send(202, answer(escalation));
    }),
  );

  // Support is done with a person the bot handed over: the bot answers that conversation again.
  server.post(
    '/api/support/tickets/:id/complete',
    acceptBody('json'),
    guarded(async (req, res) => {
      const ticket = await deps.desk.completeTicket(String((req.params as Record<string, unknown>).id ?? ''), 'api');
      if (!ticket) {
        res.send(404, { error: 'No open ticket has that id.' });
        return;
      }
      res.send(200, { id: ticket.id, state: ticket.state });
    }),
  );

  server.get(
    '/api/support/escalations/:id',
    guarded(async (req, res) => {
      const escalation = await deps.escalations.get(String((req.params as Record<string, unknown>).id ?? ''));
      if (!escalation) {
        res.send(404, { error: 'No escalation has that id.' });
        return;
      }
      res.send(200, answer(escalation));
    }),
  );
}

function answer(escalation: Escalation): { id: string; state: Escalation['state'] } {
  return { id: escalation.id, state: escalation.state };
}
