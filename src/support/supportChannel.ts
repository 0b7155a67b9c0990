import path from 'node:path';
import { AtomicJsonFile } from '../store/atomicJsonFile.js';
import type { Ticket, TicketSink } from './tickets.js';
import type { Logger } from '../security/logger.js';

/** The support team's channel, where tickets and outcomes are posted. `reference` is opaque here. */
export interface SupportChannel {
  reference: unknown;
  /** The admin who registered it (Microsoft Entra object id). */
  registeredBy: string;
  registeredAt: string;
}

/** Kept in one small file, `DATA_DIR/support-channel.json`; one channel per bot. */
export class SupportChannelStore {
  private readonly file: AtomicJsonFile<SupportChannel>;
  private cached: SupportChannel | null | undefined;

  constructor(dataDir: string) {
    this.file = new AtomicJsonFile(path.join(dataDir, 'support-channel.json'));
  }

  async get(): Promise<SupportChannel | undefined> {
    if (this.cached === undefined) this.cached = await this.file.read();
    return this.cached ?? undefined;
  }

  async register(channel: SupportChannel): Promise<void> {
    await this.file.write(channel);
    this.cached = channel;
  }
}

/**
 * Tickets go to the support channel when one is registered and reachable, else to the outbox,
 * so no ticket is ever lost (it is stored before it is delivered). Delivery runs after the
 * person's turn: a slow or unreachable channel never holds up their answer. `post` is bound by
 * the host, which knows how to reach Teams.
 */
export class ChannelOrOutboxSink implements TicketSink {
  post: ((ticket: Ticket) => Promise<boolean>) | undefined;

  constructor(
    private readonly outbox: TicketSink,
    private readonly later: (name: string, task: () => Promise<void>) => void,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async deliver(ticket: Ticket): Promise<void> {
    this.later('support ticket', async () => {
      const posted = this.post
        ? await this.post(ticket).catch((error: unknown) => {
            this.logger.warn('ticket not posted to the support channel; it goes to the outbox', {
              ticketId: ticket.id,
              error,
            });
            return false;
          })
        : false;
      if (!posted) await this.outbox.deliver(ticket);
    });
  }
}
