import type { Request, Response, Server } from 'restify';
import type { TwilioSettings } from '../config.js';
import type { AuditTrail } from '../security/audit.js';
import type { Logger } from '../security/logger.js';
import { clientAddressOf } from '../security/clientAddress.js';
import type { RateLimits } from '../security/rateLimits.js';
import { acceptBody } from './requestBody.js';

export interface TwilioStatusDeps {
  twilio: TwilioSettings | undefined;
  publicBaseUrl: string;
  audit: AuditTrail;
  limits: RateLimits;
  logger: Logger;
}

export const TWILIO_STATUS_PATH = '/api/twilio/status';

/**
 * Delivery status callbacks from Twilio, accepted only with a valid X-Twilio-Signature over the
 * public URL and the posted fields, and kept in the audit trail (without the phone number).
 * Signed callbacks are not counted against the client-address limit: they all come from Twilio.
 */
export function registerTwilioStatus(server: Server, deps: TwilioStatusDeps): void {
  server.post(TWILIO_STATUS_PATH, acceptBody('form'), async (req: Request, res: Response) => {
    if (!deps.twilio) {
      res.send(404, { error: 'Text messages are not sent through Twilio here.' });
      return;
    }
    const params = formFields(req.body);
    const signature = req.header('x-twilio-signature');
    const url = `${deps.publicBaseUrl}${TWILIO_STATUS_PATH}`;
    const { validateRequest } = (await import('twilio')).default;
    if (!params || !signature || !validateRequest(deps.twilio.authToken, signature, url, params)) {
      const decision = await deps.limits.webRequest('twilio', clientAddressOf(req));
      deps.logger.warn('twilio status callback refused', { reason: params ? 'bad signature' : 'bad body' });
      res.send(decision.allowed ? 403 : 429, { error: 'The request is not signed by Twilio.' });
      return;
    }
    await deps.audit.record({
      event: 'sms.status',
      via: 'twilio',
      detail: {
        messageSid: params.MessageSid ?? null,
        status: params.MessageStatus ?? params.SmsStatus ?? null,
        ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}),
      },
    });
    res.send(204);
  });
}

/** The posted form as string fields, or undefined when it is not a flat form. */
function formFields(body: unknown): Record<string, string> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length > 100 || entries.some(([, value]) => typeof value !== 'string')) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}
