import { SMTPServer } from "smtp-server";
import { Receiver } from "../../lib/conventions";
import { Journal } from "./journal";

/** A real SMTP server for the e-mail digest: every message lands in received/email-digest.jsonl. */

export interface SmtpSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly stateDir: string;
}

export interface SmtpSink {
  readonly address: string;
  close(): Promise<void>;
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly message: string;
}

function header(message: string, name: string): string {
  const head = message.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line ? line.slice(name.length + 1).trim() : "";
}

export async function startSmtpSink(options: SmtpSinkOptions): Promise<SmtpSink> {
  const journal = new Journal(options.stateDir);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const message = Buffer.concat(chunks).toString("utf8");
        const envelope = session.envelope;
        const mail: ReceivedMail = {
          from: envelope.mailFrom ? envelope.mailFrom.address : "",
          to: envelope.rcptTo.map((r) => r.address),
          subject: header(message, "subject"),
          message,
        };
        journal.record(Receiver.emailDigest, "smtp", mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    address: `${options.host}:${options.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
