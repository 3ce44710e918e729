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
import { BlockList, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, SecureVersion, TLSSocket } from 'node:tls';
import type { HttpClientConfig, ProxyConfig, TlsConfig } from '../../config/index.ts';
import type { NotifyResult } from '../types.ts';
import { OAuth2TokenSource } from './oauth2.ts';

export interface HttpTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

/** Where to send a request through (http_config's proxy settings, resolved for its URL). */
export interface HttpProxy {
  /** `http://[user:password@]host:port`. */
  url: string;
  /** Extra headers of the CONNECT request (`proxy_connect_header`). */
  connectHeaders: Record<string, string>;
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
  proxy?: HttpProxy;
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

function nodeTlsOptions(tls: HttpTlsOptions | undefined, host: string): ConnectionOptions {
  return {
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
    // Node checks the certificate against `servername`, or the host when none is given (an IP is not a server name).
    servername: tls?.serverName ?? (isIP(host) === 0 ? host : undefined),
    rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
    minVersion: tls?.minVersion ?? 'TLSv1.2',
    maxVersion: tls?.maxVersion,
  };
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '' && proxy.password === '') return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/** A TLS connection to `url`'s host through an HTTP proxy's CONNECT tunnel. */
function tunnel(proxy: HttpProxy, url: URL, tls: HttpTlsOptions | undefined, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const proxyUrl = new URL(proxy.url);
    const target = `${url.hostname.replace(/^\[(.*)\]$/, '$1')}:${url.port === '' ? '443' : url.port}`;
    const connect = http.request({
      host: proxyUrl.hostname,
      port: proxyUrl.port === '' ? 80 : Number(proxyUrl.port),
      method: 'CONNECT',
      path: target,
      headers: { Host: target, ...proxy.connectHeaders, ...proxyAuthorization(proxyUrl) },
      signal,
    });
    connect.on('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`proxyconnect tcp: ${response.statusCode ?? 0} ${response.statusMessage ?? ''}`.trim()));
        return;
      }
      const secure = tlsConnect({ socket, ...nodeTlsOptions(tls, url.hostname) });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    });
    connect.on('error', reject);
    connect.end();
  });
}

async function sendOnce(request: HttpRequest, url: URL): Promise<HttpResponse> {
  const body = Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { ...request.headers, 'Content-Length': String(body.length) };
  const options: https.RequestOptions = { method: request.method, headers, signal: request.signal };
  let target: URL | string = url;
  if (url.protocol === 'https:') Object.assign(options, nodeTlsOptions(request.tls, url.hostname));
  if (request.proxy !== undefined) {
    const proxyUrl = new URL(request.proxy.url);
    if (proxyUrl.protocol !== 'http:') throw new Error(`proxy scheme "${proxyUrl.protocol.replace(/:$/, '')}" is not supported by Vigil yet`);
    if (url.protocol === 'https:') {
      const socket = await tunnel(request.proxy, url, request.tls, request.signal);
      Object.assign(options, { createConnection: () => socket, agent: false });
    } else {
      // A plain request goes to the proxy with the absolute URL as its target.
      Object.assign(options, { host: proxyUrl.hostname, port: proxyUrl.port === '' ? 80 : Number(proxyUrl.port), path: url.href });
      Object.assign(headers, { Host: url.host }, proxyAuthorization(proxyUrl));
      target = '';
    }
  }
  return await new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const onResponse = (incoming: http.IncomingMessage): void => {
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
    };
    const outgoing = target === '' ? client.request(options, onResponse) : client.request(target, options, onResponse);
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

/** Whether `host` is exempt from the proxy by a NO_PROXY-style list (Go's httpproxy rules, simplified). */
export function bypassesProxy(host: string, port: string, noProxy: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      const [network, bits] = entry.split('/');
      const family = isIP(network);
      if (family !== 0 && isIP(name) === family) {
        const list = new BlockList();
        list.addSubnet(network, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
        if (list.check(name, family === 4 ? 'ipv4' : 'ipv6')) return true;
      }
      continue;
    }
    const portMatch = /^(.*):(\d+)$/.exec(entry);
    const entryHost = portMatch !== null && isIP(entry) === 0 ? portMatch[1] : entry;
    if (portMatch !== null && isIP(entry) === 0 && portMatch[2] !== port) continue;
    if (isIP(entryHost) !== 0) {
      if (entryHost === name) return true;
      continue;
    }
    if (entryHost.startsWith('.')) {
      if (name.endsWith(entryHost)) return true;
    } else if (name === entryHost || name.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || name.startsWith('127.');
}

/**
 * The proxy for a request to `target`, as Prometheus's ProxyConfig decides: `proxy_url` (with
 * `no_proxy`, which then also exempts loopback hosts), or HTTP(S)_PROXY / NO_PROXY from the
 * environment with `proxy_from_environment`.
 */
export function proxyFor(config: ProxyConfig, target: string, environment: NodeJS.ProcessEnv = process.env): HttpProxy | undefined {
  const url = new URL(target);
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  const connectHeaders = Object.fromEntries(Object.entries(config.proxyConnectHeader).map(([name, values]) => [name, values.join(', ')]));
  if (config.proxyFromEnvironment) {
    const proxyUrl = url.protocol === 'https:' ? (environment.HTTPS_PROXY ?? environment.https_proxy) : (environment.HTTP_PROXY ?? environment.http_proxy);
    if (proxyUrl === undefined || proxyUrl === '' || isLoopback(url.hostname)) return undefined;
    if (bypassesProxy(url.hostname, port, environment.NO_PROXY ?? environment.no_proxy ?? '')) return undefined;
    return { url: /^[a-z][a-z0-9+.-]*:\/\//i.test(proxyUrl) ? proxyUrl : `http://${proxyUrl}`, connectHeaders };
  }
  if (config.proxyUrl === undefined || config.proxyUrl === '') return undefined;
  if (config.noProxy !== undefined && config.noProxy !== '' && (isLoopback(url.hostname) || bypassesProxy(url.hostname, port, config.noProxy))) return undefined;
  return { url: config.proxyUrl, connectHeaders };
}

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
 * The parts of `http_config` Vigil does not implement yet (OAuth 2 grants other than client
 * credentials, HTTPS and SOCKS proxies, secret references). buildIntegrations refuses them, so a
 * receiver never silently sends without the authentication or proxy it was configured with.
 */
export function unsupportedHttpConfig(config: HttpClientConfig): string | undefined {
  const oauth2 = config.oauth2;
  if (oauth2 !== undefined && oauth2.grantType !== undefined && oauth2.grantType !== 'client_credentials') {
    return `http_config.oauth2 grant_type ${JSON.stringify(oauth2.grantType)} is not supported by Vigil yet (client_credentials is)`;
  }
  for (const proxy of [config.proxy, oauth2?.proxy]) {
    if (proxy?.proxyUrl !== undefined && proxy.proxyUrl !== '' && !proxy.proxyUrl.startsWith('http://')) {
      return `proxy_url ${JSON.stringify(proxy.proxyUrl.replace(/\/\/[^@/]*@/, '//'))}: only http:// proxies are supported by Vigil yet`;
    }
  }
  const references = [config.basicAuth?.usernameRef, config.basicAuth?.passwordRef, config.authorization?.credentialsRef, oauth2?.clientSecretRef];
  for (const tls of [config.tlsConfig, oauth2?.tlsConfig]) references.push(tls?.caRef, tls?.certRef, tls?.keyRef);
  if (references.some((reference) => reference !== undefined)) return 'secret references (*_ref) in http_config are not supported by Vigil yet';
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
  /** Set when `http_config.oauth2` is: one token source per integration, so the token is reused. */
  oauth2?: OAuth2TokenSource;
}

/** An OAuth 2 token source for `config.oauth2`, requesting tokens with its own TLS and proxy settings. */
export function oauth2TokenSource(config: HttpClientConfig, httpFunction: HttpFunction, userAgent: string): OAuth2TokenSource | undefined {
  const oauth2 = config.oauth2;
  if (oauth2 === undefined) return undefined;
  return new OAuth2TokenSource(oauth2, {
    http: async (request) => await httpFunction({ ...request, tls: await tlsOptions(oauth2.tlsConfig), proxy: proxyFor(oauth2.proxy, request.url) }),
    userAgent,
    readSecretFile: (file) => readSecret(undefined, file, 'oauth2 client secret'),
  });
}

/**
 * Sends `body` as Alertmanager's notify.PostJSON does (User-Agent, Content-Type), with the
 * `http_config` headers and TLS options. Rejects on network errors.
 */
export async function send(
  sender: HttpSender,
  request: { method?: 'POST' | 'PUT'; url: string; body: string; contentType?: string; headers?: Record<string, string>; signal: AbortSignal },
): Promise<HttpResponse> {
  const configured = await httpConfigHeaders(sender.config);
  if (sender.oauth2 !== undefined && configured.Authorization === undefined) configured.Authorization = await sender.oauth2.authorization(request.signal);
  const headers: Record<string, string> = {
    ...configured,
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
    proxy: proxyFor(sender.config.proxy, request.url),
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
