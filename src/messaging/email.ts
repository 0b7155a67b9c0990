import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppendLog } from '../store/appendLog.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
  close?(): void;
}

export interface OutboxEmail extends EmailMessage {
  at: string;
}

/** Development and tests: each mail is one JSON line in DATA_DIR/outbox/email.jsonl, a stable interface. */
export class OutboxEmailSender implements EmailSender {
  readonly outbox: AppendLog<OutboxEmail>;

  constructor(dataDir: string) {
    this.outbox = new AppendLog(path.join(dataDir, 'outbox', 'email.jsonl'));
  }

  async send(message: EmailMessage): Promise<void> {
    await this.outbox.append({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      at: new Date().toISOString(),
    });
  }
}

/** Real delivery through an SMTP server named by SMTP_URL (smtp:// or smtps://, credentials in the URL). */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    url.searchParams.set('connectionTimeout', '10000');
    url.searchParams.set('greetingTimeout', '10000');
    url.searchParams.set('socketTimeout', '20000');
    this.transport = nodemailer.createTransport(url.toString());
  }

  async send(message: EmailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.transport.close();
  }
}

export function createEmailSender(options: {
  smtpUrl: string | undefined;
  from: string;
  dataDir: string;
}): EmailSender {
  return options.smtpUrl ? new SmtpEmailSender(options.smtpUrl, options.from) : new OutboxEmailSender(options.dataDir);
}
