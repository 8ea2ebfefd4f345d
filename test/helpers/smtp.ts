import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './server-process';

/** An SMTP server that keeps what it receives and hands messages out in arrival order. */
export async function startSmtp() {
  const received: ParsedMail[] = [];
  const waiting: ((m: ParsedMail) => void)[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (mail) => {
          const next = waiting.shift();
          if (next) next(mail);
          else received.push(mail);
          done();
        },
        (err: Error) => done(err),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    next: () => new Promise<ParsedMail>((resolve) => (received.length ? resolve(received.shift()!) : waiting.push(resolve))),
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** The token of the password-reset link in a mail. */
export const resetToken = (mail: ParsedMail): string => /\/reset-password#([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1]!;
/** The first recipient's address. */
export const mailTo = (mail: ParsedMail): string => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address!;
