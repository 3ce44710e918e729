/**
 * Test support for running a seed's monitoring files against Vigil on 127.0.0.1: copies of the
 * seed's prometheus.yml / alertmanager.yml with only endpoints redirected (and a check that nothing
 * else changed), a fake exporter whose counters grow with the fake clock, an HTTP server capturing
 * what receivers post, and a real SMTP server (the `smtp-server` package) offering STARTTLS with a
 * certificate the test process trusts, as a deployment would trust its mail relay's CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import type { Clock } from '../../packages/server/src/model/index.ts';
import { ROOT } from './vigil.ts';

export const SEEDS = join(ROOT, 'examples/seeds');

export interface Replacement {
  from: string;
  to: string;
}

/**
 * Writes `dir/name`, a copy of the seed's file with each `from` replaced by its `to` (every
 * occurrence; each must occur), and asserts that the copy differs from the seed only there: same
 * lines, and each changed line is the seed's line with replacements applied. Returns the text.
 */
export function writeRedirectedCopy(seed: string, name: string, dir: string, replacements: readonly Replacement[]): string {
  const original = readFileSync(join(SEEDS, seed, name), 'utf8');
  let copy = original;
  for (const { from, to } of replacements) {
    assert.ok(copy.includes(from), `${seed}/${name} has no ${JSON.stringify(from)} to redirect`);
    copy = copy.split(from).join(to);
  }
  assertOnlyRedirected(original, copy, replacements);
  writeFileSync(join(dir, name), copy);
  return copy;
}

/** Asserts that `copy` is `original` with nothing changed but the replacements' values. */
export function assertOnlyRedirected(original: string, copy: string, replacements: readonly Replacement[]): void {
  const before = original.split('\n');
  const after = copy.split('\n');
  assert.equal(after.length, before.length, 'the redirected copy has the seed file’s lines');
  let changed = 0;
  for (let index = 0; index < before.length; index++) {
    if (before[index] === after[index]) continue;
    changed++;
    let expected = before[index];
    for (const { from, to } of replacements) expected = expected.split(from).join(to);
    assert.equal(after[index], expected, `line ${index + 1} differs from the seed beyond the redirected endpoints`);
  }
  assert.ok(changed > 0 || replacements.length === 0, 'the copy redirects something');
}

/** Links the seed's own rule files (or folder) next to the copied prometheus.yml, so they load unchanged. */
export function linkSeedFiles(seed: string, dir: string, names: readonly string[]): void {
  for (const name of names) symlinkSync(join(SEEDS, seed, name), join(dir, name));
}

/** A counter that grows at a settable rate per second of the given clock. */
export class FakeCounter {
  private value = 0;
  private since: number;
  private perSecond = 0;

  constructor(private readonly clock: Clock) {
    this.since = clock.now();
  }

  read(): number {
    return this.value + (this.perSecond * (this.clock.now() - this.since)) / 1000;
  }

  setRate(perSecond: number): void {
    this.value = this.read();
    this.since = this.clock.now();
    this.perSecond = perSecond;
  }
}

/** An exporter on 127.0.0.1: `/metrics` answers `body()` in the text format, or `status` when not 200. */
export class FakeExporter {
  status = 200;
  requests = 0;
  private constructor(
    private readonly server: http.Server,
    readonly body: () => string,
  ) {}

  static async start(body: () => string): Promise<FakeExporter> {
    let exporter: FakeExporter | undefined;
    const server = http.createServer((request, response) => {
      if (exporter === undefined) return;
      exporter.requests++;
      if (exporter.status !== 200) {
        response.writeHead(exporter.status, { 'Content-Type': 'text/plain' }).end('unavailable\n');
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(exporter.body());
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    exporter = new FakeExporter(server, body);
    return exporter;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP server on 127.0.0.1 that records every request and answers 200 (or what `answer` says). */
export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  answer: (request: CapturedRequest) => { status: number; body: string } = () => ({ status: 200, body: '' });
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<CaptureServer> {
    let capture: CaptureServer | undefined;
    const server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const captured = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body };
        capture?.requests.push(captured);
        const answer = capture?.answer(captured) ?? { status: 200, body: '' };
        response.writeHead(answer.status).end(answer.body);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    capture = new CaptureServer(server);
    return capture;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Requests to `path`, in arrival order. */
  to(path: string): CapturedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl in `dir`. */
export function makeCertificate(dir: string): { key: string; cert: string } {
  execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

/**
 * Makes TLS clients of this process that name no CA of their own trust `certificate` besides the
 * system roots, as NODE_EXTRA_CA_CERTS does for a started process (it cannot be set later, and
 * Node 20 has no tls.setDefaultCACertificates). Returns the undo.
 */
export function trustCertificate(certificate: string): () => void {
  const original = tls.createSecureContext;
  const patched: typeof tls.createSecureContext = (options) => (options?.ca === undefined ? original({ ...options, ca: [...tls.rootCertificates, certificate] }) : original(options));
  (tls as { createSecureContext: typeof tls.createSecureContext }).createSecureContext = patched;
  return () => {
    (tls as { createSecureContext: typeof tls.createSecureContext }).createSecureContext = original;
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Whether STARTTLS was used. */
  secure: boolean;
  raw: string;
}

/** A real SMTP server on 127.0.0.1 offering STARTTLS with `certificate`, keeping every message. */
export class MailServer {
  readonly mails: ReceivedMail[] = [];
  private constructor(private readonly server: SMTPServer) {}

  static async start(certificate: { key: string; cert: string }): Promise<MailServer> {
    let mailServer: MailServer | undefined;
    const server = new SMTPServer({
      logger: false,
      key: certificate.key,
      cert: certificate.cert,
      authOptional: true,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mailServer?.mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            secure: session.secure,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    mailServer = new MailServer(server);
    return mailServer;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
