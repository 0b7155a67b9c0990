import path from 'node:path';
import { AppendLog } from '../store/appendLog.js';
import type { Logger } from './logger.js';
import { redact } from './redact.js';

export type AuditEventName =
  | 'reset.requested'
  | 'reset.rate_limited'
  | 'reset.link_sent'
  | 'reset.code_sent'
  | 'code.verified'
  | 'code.failed'
  | 'code.locked'
  | 'sms.status'
  | 'billing.lookup'
  | 'billing.rate_limited'
  | 'reset.send_failed'
  | 'reset.link_rejected'
  | 'password.refused'
  | 'password.changed'
  | 'password.current_verified'
  | 'password.current_failed'
  | 'password.current_locked'
  | 'phone.code_sent'
  | 'phone.code_failed'
  | 'phone.changed'
  | 'phone.removed'
  | 'teams.linked'
  | 'webchat.session_opened'
  | 'webchat.session_revoked'
  | 'support.escalation_started'
  | 'support.escalation_failed'
  | 'support.escalation_completed'
  | 'support.escalation_abandoned'
  | 'support.handoff_requested'
  | 'support.handoff_limited'
  | 'support.handoff_completed'
  | 'support.handoff_cancelled'
  | 'account.imported';

export interface AuditEvent {
  event: AuditEventName;
  accountId?: string;
  /** Where it came from: chat, web, cli. */
  via?: string;
  detail?: Record<string, unknown>;
}

export interface AuditTrail {
  record(event: AuditEvent): Promise<void>;
}

/** An append-only JSON Lines file of security events; every event passes through redaction. */
export class FileAuditTrail implements AuditTrail {
  private readonly log: AppendLog<object>;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.log = new AppendLog(path.join(dataDir, 'audit.jsonl'));
  }

  async record(event: AuditEvent): Promise<void> {
    const entry = { at: new Date().toISOString(), ...(redact(event) as AuditEvent) };
    try {
      await this.log.append(entry);
    } catch (error) {
      // The journey goes on; the operator learns from the log that the trail has a gap.
      this.logger.error('audit trail write failed', { event: event.event, error });
    }
  }

  readAll(): Promise<object[]> {
    return this.log.readAll();
  }
}
