import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { MailText } from './messages';

/** An iCalendar object sent with a mail, as the invitation itself. */
export interface MailCalendar {
  method: 'REQUEST' | 'CANCEL';
  filename: string;
  content: string;
}

/**
 * Sends mail through the SMTP relay of SMTP_URL; without one (the embedded default), each message is
 * written to DATA_DIR/outbox as an .eml file that any mail program opens, and its path is logged.
 */
@Injectable()
export class MailService {
  private readonly smtp: Transporter | null;
  private readonly builder: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.smtp = config.mail.smtpUrl ? createTransport(config.mail.smtpUrl) : null;
    this.builder = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  /** The address mail comes from, for calendar organisers. */
  get fromAddress(): string {
    return /<([^>]+)>/.exec(this.config.mail.from)?.[1] ?? this.config.mail.from;
  }

  /** Resolves once the relay took the message (or the file is written); never logs the body. */
  async send(to: string, message: MailText, calendar?: MailCalendar): Promise<void> {
    const mail = {
      from: this.config.mail.from,
      to,
      subject: message.subject,
      text: message.text,
      // A calendar invitation or cancellation (RFC 6047): mail programs offer to add or remove it.
      ...(calendar ? { icalEvent: { method: calendar.method, filename: calendar.filename, content: calendar.content } } : {}),
    };
    if (this.smtp) {
      const info = (await this.smtp.sendMail(mail)) as { messageId?: string };
      this.logger.info({ event: 'mail-sent', messageId: info.messageId }, 'mail handed to the SMTP relay');
      return;
    }
    const built = (await this.builder.sendMail(mail)) as { message: Buffer };
    await mkdir(this.config.mail.outboxDir, { recursive: true, mode: 0o700 });
    const file = path.join(this.config.mail.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`);
    await writeFile(file, built.message, { mode: 0o600 });
    this.logger.info({ event: 'mail-written', file }, `no SMTP_URL set: mail written to ${file}`);
  }
}
