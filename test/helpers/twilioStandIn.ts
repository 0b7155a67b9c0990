import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
}

/** What the stand-in answers to the next message: success, a Twilio error, a bare status, or nothing. */
export type StandInBehaviour =
  | { kind: 'accept' }
  | { kind: 'twilioError'; status: number; code: number; message: string }
  | { kind: 'httpStatus'; status: number }
  | { kind: 'hang' };

/**
 * A local stand-in for Twilio's REST API (the Messages resource), answering the way Twilio
 * does, so the official client is tested for real against it.
 */
export class TwilioStandIn {
  readonly received: ReceivedRequest[] = [];
  behaviour: StandInBehaviour = { kind: 'accept' };
  private readonly hanging: ServerResponse[] = [];
  private server: Server | undefined;
  private counter = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    this.received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      form: Object.fromEntries(new URLSearchParams(body)),
    });
    const behaviour = this.behaviour;
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    switch (behaviour.kind) {
      case 'hang':
        this.hanging.push(res);
        return;
      case 'httpStatus':
        return json(behaviour.status, { message: 'Internal error' });
      case 'twilioError':
        return json(behaviour.status, {
          code: behaviour.code,
          message: behaviour.message,
          more_info: `https://www.twilio.com/docs/errors/${behaviour.code}`,
          status: behaviour.status,
        });
      case 'accept': {
        const sid = `SM${String(++this.counter).padStart(32, '0')}`;
        const form = this.received.at(-1)!.form;
        return json(201, {
          sid,
          status: 'queued',
          to: form.To,
          from: form.From ?? null,
          messaging_service_sid: form.MessagingServiceSid ?? null,
          body: form.Body,
          num_segments: '1',
          date_created: new Date().toUTCString(),
        });
      }
    }
  }
}
