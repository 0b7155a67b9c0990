import path from 'node:path';
import type twilioModule from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { TwilioSettings } from '../config.js';
import { AppendLog } from '../store/appendLog.js';

export interface SmsMessage {
  to: string;
  body: string;
}

export interface SmsSender {
  /** Resolves with the provider's message id; throws SmsDeliveryError when it cannot send. */
  send(message: SmsMessage): Promise<{ id: string | undefined }>;
}

export type SmsFailure = 'invalidNumber' | 'notMobile' | 'unsubscribed' | 'rateLimited' | 'blocked' | 'unavailable';

/** Why a text message could not go out, in words the domain can act on, with the provider's code. */
export class SmsDeliveryError extends Error {
  constructor(
    readonly failure: SmsFailure,
    readonly providerCode: number | undefined,
    readonly httpStatus: number | undefined,
  ) {
    super(`SMS not sent: ${failure}${providerCode ? ` (provider code ${providerCode})` : ''}`);
    this.name = 'SmsDeliveryError';
  }
}

export interface OutboxSms extends SmsMessage {
  at: string;
}

/** Development and tests: each text message is one JSON line in DATA_DIR/outbox/sms.jsonl (`to`, `body`, `at`), a stable interface. */
export class OutboxSmsSender implements SmsSender {
  readonly outbox: AppendLog<OutboxSms>;

  constructor(dataDir: string) {
    this.outbox = new AppendLog(path.join(dataDir, 'outbox', 'sms.jsonl'));
  }

  async send(message: SmsMessage): Promise<{ id: string | undefined }> {
    await this.outbox.append({ to: message.to, body: message.body, at: new Date().toISOString() });
    return { id: undefined };
  }
}

/** Twilio's error codes that say something about the number or the sending, by what they mean here. */
const TWILIO_FAILURES: Record<number, SmsFailure> = {
  21211: 'invalidNumber',
  21217: 'invalidNumber',
  21614: 'notMobile',
  21408: 'blocked',
  21610: 'unsubscribed',
  20429: 'rateLimited',
  30450: 'blocked',
  60410: 'blocked',
};

export function classifyTwilioError(code: number | undefined, status: number | undefined): SmsFailure {
  if (code !== undefined && TWILIO_FAILURES[code]) return TWILIO_FAILURES[code];
  if (status === 429) return 'rateLimited';
  return 'unavailable';
}

/**
 * Twilio's own RequestClient with every request sent to another base URL (TWILIO_API_BASE_URL),
 * so tests can run the official client against a local stand-in of the REST API.
 */
function rebasedRequestClient(twilio: typeof twilioModule, baseUrl: string, timeoutMs: number): RequestClient {
  const base = new URL(baseUrl);
  class RebasedRequestClient extends twilio.RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const uri = new URL(opts.uri);
      uri.protocol = base.protocol;
      uri.host = base.host;
      uri.pathname = base.pathname.replace(/\/$/, '') + uri.pathname;
      return super.request({ ...opts, uri: uri.toString() });
    }
  }
  return new RebasedRequestClient({ timeout: timeoutMs });
}

/** Twilio's Messages API through the official client (loaded only when Twilio is configured). */
export class TwilioSmsSender implements SmsSender {
  private constructor(
    private readonly client: ReturnType<typeof twilioModule>,
    private readonly settings: TwilioSettings,
    private readonly statusCallbackUrl: string,
  ) {}

  static async create(settings: TwilioSettings, statusCallbackUrl: string): Promise<TwilioSmsSender> {
    const { default: twilio } = await import('twilio');
    const httpClient = settings.apiBaseUrl
      ? rebasedRequestClient(twilio, settings.apiBaseUrl, settings.timeoutMs)
      : new twilio.RequestClient({ timeout: settings.timeoutMs });
    return new TwilioSmsSender(
      twilio(settings.accountSid, settings.authToken, { httpClient }),
      settings,
      statusCallbackUrl,
    );
  }

  async send(message: SmsMessage): Promise<{ id: string | undefined }> {
    const sender = this.settings.messagingServiceSid
      ? { messagingServiceSid: this.settings.messagingServiceSid }
      : { from: this.settings.from! };
    try {
      const sent = await this.client.messages.create({
        to: message.to,
        body: message.body,
        statusCallback: this.statusCallbackUrl,
        ...sender,
      });
      return { id: sent.sid };
    } catch (error) {
      const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
      const providerCode = typeof code === 'number' ? code : undefined;
      const httpStatus = typeof status === 'number' ? status : undefined;
      throw new SmsDeliveryError(classifyTwilioError(providerCode, httpStatus), providerCode, httpStatus);
    }
  }
}

export async function createSmsSender(options: {
  twilio: TwilioSettings | undefined;
  dataDir: string;
  publicBaseUrl: string;
}): Promise<SmsSender> {
  return options.twilio
    ? TwilioSmsSender.create(options.twilio, `${options.publicBaseUrl}/api/twilio/status`)
    : new OutboxSmsSender(options.dataDir);
}
