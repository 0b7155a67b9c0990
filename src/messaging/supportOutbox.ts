import path from 'node:path';
import { AppendLog } from '../store/appendLog.js';
import type { Ticket, TicketSink } from '../support/tickets.js';

/** Without a support channel, tickets go to `DATA_DIR/outbox/support.jsonl`, one JSON object a line. */
export class OutboxTicketSink implements TicketSink {
  private readonly log: AppendLog<Ticket & { at: string }>;

  constructor(dataDir: string) {
    this.log = new AppendLog(path.join(dataDir, 'outbox', 'support.jsonl'));
  }

  async deliver(ticket: Ticket): Promise<void> {
    await this.log.append({ ...ticket, at: new Date().toISOString() });
  }
}
