/**
 * The HTTP side of a scrape: building the target URL, authenticating, TLS, redirects, the timeout,
 * gzip and the body size limit. Semantics follow Prometheus's targetScraper (scrape/scrape.go) and the
 * prometheus/common HTTP client config: credentials and header files are read at every scrape (so a
 * rotated token is picked up without a reload), file contents are trimmed of surrounding whitespace,
 * a body of `limit` bytes or more (after decompression) fails the scrape.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import type { Authorization, BasicAuth, HttpHeader, NameEscapingScheme, ScrapeProtocol, TlsConfig, TlsVersion } from '../../config/index.ts';
import { SCRAPE_ACCEPT_HEADER } from './exposition/index.ts';
import { BodyTooLarge, PlainHttpConnection } from './plain-http.ts';
import type { AbortLike, PlainResponse } from './plain-http.ts';

const gunzipAsync = promisify(gunzip);

/** Why a scrape failed, as counted in Vigil's own metrics. */
export type ScrapeFailureReason =
  | 'http'
  | 'timeout'
  | 'body_size_limit'
  | 'content_type'
  | 'parse'
  | 'sample_limit'
  | 'label_limit'
  | 'invalid_series'
  | 'target_limit'
  | 'config'
  | 'storage';

export const SCRAPE_FAILURE_REASONS: readonly ScrapeFailureReason[] = [
  'http',
  'timeout',
  'body_size_limit',
  'content_type',
  'parse',
  'sample_limit',
  'label_limit',
  'invalid_series',
  'target_limit',
  'config',
  'storage',
];

/** A failed scrape: the message is what the targets API shows as `lastError`. */
export class ScrapeError extends Error {
  readonly reason: ScrapeFailureReason;
  constructor(reason: ScrapeFailureReason, message: string) {
    super(message);
    this.name = 'ScrapeError';
    this.reason = reason;
  }
}

/** Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] percent-encoded, space as '+'. */
function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The scrape URL of a target as Prometheus's Target.URL builds it: `scheme://address/path?query`,
 * the query from the job's `params` with each `__param_<name>` label replacing the first value of
 * `<name>`, keys sorted (url.Values.Encode).
 */
export function buildScrapeUrl(
  scheme: string,
  address: string,
  metricsPath: string,
  params: Readonly<Record<string, readonly string[]>>,
  paramLabels: Readonly<Record<string, string>>,
): string {
  const values = new Map<string, string[]>();
  for (const [name, list] of Object.entries(params)) values.set(name, [...list]);
  for (const [name, value] of Object.entries(paramLabels)) {
    const list = values.get(name);
    if (list !== undefined && list.length > 0) list[0] = value;
    else values.set(name, [value]);
  }
  const parts: string[] = [];
  for (const name of [...values.keys()].sort()) {
    for (const value of values.get(name) as string[]) parts.push(`${queryEscape(name)}=${queryEscape(value)}`);
  }
  const path = metricsPath === '' || metricsPath.startsWith('/') ? metricsPath : `/${metricsPath}`;
  const query = parts.length > 0 ? `?${parts.join('&')}` : '';
  return `${scheme}://${address}${path}${query}`;
}

const PROTOCOL_MEDIA_TYPES: Record<ScrapeProtocol, string> = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/**
 * The Accept header for a job's `scrape_protocols`, weighted in order as Prometheus weighs them
 * (q=0.6 down, then `*∕*`). PrometheusProto is left out: Vigil cannot parse the protobuf format, so
 * asking for it would only make targets answer in a format that fails. The default protocol list
 * gives exactly SCRAPE_ACCEPT_HEADER.
 */
export function acceptHeaderFor(protocols: readonly ScrapeProtocol[] | undefined, escaping: NameEscapingScheme = 'allow-utf-8'): string {
  if (protocols === undefined) return SCRAPE_ACCEPT_HEADER;
  const values: string[] = [];
  let weight = Object.keys(PROTOCOL_MEDIA_TYPES).length + 1;
  for (const protocol of protocols) {
    if (protocol === 'PrometheusProto') continue;
    let value = PROTOCOL_MEDIA_TYPES[protocol];
    if (protocol === 'PrometheusText1.0.0' || protocol === 'OpenMetricsText1.0.0') value += `;escaping=${escaping}`;
    values.push(`${value};q=0.${weight}`);
    weight--;
  }
  values.push(`*/*;q=0.${weight}`);
  return values.join(',');
}

export interface ScrapeHttpOptions {
  url: string;
  timeoutMs: number;
  /** Bytes after decompression; 0 = unlimited. */
  bodySizeLimit: number;
  acceptHeader: string;
  /** `enable_compression`: Accept-Encoding gzip (true) or identity. */
  enableCompression: boolean;
  followRedirects: boolean;
  userAgent: string;
  basicAuth?: BasicAuth;
  authorization?: Authorization;
  httpHeaders?: Readonly<Record<string, HttpHeader>>;
  tls?: TlsConfig;
}

export interface ScrapeResponse {
  /**
   * The body, decompressed; decoded to text piece by piece by the parser's caller. Valid until the
   * client's next fetch(), which may reuse its memory.
   */
  body: Uint8Array;
  /** The Content-Type header, '' when absent. */
  contentType: string;
  /** Uncompressed body size in bytes. */
  bytes: number;
}

/**
 * A scrape's timeout. Plain-http scrapes only need `aborted` and one listener at a time, which this
 * keeps in plain fields; the AbortSignal Node's https client needs is made only for such a scrape.
 */
class ScrapeDeadline implements AbortLike {
  aborted = false;
  private listeners: (() => void)[] = [];
  private controller: AbortController | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }

  /** The timeout passed: listeners run once (as with `{ once: true }`), then the signal aborts. */
  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
    this.controller?.abort();
  }

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }
}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new ScrapeError('config', `unable to read ${what} file ${path}: ${(error as Error).message}`);
  }
}

const TLS_VERSIONS: Record<TlsVersion, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/**
 * One target's HTTP client: keeps its agents (and so its keep-alive connections) between scrapes.
 * TLS files are read at every scrape and the HTTPS agent is rebuilt when their content changed.
 */
export class ScrapeHttpClient {
  private readonly options: ScrapeHttpOptions;
  private httpAgent: http.Agent | null = null;
  private httpsAgent: https.Agent | null = null;
  private tlsKey = '';
  /** The scrape URL, parsed once; the request options of the last URL requested. */
  private url: URL | null = null;
  private requestUrl: URL | null = null;
  private requestOptions: http.RequestOptions = {};
  /** Plain-http targets: one kept-alive connection of the minimal client. */
  private readonly plain = new PlainHttpConnection();
  /** Where bodies of https responses that arrive in several chunks are joined (see joinBody). */
  private bodyBuffer: Buffer = Buffer.alloc(0);
  /** Headers that need no file read, built by the first scrape. */
  private fixedHeaders: Record<string, string> | null = null;

  constructor(options: ScrapeHttpOptions) {
    this.options = options;
  }

  close(): void {
    this.plain.close();
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
    this.httpAgent = null;
    this.httpsAgent = null;
  }

  /** Performs one scrape request. Throws ScrapeError. */
  async fetch(): Promise<ScrapeResponse> {
    const o = this.options;
    let headers = this.fixedHeaders ?? (await this.headers());
    const deadline = new ScrapeDeadline();
    const timer = setTimeout(() => deadline.fire(), o.timeoutMs);
    try {
      let url = (this.url ??= new URL(o.url));
      for (let redirects = 0; ; redirects++) {
        if (url.protocol === 'http:') {
          const res = await this.plain.get(url, headers, deadline, o.bodySizeLimit > 0 ? o.bodySizeLimit : Infinity);
          const location = res.headers.location;
          if (o.followRedirects && REDIRECT_STATUSES.has(res.statusCode) && location !== undefined) {
            if (redirects + 1 >= MAX_REDIRECTS) throw new ScrapeError('http', `Get "${o.url}": stopped after ${MAX_REDIRECTS} redirects`);
            const next = new URL(location, url);
            if (next.host !== url.host) {
              headers = { ...headers };
              delete headers.authorization;
            }
            url = next;
            continue;
          }
          if (res.statusCode !== 200) throw new ScrapeError('http', `server returned HTTP status ${res.statusCode} ${res.statusMessage}`.trimEnd());
          return await this.plainBody(res, deadline);
        }
        const agent = url.protocol === 'https:' ? await this.tlsAgent() : this.plainAgent();
        const res = await this.request(url, headers, agent, deadline.signal);
        if (o.followRedirects && REDIRECT_STATUSES.has(res.statusCode ?? 0) && res.headers.location !== undefined) {
          res.resume();
          if (redirects + 1 >= MAX_REDIRECTS) throw new ScrapeError('http', `Get "${o.url}": stopped after ${MAX_REDIRECTS} redirects`);
          const next = new URL(res.headers.location, url);
          if (next.host !== url.host) {
            headers = { ...headers };
            delete headers.authorization;
          }
          url = next;
          continue;
        }
        if (res.statusCode !== 200) {
          res.resume();
          throw new ScrapeError('http', `server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd());
        }
        return await this.readBody(res, deadline.signal);
      }
    } catch (error) {
      if (error instanceof ScrapeError) throw error;
      if (deadline.aborted) throw new ScrapeError('timeout', `Get "${o.url}": context deadline exceeded`);
      if (error instanceof BodyTooLarge) throw new ScrapeError('body_size_limit', 'body size limit exceeded');
      throw new ScrapeError('http', `Get "${o.url}": ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The request headers. Unless something is read from a file (read at every scrape, so rotated
   * credentials are picked up), they are the same every time: built once.
   */
  private async headers(): Promise<Record<string, string>> {
    const o = this.options;
    const fromFiles =
      (o.httpHeaders !== undefined && Object.values(o.httpHeaders).some((header) => header.files.length > 0)) ||
      o.basicAuth?.usernameFile !== undefined ||
      o.basicAuth?.passwordFile !== undefined ||
      (o.basicAuth === undefined && o.authorization?.credentialsFile !== undefined);
    const headers = await this.buildHeaders();
    if (!fromFiles) this.fixedHeaders = headers;
    return headers;
  }

  private async buildHeaders(): Promise<Record<string, string>> {
    const o = this.options;
    const headers: Record<string, string> = {};
    if (o.httpHeaders !== undefined) {
      for (const [name, header] of Object.entries(o.httpHeaders)) {
        const values = [...header.values, ...header.secrets];
        for (const file of header.files) values.push(await readSecretFile(file, `header ${name}`));
        if (values.length > 0) headers[name.toLowerCase()] = values.join(', ');
      }
    }
    headers.accept = o.acceptHeader;
    headers['accept-encoding'] = o.enableCompression ? 'gzip' : 'identity';
    headers['user-agent'] = o.userAgent;
    headers['x-prometheus-scrape-timeout-seconds'] = String(o.timeoutMs / 1000);
    if (o.basicAuth !== undefined) {
      const b = o.basicAuth;
      const username = b.usernameFile !== undefined ? await readSecretFile(b.usernameFile, 'basic auth username') : (b.username ?? '');
      const password = b.passwordFile !== undefined ? await readSecretFile(b.passwordFile, 'basic auth password') : (b.password ?? '');
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    } else if (o.authorization !== undefined) {
      const a = o.authorization;
      const credentials =
        a.credentialsFile !== undefined ? await readSecretFile(a.credentialsFile, 'authorization credentials') : (a.credentials ?? '');
      headers.authorization = `${a.type} ${credentials}`;
    }
    return headers;
  }

  private plainAgent(): http.Agent {
    if (this.httpAgent === null) this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return this.httpAgent;
  }

  private async tlsAgent(): Promise<https.Agent> {
    const t = this.options.tls;
    const ca = t?.caFile !== undefined ? await readTlsFile(t.caFile, 'CA') : t?.ca;
    const cert = t?.certFile !== undefined ? await readTlsFile(t.certFile, 'client certificate') : t?.cert;
    const key = t?.keyFile !== undefined ? await readTlsFile(t.keyFile, 'client key') : t?.key;
    const tlsKey = `${ca ?? ''}\u0000${cert ?? ''}\u0000${key ?? ''}`;
    if (this.httpsAgent === null || tlsKey !== this.tlsKey) {
      this.httpsAgent?.destroy();
      this.tlsKey = tlsKey;
      this.httpsAgent = new https.Agent({
        keepAlive: true,
        maxSockets: 1,
        ca,
        cert,
        key,
        servername: t?.serverName,
        rejectUnauthorized: !(t?.insecureSkipVerify ?? false),
        minVersion: t?.minVersion !== undefined ? TLS_VERSIONS[t.minVersion] : undefined,
        maxVersion: t?.maxVersion !== undefined ? TLS_VERSIONS[t.maxVersion] : undefined,
      });
    }
    return this.httpsAgent;
  }

  /**
   * One GET. The request options are converted from the URL once per URL, and the timeout destroys
   * the request from one abort listener (cheaper than Node's `signal` option, which also watches the
   * stream's end).
   */
  private request(url: URL, headers: Record<string, string>, agent: http.Agent, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new Error(`unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`));
        return;
      }
      if (signal.aborted) {
        reject(new Error('aborted'));
        return;
      }
      if (url !== this.requestUrl) {
        this.requestOptions = { ...urlToHttpOptions(url), method: 'GET' };
        this.requestUrl = url;
      }
      const onAbort = () => req.destroy(new Error('aborted'));
      const req = send({ ...this.requestOptions, headers, agent }, (res) => {
        signal.removeEventListener('abort', onAbort);
        resolve(res);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', reject);
      req.end();
    });
  }

  /** The body of a plain-http response: joined, and decompressed when gzip (the size limit applies after decompression). */
  private async plainBody(res: PlainResponse, signal: AbortLike): Promise<ScrapeResponse> {
    const contentType = res.headers['content-type'] ?? '';
    const raw = res.body;
    if (res.headers['content-encoding'] !== 'gzip') return { body: raw, contentType, bytes: res.size };
    const limit = this.options.bodySizeLimit > 0 ? this.options.bodySizeLimit : Infinity;
    let body: Buffer;
    try {
      body = await gunzipAsync(raw, limit === Infinity ? {} : { maxOutputLength: Math.max(1, limit - 1) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ScrapeError('body_size_limit', 'body size limit exceeded');
      throw new ScrapeError('http', `gzip: ${(error as Error).message}`);
    }
    if (signal.aborted) throw new Error('aborted');
    if (body.length >= limit) throw new ScrapeError('body_size_limit', 'body size limit exceeded');
    return { body, contentType, bytes: body.length };
  }

  /**
   * The body's chunks copied into one buffer reused from scrape to scrape (a body is parsed before
   * the next request starts): no fresh allocation, page faults and external-memory pressure per scrape.
   */
  private joinBody(chunks: readonly Buffer[], size: number): Buffer {
    if (this.bodyBuffer.length < size) this.bodyBuffer = Buffer.allocUnsafe(Math.max(size, this.bodyBuffer.length * 2));
    const body = this.bodyBuffer;
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    return body.subarray(0, size);
  }

  private readBody(res: IncomingMessage, signal: AbortSignal): Promise<ScrapeResponse> {
    const limit = this.options.bodySizeLimit > 0 ? this.options.bodySizeLimit : Infinity;
    const gzip = res.headers['content-encoding'] === 'gzip';
    const contentType = res.headers['content-type'] ?? '';
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const source: NodeJS.ReadableStream = gzip ? res.pipe(createGunzip()) : res;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        res.destroy();
        if (source !== res) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
        reject(error);
      };
      signal.addEventListener('abort', () => fail(new ScrapeError('timeout', `Get "${this.options.url}": context deadline exceeded`)), { once: true });
      source.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size >= limit) {
          fail(new ScrapeError('body_size_limit', 'body size limit exceeded'));
          return;
        }
        chunks.push(chunk);
      });
      source.on('error', (error: Error) => fail(new ScrapeError('http', gzip ? `gzip: ${error.message}` : error.message)));
      res.on('aborted', () => fail(new ScrapeError('http', 'unexpected EOF')));
      source.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ body: chunks.length === 1 ? chunks[0] : this.joinBody(chunks, size), contentType, bytes: size });
      });
    });
  }
}

async function readTlsFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ScrapeError('config', `unable to load specified ${what} file ${path}: ${(error as Error).message}`);
  }
}
