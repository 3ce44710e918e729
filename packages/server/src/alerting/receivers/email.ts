/**
 * email_configs: the message Alertmanager composes — the configured headers (To, From, Subject and
 * the user's, each a template, Q-encoded when not plain ASCII), Message-Id, Date, and a
 * multipart/alternative body with a quoted-printable text part (when `text` is set) and HTML part
 * (when `html` is set) — delivered over SMTP by nodemailer: implicit TLS on port 465 (or
 * `force_implicit_tls`), STARTTLS when `require_tls`, `hello` as the EHLO name, and PLAIN (with
 * `auth_identity`), LOGIN or CRAM-MD5 authentication when the server offers AUTH and a username is set.
 * With `threading`, References and In-Reply-To name one thread root per group (and day).
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import os from 'node:os';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import addressparser from 'nodemailer/lib/addressparser';
import type { EmailConfig } from '../config/types.ts';
import type { Alert, Notifier, NotifyContext, NotifyResult } from '../types.ts';
import { groupKeyHash } from './data.ts';
import { readSettingFile, tlsOptions } from './http.ts';
import { guarded, startRendering } from './notifier.ts';
import type { NotifierDependencies } from './notifier.ts';

/** Test and tuning knobs for the SMTP connection. */
export interface SmtpOptions {
  /** Milliseconds to wait for the connection and for each answer; default 30 s. */
  timeoutMs?: number;
  /** Host name in the Message-Id; default the machine's host name. */
  hostname?: string;
}

/** Go's mime.QEncoding.Encode("utf-8", text): unchanged when it is printable ASCII. */
export function qEncode(text: string): string {
  if (!/[^\t\x20-\x7e]/.test(text)) return text;
  const words: string[] = [];
  let current = '';
  const maxEncoded = 75 - '=?utf-8?q?'.length - '?='.length;
  for (const character of text) {
    let encoded = '';
    for (const byte of Buffer.from(character, 'utf8')) {
      if (byte === 0x20) encoded += '_';
      else if (byte > 0x20 && byte < 0x7f && byte !== 0x3d && byte !== 0x3f && byte !== 0x5f) encoded += String.fromCharCode(byte);
      else encoded += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    // A character is never split across encoded words.
    if (current.length + encoded.length > maxEncoded && current !== '') {
      words.push(current);
      current = '';
    }
    current += encoded;
  }
  words.push(current);
  return words.map((word) => `=?utf-8?q?${word}?=`).join(' ');
}

/** Quoted-printable as Go's quotedprintable.Writer writes text: CRLF line breaks, soft breaks before 76 characters. */
export function quotedPrintable(text: string): string {
  const lines = text.split(/\r?\n/);
  return lines
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const pieces: string[] = [];
      bytes.forEach((byte, index) => {
        const last = index === bytes.length - 1;
        const literal = (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) || ((byte === 0x20 || byte === 0x09) && !last);
        pieces.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
      });
      let output = '';
      let length = 0;
      for (const piece of pieces) {
        if (length + piece.length > 75) {
          output += '=\r\n';
          length = 0;
        }
        output += piece;
        length += piece.length;
      }
      return output;
    })
    .join('\r\n');
}

/** time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
function rfc1123z(milliseconds: number): string {
  return new Date(milliseconds).toUTCString().replace(/GMT$/, '+0000');
}

function parseAddresses(text: string, what: string): string[] {
  const addresses = addressparser(text, { flatten: true }).map((mailbox) => mailbox.address).filter((address) => address !== '');
  if (addresses.length === 0) throw new Error(`parse '${what}' addresses: no address in ${JSON.stringify(text)}`);
  return addresses;
}

export interface ComposedEmail {
  from: string;
  to: string[];
  /** The whole message, CRLF line breaks. */
  message: string;
}

export class EmailNotifier implements Notifier {
  private readonly config: EmailConfig;
  private readonly dependencies: NotifierDependencies;
  private readonly smtp: SmtpOptions;

  constructor(config: EmailConfig, dependencies: NotifierDependencies, smtp: SmtpOptions = {}) {
    this.config = config;
    this.dependencies = dependencies;
    this.smtp = smtp;
  }

  /** The envelope and message of one notification. */
  async compose(context: NotifyContext, alerts: readonly Alert[]): Promise<ComposedEmail> {
    const config = this.config;
    const { renderer } = startRendering(this.dependencies, context, alerts);
    const render = async (field: string, what: string, html = false): Promise<string> => {
      try {
        return html ? await renderer.html(field) : await renderer.text(field);
      } catch (error) {
        throw new Error(`execute ${what} template: ${(error as Error).message}`, { cause: error });
      }
    };
    const fromAddresses = parseAddresses(await render(config.from, "'from'"), 'from');
    if (fromAddresses.length !== 1) throw new Error(`must be exactly one 'from' address (got: ${fromAddresses.length})`);
    const to = parseAddresses(await render(config.to, "'to'"), 'to');

    const lines: string[] = [];
    for (const name of Object.keys(config.headers).sort()) {
      lines.push(`${name}: ${qEncode(await render(config.headers[name], JSON.stringify(name) + ' header'))}`);
    }
    const hostname = this.smtp.hostname ?? os.hostname();
    if (!('Message-Id' in config.headers)) {
      lines.push(`Message-Id: <${BigInt(context.now) * 1_000_000n}.${randomBytes(8).readBigUInt64BE()}@${hostname}>`);
    }
    if (config.threading.enabled) {
      // Every notification of the group refers to one thread root that is never sent itself; mail
      // clients group the messages under it (per day unless thread_by_date is none).
      const threadBy = config.threading.threadByDate === 'none' ? '' : new Date(context.now).toISOString().slice(0, 10);
      const root = `<alert-${groupKeyHash(context.groupKey).slice(0, 16)}-${threadBy}@alertmanager>`;
      lines.push(`References: ${root}`, `In-Reply-To: ${root}`);
    }
    const boundary = randomBytes(30).toString('hex');
    lines.push(`Date: ${rfc1123z(context.now)}`);
    // Alertmanager writes two spaces before the boundary parameter; kept so messages compare equal.
    lines.push(`Content-Type: multipart/alternative;  boundary=${boundary}`);
    lines.push('MIME-Version: 1.0');
    const parts: string[] = [];
    if (config.text !== '') parts.push(this.part('text/plain', await render(config.text, 'text')));
    if (config.html !== '') parts.push(this.part('text/html', await render(config.html, 'html', true)));
    let body = parts.map((part, index) => `${index === 0 ? '' : '\r\n'}--${boundary}\r\n${part}`).join('');
    body += `${parts.length === 0 ? '' : '\r\n'}--${boundary}--\r\n`;
    return { from: fromAddresses[0], to, message: `${lines.join('\r\n')}\r\n\r\n${body}` };
  }

  private part(contentType: string, text: string): string {
    return `Content-Transfer-Encoding: quoted-printable\r\nContent-Type: ${contentType}; charset=UTF-8\r\n\r\n${quotedPrintable(text)}`;
  }

  private async transportOptions(): Promise<SMTPTransport.Options> {
    const config = this.config;
    const separator = config.smarthost.lastIndexOf(':');
    const host = config.smarthost.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
    const port = Number(config.smarthost.slice(separator + 1));
    const tls = await tlsOptions(config.tlsConfig);
    const timeout = this.smtp.timeoutMs ?? 30_000;
    const options: SMTPTransport.Options = {
      host,
      port,
      secure: port === 465 || config.forceImplicitTls === true,
      name: config.hello,
      requireTLS: config.requireTls,
      ignoreTLS: !config.requireTls,
      tls: {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        // Go verifies against the smarthost's name; Node does the same from `host` when no SNI name is given (an IP is not one).
        servername: tls.serverName ?? (isIP(host) === 0 ? host : undefined),
        rejectUnauthorized: !tls.insecureSkipVerify,
        minVersion: tls.minVersion ?? 'TLSv1.2',
        maxVersion: tls.maxVersion,
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    };
    if (config.authUsername !== '') {
      const password = config.authPasswordFile !== undefined ? await readSettingFile(config.authPasswordFile, 'auth_password_file') : config.authPassword;
      const secret = config.authSecretFile !== undefined ? await readSettingFile(config.authSecretFile, 'auth_secret_file') : config.authSecret;
      if (password !== '') {
        options.auth = { user: config.authUsername, pass: password };
        if (config.authIdentity !== '') {
          // nodemailer's PLAIN leaves the authorization identity empty; Alertmanager sends auth_identity there.
          const identity = config.authIdentity;
          options.customAuth = {
            PLAIN: async (authentication) => {
              const token = Buffer.from(`${identity}\u0000${config.authUsername}\u0000${password}`, 'utf8').toString('base64');
              const answer = await authentication.sendCommand(`AUTH PLAIN ${token}`);
              if (answer.status !== 235) return authentication.reject(new Error(`PLAIN auth: ${answer.text}`));
              return authentication.resolve();
            },
          };
        }
      } else if (secret !== '') {
        options.auth = { user: config.authUsername, pass: secret, method: 'CRAM-MD5' };
      }
    }
    return options;
  }

  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    return await guarded(async () => {
      const email = await this.compose(context, alerts);
      const transport = nodemailer.createTransport(await this.transportOptions());
      try {
        const sending = transport.sendMail({ envelope: { from: email.from, to: email.to }, raw: email.message });
        const aborted = new Promise<never>((_resolve, reject) => {
          if (context.signal.aborted) reject(new Error('notification aborted'));
          context.signal.addEventListener('abort', () => reject(new Error('notification aborted')), { once: true });
        });
        await Promise.race([sending, aborted]);
        return { ok: true };
      } catch (error) {
        // Connection, TLS, authentication and SMTP command failures may pass: Alertmanager retries them all.
        return { ok: false, retryable: true, error: `send email to ${this.config.smarthost}: ${(error as Error).message}` };
      } finally {
        transport.close();
      }
    });
  }
}
