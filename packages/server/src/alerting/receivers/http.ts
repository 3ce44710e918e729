/**
 * HTTP for the notifiers: an injectable request function (tests capture requests with it), the
 * default one over node:http/https with `http_config`'s TLS options, the request headers
 * `http_config` adds (basic auth, authorization, http_headers), and Alertmanager's classification of
 * answers (notify.Retrier): 2xx succeeds, 5xx and the integration's extra codes are retried, other
 * codes are not; a network error is retried.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { SecureVersion } from 'node:tls';
import type { HttpClientConfig, TlsConfig } from '../../config/index.ts';
import type { NotifyResult } from '../types.ts';

export interface HttpTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

export interface HttpRequest {
  method: 'POST' | 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  tls?: HttpTlsOptions;
  /** Follow redirects (http_config `follow_redirects`, default true). */
  followRedirects: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** Sends one request. A rejected promise is a network error (retried). */
export type HttpFunction = (request: HttpRequest) => Promise<HttpResponse>;

/** Answers larger than this are cut: only their start ends up in an error message or is parsed. */
const maxResponseBytes = 1 << 20;
/** How much of an answer's body an error message quotes. */
const maxErrorBodyCharacters = 1024;
const maxRedirects = 10;

const tlsVersions: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

function sendOnce(request: HttpRequest, url: URL): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(request.body, 'utf8');
    const headers = { ...request.headers, 'Content-Length': String(body.length) };
    const options: https.RequestOptions = { method: request.method, headers, signal: request.signal };
    if (url.protocol === 'https:' && request.tls !== undefined) {
      const tls = request.tls;
      Object.assign(options, {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        servername: tls.serverName,
        rejectUnauthorized: !tls.insecureSkipVerify,
        minVersion: tls.minVersion ?? 'TLSv1.2',
        maxVersion: tls.maxVersion,
      });
    }
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(url, options, (incoming) => {
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        if (size < maxResponseBytes) chunks.push(chunk);
        size += chunk.length;
      });
      incoming.on('end', () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: incoming.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks).subarray(0, maxResponseBytes).toString('utf8') });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The default HttpFunction: node:http/https, following redirects as Go's client does. */
export const nodeHttp: HttpFunction = async (request) => {
  let url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
  let current = request;
  for (let redirects = 0; ; redirects++) {
    const response = await sendOnce(current, url);
    const location = response.headers.location;
    if (!current.followRedirects || location === undefined || ![301, 302, 303, 307, 308].includes(response.status)) return response;
    if (redirects >= maxRedirects) throw new Error(`stopped after ${maxRedirects} redirects`);
    const target = new URL(location, url);
    // Go keeps the method and body on 307/308 and turns other redirects of a POST into a GET.
    const keepsBody = response.status === 307 || response.status === 308;
    const headers = { ...current.headers };
    if (target.host !== url.host) delete headers.Authorization;
    if (!keepsBody) delete headers['Content-Type'];
    current = { ...current, method: keepsBody ? current.method : 'GET', body: keepsBody ? current.body : '', headers };
    url = target;
  }
};

async function readSecret(value: string | undefined, file: string | undefined, what: string): Promise<string> {
  if (file === undefined) return value ?? '';
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`unable to read ${what} file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function readPem(value: string | undefined, file: string | undefined, what: string): Promise<string | undefined> {
  if (value !== undefined && value !== '') return value;
  if (file === undefined || file === '') return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`unable to load specified ${what} file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** `tls_config` as Node TLS options; certificate files are read on each use, so rotated files take effect. */
export async function tlsOptions(config: TlsConfig): Promise<HttpTlsOptions> {
  return {
    ca: await readPem(config.ca, config.caFile, 'CA'),
    cert: await readPem(config.cert, config.certFile, 'client certificate'),
    key: await readPem(config.key, config.keyFile, 'client key'),
    serverName: config.serverName === '' ? undefined : config.serverName,
    insecureSkipVerify: config.insecureSkipVerify,
    minVersion: config.minVersion === undefined ? undefined : tlsVersions[config.minVersion],
    maxVersion: config.maxVersion === undefined ? undefined : tlsVersions[config.maxVersion],
  };
}

/**
 * The parts of `http_config` Vigil does not implement yet. buildIntegrations refuses them, so a
 * receiver never silently sends without the authentication or proxy it was configured with.
 */
export function unsupportedHttpConfig(config: HttpClientConfig): string | undefined {
  if (config.oauth2 !== undefined) return 'http_config.oauth2 is not supported by Vigil yet';
  if (config.proxy.proxyUrl !== undefined && config.proxy.proxyUrl !== '') return 'http_config.proxy_url is not supported by Vigil yet';
  if (config.proxy.proxyFromEnvironment) return 'http_config.proxy_from_environment is not supported by Vigil yet';
  for (const secret of [config.basicAuth?.usernameRef, config.basicAuth?.passwordRef, config.authorization?.credentialsRef, config.tlsConfig.caRef, config.tlsConfig.certRef, config.tlsConfig.keyRef]) {
    if (secret !== undefined) return 'secret references (*_ref) in http_config are not supported by Vigil yet';
  }
  return undefined;
}

/** Headers `http_config` adds to every request: `http_headers`, then basic auth or authorization. */
export async function httpConfigHeaders(config: HttpClientConfig): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(config.httpHeaders ?? {})) {
    const values = [...header.values, ...header.secrets];
    for (const file of header.files) values.push(await readSecret(undefined, file, `header ${name}`));
    // Node sends one header line per name; repeated values are joined as HTTP allows.
    if (values.length > 0) headers[name] = values.join(', ');
  }
  if (config.basicAuth !== undefined) {
    const username = await readSecret(config.basicAuth.username, config.basicAuth.usernameFile, 'basic auth username');
    const password = await readSecret(config.basicAuth.password, config.basicAuth.passwordFile, 'basic auth password');
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  } else if (config.authorization !== undefined) {
    const credentials = await readSecret(config.authorization.credentials, config.authorization.credentialsFile, 'authorization credentials');
    headers.Authorization = `${config.authorization.type} ${credentials}`;
  }
  return headers;
}

/** Everything a notifier needs to send over HTTP. */
export interface HttpSender {
  http: HttpFunction;
  config: HttpClientConfig;
  userAgent: string;
}

/**
 * Sends `body` as Alertmanager's notify.PostJSON does (User-Agent, Content-Type), with the
 * `http_config` headers and TLS options. Rejects on network errors.
 */
export async function send(
  sender: HttpSender,
  request: { method?: 'POST' | 'PUT'; url: string; body: string; contentType?: string; headers?: Record<string, string>; signal: AbortSignal },
): Promise<HttpResponse> {
  const headers: Record<string, string> = {
    ...(await httpConfigHeaders(sender.config)),
    ...request.headers,
    'User-Agent': sender.userAgent,
    'Content-Type': request.contentType ?? 'application/json',
  };
  return await sender.http({
    method: request.method ?? 'POST',
    url: request.url,
    headers,
    body: request.body,
    signal: request.signal,
    tls: await tlsOptions(sender.config.tlsConfig),
    followRedirects: sender.config.followRedirects,
  });
}

/** A network failure as Alertmanager reports it: retried, with the URL (which may hold a secret) redacted. */
export function networkFailure(method: string, error: unknown, prefix = ''): NotifyResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, retryable: true, error: `${prefix}${method} "<redacted>": ${message}` };
}

function bounded(text: string): string {
  return text.length <= maxErrorBodyCharacters ? text : `${text.slice(0, maxErrorBodyCharacters)}…`;
}

export interface RetryPolicy {
  /** Codes retried besides 5xx (429 for most integrations, 403 for PagerDuty v1). */
  retryCodes?: readonly number[];
  /** What the error message says about the answer instead of its body. */
  details?: (status: number, body: string) => string;
}

/** notify.Retrier.Check: undefined for 2xx, else the failure with its retry verdict. */
export function checkResponse(response: HttpResponse, policy: RetryPolicy = {}): NotifyResult | undefined {
  const status = response.status;
  if (Math.trunc(status / 100) === 2) return undefined;
  const retryable = Math.trunc(status / 100) === 5 || (policy.retryCodes ?? []).includes(status);
  const details = policy.details === undefined ? response.body : policy.details(status, response.body);
  const error = details === '' ? `unexpected status code ${status}` : `unexpected status code ${status}: ${bounded(details)}`;
  return { ok: false, retryable, error };
}

/** Reads a secret or URL from `…_file` on each notification, as Alertmanager does. */
export async function readSettingFile(file: string, what: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`read ${what}: ${(error as Error).message}`, { cause: error });
  }
}
