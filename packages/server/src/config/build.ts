/**
 * Raw (schema-checked) config → PrometheusConfig: defaults, global inheritance, path resolution and
 * the cross-field rules Prometheus applies in its UnmarshalYAML/Validate methods. Every failure is
 * reported against a YAML path so the caller can name file:line:col.
 */
import { isAbsolute, join } from 'node:path';
import { isValidLabelName } from '../model/labels.ts';
import type { RelabelConfig } from '../model/relabel.ts';
import type { z } from 'zod';
import type { RawConfig, RawGlobal, RawScrape, RawTargetGroup, RawTls } from './schema.ts';
import type { httpShape } from './schema.ts';
import type {
  AlertmanagerConfig,
  Authorization,
  FileSdConfig,
  GlobalConfig,
  HttpClientConfig,
  HttpHeader,
  NameEscapingScheme,
  NameValidationScheme,
  OAuth2Config,
  OtlpConfig,
  PrometheusConfig,
  ProxyConfig,
  RemoteReadConfig,
  RemoteWriteConfig,
  ScrapeConfig,
  ScrapeProtocol,
  StorageConfig,
  TargetGroup,
  TlsConfig,
  TlsVersion,
  TracingConfig,
} from './types.ts';
import type { Path } from './yaml.ts';

export interface Reporter {
  /** Records an error at the node at `path` (at its key when `atKey`). */
  error(path: Path, message: string, atKey?: boolean): void;
  /** Whether the mapping at `path` spells out `key`. */
  hasKey(path: Path, key: string): boolean;
}

export const SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  'OpenMetricsText0.0.1',
  'OpenMetricsText1.0.0',
  'PrometheusProto',
  'PrometheusText0.0.4',
  'PrometheusText1.0.0',
];
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  'OpenMetricsText1.0.0',
  'OpenMetricsText0.0.1',
  'PrometheusText1.0.0',
  'PrometheusText0.0.4',
];
export const PROTO_FIRST_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = ['PrometheusProto', ...DEFAULT_SCRAPE_PROTOCOLS];

export const DEFAULT_GLOBAL: GlobalConfig = {
  scrapeIntervalMs: 60_000,
  scrapeTimeoutMs: 10_000,
  evaluationIntervalMs: 60_000,
  ruleQueryOffsetMs: 0,
  externalLabels: {},
  bodySizeLimitBytes: 0,
  sampleLimit: 0,
  targetLimit: 0,
  labelLimit: 0,
  labelNameLengthLimit: 0,
  labelValueLengthLimit: 0,
  keepDroppedTargets: 0,
  metricNameValidationScheme: 'utf8',
  scrapeNativeHistograms: false,
  convertClassicHistogramsToNhcb: false,
  alwaysScrapeClassicHistograms: false,
  extraScrapeMetrics: false,
};

const TLS_VERSIONS: readonly TlsVersion[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];
const ESCAPING_SCHEMES: readonly NameEscapingScheme[] = ['allow-utf-8', 'underscores', 'dots', 'values'];
const RESERVED_HEADERS = new Set([
  'host',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'www-authenticate',
  'accept-encoding',
  'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);
const WRITE_MESSAGES = ['prometheus.WriteRequest', 'io.prometheus.write.v2.Request'];
const OTLP_STRATEGIES = ['UnderscoreEscapingWithSuffixes', 'UnderscoreEscapingWithoutSuffixes', 'NoUTF8EscapingWithSuffixes', 'NoTranslation'];

/** filepath.Join(dir, p) unless p is empty or absolute (Prometheus's config.JoinDir). */
export function joinDir(dir: string, p: string): string;
export function joinDir(dir: string, p: string | undefined): string | undefined;
export function joinDir(dir: string, p: string | undefined): string | undefined {
  if (p === undefined || p === '' || isAbsolute(p)) return p;
  return join(dir, p);
}

/** Rule and scrape-config file globs: only the last path element may hold `*`. */
export function isValidRuleFilePattern(pattern: string): boolean {
  const star = pattern.indexOf('*');
  return star < 0 || !pattern.slice(star).includes('/');
}

/** file_sd paths: like rule globs, and they must end in .json, .yml or .yaml. */
export function isValidFileSdPattern(pattern: string): boolean {
  if (!isValidRuleFilePattern(pattern)) return false;
  const dot = pattern.lastIndexOf('.');
  if (dot < 0) return false;
  const ext = pattern.slice(dot + 1);
  const star = pattern.indexOf('*');
  if (star >= 0 && star > dot) return false;
  return ['json', 'yml', 'yaml', 'JSON', 'YML', 'YAML'].includes(ext);
}

/** Go's os.Expand with the environment, as Prometheus expands external label values. */
export function expandEnv(value: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  let out = '';
  let i = 0;
  const lookup = (name: string): string => (name === '$' ? '$' : (env[name] ?? ''));
  for (let j = 0; j < value.length; j++) {
    if (value[j] !== '$' || j + 1 >= value.length) continue;
    out += value.slice(i, j);
    const rest = value.slice(j + 1);
    const [name, width] = shellName(rest);
    if (name === '' && width > 0) {
      // Bad syntax such as "${}": the characters are eaten.
    } else if (name === '') {
      out += '$';
    } else {
      out += lookup(name);
    }
    j += width;
    i = j + 1;
  }
  return out + value.slice(i);
}

function isShellSpecial(c: string): boolean {
  return '*#$@!?-'.includes(c) || (c >= '0' && c <= '9');
}

function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && isShellSpecial(s[1]) && s[2] === '}') return [s[1], 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? ['', 2] : [s.slice(1, i), i + 1];
    }
    return ['', 1];
  }
  if (isShellSpecial(s[0])) return [s[0], 1];
  let i = 0;
  while (i < s.length && /[A-Za-z0-9_]/.test(s[i])) i++;
  return [s.slice(0, i), i];
}

/** How many of the given optional strings are set (non-empty). */
function countSet(...xs: (string | undefined)[]): number {
  return xs.filter((x) => x !== undefined && x !== '').length;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).toSorted()) out[key] = record[key];
  return out;
}

function checkProtocols(protocols: string[], path: Path, suffix: string, r: Reporter): ScrapeProtocol[] {
  if (protocols.length === 0) r.error(path, `scrape_protocols cannot be empty${suffix}`);
  const seen = new Set<string>();
  protocols.forEach((p, i) => {
    const lower = p.toLowerCase();
    if (seen.has(lower)) r.error([...path, i], `duplicated protocol in scrape_protocols, got [${protocols.join(' ')}]${suffix}`);
    else if (!(SCRAPE_PROTOCOLS as readonly string[]).includes(p)) {
      r.error([...path, i], `scrape_protocols: unknown scrape protocol ${p}, supported: [${SCRAPE_PROTOCOLS.join(' ')}]${suffix}`);
    }
    seen.add(lower);
  });
  return protocols as ScrapeProtocol[];
}

export function buildGlobal(raw: RawGlobal | undefined, r: Reporter): GlobalConfig {
  if (raw === undefined) return { ...DEFAULT_GLOBAL, externalLabels: {} };
  const path = ['global'];
  let scheme: NameValidationScheme = 'utf8';
  if (raw.metric_name_validation_scheme === 'legacy') scheme = 'legacy';
  const externalLabels: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.external_labels ?? {})) {
    if (!isValidLabelName(name)) r.error([...path, 'external_labels', name], `${JSON.stringify(name)} is not a valid label name`, true);
    externalLabels[name] = expandEnv(value);
  }
  const scrapeIntervalMs = raw.scrape_interval || DEFAULT_GLOBAL.scrapeIntervalMs;
  let scrapeTimeoutMs = raw.scrape_timeout ?? 0;
  if (scrapeTimeoutMs > scrapeIntervalMs) r.error([...path, 'scrape_timeout'], 'global scrape timeout greater than scrape interval');
  if (scrapeTimeoutMs === 0) scrapeTimeoutMs = Math.min(DEFAULT_GLOBAL.scrapeTimeoutMs, scrapeIntervalMs);
  let escaping: NameEscapingScheme | undefined;
  if (raw.metric_name_escaping_scheme !== undefined && raw.metric_name_escaping_scheme !== '') {
    if ((ESCAPING_SCHEMES as readonly string[]).includes(raw.metric_name_escaping_scheme)) escaping = raw.metric_name_escaping_scheme as NameEscapingScheme;
    else {
      r.error(
        [...path, 'metric_name_escaping_scheme'],
        `unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(raw.metric_name_escaping_scheme)}`,
      );
    }
  }
  return {
    scrapeIntervalMs,
    scrapeTimeoutMs,
    evaluationIntervalMs: raw.evaluation_interval || DEFAULT_GLOBAL.evaluationIntervalMs,
    ruleQueryOffsetMs: raw.rule_query_offset ?? 0,
    externalLabels: sortedRecord(externalLabels),
    queryLogFile: raw.query_log_file || undefined,
    scrapeFailureLogFile: raw.scrape_failure_log_file || undefined,
    scrapeProtocols: raw.scrape_protocols === undefined ? undefined : checkProtocols(raw.scrape_protocols, [...path, 'scrape_protocols'], ' for global config', r),
    bodySizeLimitBytes: raw.body_size_limit ?? 0,
    sampleLimit: raw.sample_limit ?? 0,
    targetLimit: raw.target_limit ?? 0,
    labelLimit: raw.label_limit ?? 0,
    labelNameLengthLimit: raw.label_name_length_limit ?? 0,
    labelValueLengthLimit: raw.label_value_length_limit ?? 0,
    keepDroppedTargets: raw.keep_dropped_targets ?? 0,
    metricNameValidationScheme: scheme,
    metricNameEscapingScheme: escaping,
    scrapeNativeHistograms: raw.scrape_native_histograms ?? false,
    convertClassicHistogramsToNhcb: raw.convert_classic_histograms_to_nhcb ?? false,
    alwaysScrapeClassicHistograms: raw.always_scrape_classic_histograms ?? false,
    extraScrapeMetrics: raw.extra_scrape_metrics ?? false,
  };
}

/** Relabel rules arrive validated from the schema; this only normalizes an absent list. */
export function buildRelabelConfigs(configs: RelabelConfig[] | undefined): RelabelConfig[] {
  return configs ?? [];
}

function buildTls(raw: RawTls | undefined, path: Path, dir: string, r: Reporter): TlsConfig {
  const t = raw ?? {};
  const count = countSet;
  if (count(t.ca, t.ca_file, t.ca_ref) > 1) r.error(path, 'at most one of ca, ca_file & ca_ref must be configured');
  if (count(t.cert, t.cert_file, t.cert_ref) > 1) r.error(path, 'at most one of cert, cert_file & cert_ref must be configured');
  if (count(t.key, t.key_file, t.key_ref) > 1) r.error(path, 'at most one of key and key_file must be configured');
  const usingCert = count(t.cert, t.cert_file, t.cert_ref) > 0;
  const usingKey = count(t.key, t.key_file, t.key_ref) > 0;
  if (usingCert && !usingKey) r.error(path, 'exactly one of key or key_file must be configured when a client certificate is configured');
  else if (usingKey && !usingCert) r.error(path, 'exactly one of cert or cert_file must be configured when a client key is configured');
  const version = (key: 'min_version' | 'max_version'): TlsVersion | undefined => {
    const v = t[key];
    if (v === undefined || v === '') return undefined;
    if ((TLS_VERSIONS as readonly string[]).includes(v)) return v as TlsVersion;
    r.error([...path, key], `unknown TLS version: ${v}`);
    return undefined;
  };
  const out: TlsConfig = { insecureSkipVerify: t.insecure_skip_verify ?? false };
  const set = <K extends keyof TlsConfig>(k: K, v: TlsConfig[K] | undefined) => {
    if (v !== undefined && v !== '') out[k] = v;
  };
  set('ca', t.ca);
  set('caFile', joinDir(dir, t.ca_file));
  set('caRef', t.ca_ref);
  set('cert', t.cert);
  set('certFile', joinDir(dir, t.cert_file));
  set('certRef', t.cert_ref);
  set('key', t.key);
  set('keyFile', joinDir(dir, t.key_file));
  set('keyRef', t.key_ref);
  set('serverName', t.server_name);
  set('minVersion', version('min_version'));
  set('maxVersion', version('max_version'));
  return out;
}

type RawProxy = {
  proxy_url?: string;
  no_proxy?: string;
  proxy_from_environment?: boolean;
  proxy_connect_header?: Record<string, string[]>;
};

function buildProxy(raw: RawProxy, path: Path, r: Reporter): ProxyConfig {
  const headers = raw.proxy_connect_header ?? {};
  const url = raw.proxy_url ?? '';
  const fromEnv = raw.proxy_from_environment ?? false;
  if (Object.keys(headers).length > 0 && !fromEnv && url === '') {
    r.error([...path, 'proxy_connect_header'], 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured');
  }
  if (fromEnv && url !== '') r.error([...path, 'proxy_url'], 'if proxy_from_environment is configured, proxy_url must not be configured');
  if (fromEnv && (raw.no_proxy ?? '') !== '') r.error([...path, 'no_proxy'], 'if proxy_from_environment is configured, no_proxy must not be configured');
  if (raw.proxy_url === undefined && (raw.no_proxy ?? '') !== '') r.error([...path, 'no_proxy'], 'if no_proxy is configured, proxy_url must also be configured');
  if (url !== '' && !isParsableUrl(url)) r.error([...path, 'proxy_url'], `parse ${JSON.stringify(url)}: invalid URL`);
  const out: ProxyConfig = { proxyFromEnvironment: fromEnv, proxyConnectHeader: headers };
  if (url !== '') out.proxyUrl = url;
  if ((raw.no_proxy ?? '') !== '') out.noProxy = raw.no_proxy;
  return out;
}

/** Go's url.Parse is lenient; reject only what it rejects in practice (control characters, bad escapes, bad ports). */
function isParsableUrl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  if (/%(?![0-9a-fA-F]{2})/.test(text)) return false;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(text);
  if (m) {
    const host = m[1].slice(m[1].lastIndexOf('@') + 1);
    const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.slice(host.indexOf(':') >= 0 ? host.indexOf(':') : host.length);
    if (port !== '' && !/^:[0-9]*$/.test(port)) return false;
  }
  return true;
}

export type RawHttp = z.output<z.ZodObject<typeof httpShape>>;

/** prometheus/common's HTTPClientConfig, validated and resolved; alertmanager.yml's `http_config` uses it too. */
export function buildHttp(raw: RawHttp, path: Path, dir: string, r: Reporter, defaults: { followRedirects: boolean; enableHttp2: boolean }): HttpClientConfig {
  const bearer = raw.bearer_token ?? '';
  const bearerFile = raw.bearer_token_file ?? '';
  const nonEmpty = countSet;
  if (bearer !== '' && bearerFile !== '') r.error(path, 'at most one of bearer_token & bearer_token_file must be configured');
  if ((raw.basic_auth !== undefined || raw.oauth2 !== undefined) && (bearer !== '' || bearerFile !== '')) {
    r.error(path, 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
  }
  const ba = raw.basic_auth;
  if (ba !== undefined && nonEmpty(ba.username, ba.username_file, ba.username_ref) > 1) {
    r.error([...path, 'basic_auth'], 'at most one of basic_auth username, username_file & username_ref must be configured');
  }
  if (ba !== undefined && nonEmpty(ba.password, ba.password_file, ba.password_ref) > 1) {
    r.error([...path, 'basic_auth'], 'at most one of basic_auth password, password_file & password_ref must be configured');
  }
  let authorization: Authorization | undefined;
  const az = raw.authorization;
  if (az !== undefined) {
    if (bearer !== '' || bearerFile !== '') r.error([...path, 'authorization'], 'authorization is not compatible with bearer_token & bearer_token_file');
    if (nonEmpty(az.credentials, az.credentials_file, az.credentials_ref) > 1) {
      r.error([...path, 'authorization'], 'at most one of authorization credentials & credentials_file must be configured');
    }
    const type = (az.type ?? '').trim() || 'Bearer';
    if (type.toLowerCase() === 'basic') r.error([...path, 'authorization', 'type'], 'authorization type cannot be set to "basic", use "basic_auth" instead');
    if (ba !== undefined || raw.oauth2 !== undefined) r.error([...path, 'authorization'], 'at most one of basic_auth, oauth2 & authorization must be configured');
    authorization = { type };
    if (az.credentials) authorization.credentials = az.credentials;
    if (az.credentials_file) authorization.credentialsFile = joinDir(dir, az.credentials_file);
    if (az.credentials_ref) authorization.credentialsRef = az.credentials_ref;
  } else if (bearerFile !== '') {
    authorization = { type: 'Bearer', credentialsFile: joinDir(dir, bearerFile) };
  } else if (bearer !== '') {
    authorization = { type: 'Bearer', credentials: bearer };
  }
  let oauth2: OAuth2Config | undefined;
  const o = raw.oauth2;
  if (o !== undefined) {
    const p = [...path, 'oauth2'];
    if (ba !== undefined) r.error(p, 'at most one of basic_auth, oauth2 & authorization must be configured');
    if (!o.client_id) r.error(p, 'oauth2 client_id must be configured');
    if (!o.token_url) r.error(p, 'oauth2 token_url must be configured');
    if (o.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      if (nonEmpty(o.client_certificate_key, o.client_certificate_key_file, o.client_certificate_key_ref) > 1) {
        r.error(p, 'at most one of oauth2 client_certificate_key, client_certificate_key_file & client_certificate_key_ref must be configured using grant-type=urn:ietf:params:oauth:grant-type:jwt-bearer');
      }
      if (o.signature_algorithm && !['RS256', 'RS384', 'RS512'].includes(o.signature_algorithm)) r.error(p, 'valid signature algorithms are RS256, RS384 and RS512');
    } else if (nonEmpty(o.client_secret, o.client_secret_file, o.client_secret_ref) > 1) {
      r.error(p, 'at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured using grant-type=client_credentials');
    }
    const extra: Record<string, unknown> = {};
    for (const k of ['client_certificate_key_id', 'client_certificate_key', 'client_certificate_key_file', 'client_certificate_key_ref', 'signature_algorithm', 'iss', 'audience', 'claims'] as const) {
      if (o[k] !== undefined) extra[k] = o[k];
    }
    oauth2 = {
      clientId: o.client_id ?? '',
      scopes: o.scopes ?? [],
      tokenUrl: o.token_url ?? '',
      endpointParams: o.endpoint_params ?? {},
      tlsConfig: buildTls(o.tls_config, [...p, 'tls_config'], dir, r),
      proxy: buildProxy(o, p, r),
      extra,
    };
    if (o.client_secret) oauth2.clientSecret = o.client_secret;
    if (o.client_secret_file) oauth2.clientSecretFile = joinDir(dir, o.client_secret_file);
    if (o.client_secret_ref) oauth2.clientSecretRef = o.client_secret_ref;
    if (o.grant_type) oauth2.grantType = o.grant_type;
  }
  let basicAuth: HttpClientConfig['basicAuth'];
  if (ba !== undefined) {
    basicAuth = {};
    if (ba.username) basicAuth.username = ba.username;
    if (ba.username_file) basicAuth.usernameFile = joinDir(dir, ba.username_file);
    if (ba.username_ref) basicAuth.usernameRef = ba.username_ref;
    if (ba.password) basicAuth.password = ba.password;
    if (ba.password_file) basicAuth.passwordFile = joinDir(dir, ba.password_file);
    if (ba.password_ref) basicAuth.passwordRef = ba.password_ref;
  }
  let httpHeaders: Record<string, HttpHeader> | undefined;
  if (raw.http_headers !== undefined) {
    httpHeaders = {};
    for (const [name, h] of Object.entries(raw.http_headers)) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower) || lower === 'authorization') r.error([...path, 'http_headers', name], `setting header ${JSON.stringify(name)} is not allowed`, true);
      httpHeaders[name] = { values: h.values ?? [], secrets: h.secrets ?? [], files: (h.files ?? []).map((f) => joinDir(dir, f)) };
    }
  }
  const out: HttpClientConfig = {
    tlsConfig: buildTls(raw.tls_config, [...path, 'tls_config'], dir, r),
    followRedirects: raw.follow_redirects ?? defaults.followRedirects,
    enableHttp2: raw.enable_http2 ?? defaults.enableHttp2,
    proxy: buildProxy(raw, path, r),
  };
  if (basicAuth) out.basicAuth = basicAuth;
  if (authorization) out.authorization = authorization;
  if (oauth2) out.oauth2 = oauth2;
  if (httpHeaders) out.httpHeaders = httpHeaders;
  return out;
}

function buildTargetGroups(raws: RawTargetGroup[] | undefined, path: Path, checkAddresses: boolean, r: Reporter): TargetGroup[] {
  return (raws ?? []).map((raw, i) => {
    const p = [...path, i];
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.labels ?? {})) {
      if (!isValidLabelName(name)) r.error([...p, 'labels', name], `${JSON.stringify(name)} is not a valid label name`, true);
      labels[name] = value;
    }
    const targets = raw.targets ?? [];
    if (checkAddresses) {
      targets.forEach((t, k) => {
        if (t.includes('/')) r.error([...p, 'targets', k], `${JSON.stringify(t)} is not a valid hostname`);
      });
    }
    return { targets, labels, source: String(i) };
  });
}

function buildFileSd(raws: { files?: string[]; refresh_interval?: number }[] | undefined, path: Path, dir: string, r: Reporter): FileSdConfig[] {
  return (raws ?? []).map((raw, i) => {
    const p = [...path, i];
    const files = raw.files ?? [];
    if (files.length === 0) r.error(p, 'file service discovery config must contain at least one path name');
    files.forEach((f, k) => {
      if (!isValidFileSdPattern(f)) r.error([...p, 'files', k], `path name ${JSON.stringify(f)} is not valid for file discovery`);
    });
    return { files: files.map((f) => joinDir(dir, f)), refreshIntervalMs: raw.refresh_interval ?? 300_000 };
  });
}

export function buildScrapeConfig(raw: RawScrape, global: GlobalConfig, path: Path, dir: string, sourceFile: string, r: Reporter): ScrapeConfig {
  const jobName = raw.job_name ?? '';
  if (jobName === '') r.error(raw.job_name === undefined ? path : [...path, 'job_name'], 'job_name is empty');
  const job = JSON.stringify(jobName);
  const scrapeIntervalMs = raw.scrape_interval || global.scrapeIntervalMs;
  let scrapeTimeoutMs = raw.scrape_timeout ?? 0;
  if (scrapeTimeoutMs > scrapeIntervalMs) {
    r.error([...path, 'scrape_timeout'], `scrape timeout greater than scrape interval for scrape config with job name ${job}`);
  }
  if (scrapeTimeoutMs === 0) scrapeTimeoutMs = Math.min(global.scrapeTimeoutMs, scrapeIntervalMs);
  const nativeHistograms = raw.scrape_native_histograms ?? global.scrapeNativeHistograms;
  const suffix = ` for scrape config with job name ${job}`;
  let scrapeProtocols: ScrapeProtocol[];
  if (raw.scrape_protocols !== undefined) scrapeProtocols = checkProtocols(raw.scrape_protocols, [...path, 'scrape_protocols'], suffix, r);
  else if (global.scrapeProtocols !== undefined) scrapeProtocols = [...global.scrapeProtocols];
  else scrapeProtocols = [...(nativeHistograms ? PROTO_FIRST_SCRAPE_PROTOCOLS : DEFAULT_SCRAPE_PROTOCOLS)];
  let fallbackScrapeProtocol: ScrapeProtocol | undefined;
  if (raw.fallback_scrape_protocol !== undefined && raw.fallback_scrape_protocol !== '') {
    if ((SCRAPE_PROTOCOLS as readonly string[]).includes(raw.fallback_scrape_protocol)) fallbackScrapeProtocol = raw.fallback_scrape_protocol as ScrapeProtocol;
    else {
      r.error(
        [...path, 'fallback_scrape_protocol'],
        `invalid fallback_scrape_protocol for scrape config with job name ${job}: unknown scrape protocol ${raw.fallback_scrape_protocol}, supported: [${SCRAPE_PROTOCOLS.join(' ')}]`,
      );
    }
  }
  // Name validation and escaping: local value, else the global's, as Prometheus resolves them.
  let validation: NameValidationScheme = global.metricNameValidationScheme;
  const localValidation = raw.metric_name_validation_scheme ?? '';
  if (localValidation === 'legacy' || localValidation === 'utf8') validation = localValidation;
  else if (localValidation !== '') {
    r.error(
      [...path, 'metric_name_validation_scheme'],
      `unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got ${localValidation}`,
    );
  }
  let escaping = (raw.metric_name_escaping_scheme ?? '') as string;
  if (escaping === '') {
    if (localValidation === '') escaping = global.metricNameEscapingScheme ?? (global.metricNameValidationScheme === 'legacy' ? 'underscores' : 'allow-utf-8');
    else escaping = validation === 'legacy' ? 'underscores' : 'allow-utf-8';
  }
  if (!(ESCAPING_SCHEMES as readonly string[]).includes(escaping)) {
    r.error(
      [...path, 'metric_name_escaping_scheme'],
      `unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(escaping)}`,
    );
  } else if (escaping === 'allow-utf-8' && validation !== 'utf8') {
    r.error([...path, 'metric_name_escaping_scheme'], 'utf8 metric names requested but validation scheme is not set to UTF8');
  }
  const http = buildHttp(raw, path, dir, r, { followRedirects: true, enableHttp2: true });
  const relabelConfigs = buildRelabelConfigs(raw.relabel_configs);
  const params: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw.params ?? {})) params[k] = v;
  const out: ScrapeConfig = {
    jobName,
    honorLabels: raw.honor_labels ?? false,
    honorTimestamps: raw.honor_timestamps ?? true,
    trackTimestampsStaleness: raw.track_timestamps_staleness ?? false,
    params,
    scrapeIntervalMs,
    scrapeTimeoutMs,
    scrapeProtocols,
    scrapeNativeHistograms: nativeHistograms,
    alwaysScrapeClassicHistograms: raw.always_scrape_classic_histograms ?? raw.scrape_classic_histograms ?? global.alwaysScrapeClassicHistograms,
    convertClassicHistogramsToNhcb: raw.convert_classic_histograms_to_nhcb ?? global.convertClassicHistogramsToNhcb,
    metricsPath: raw.metrics_path || '/metrics',
    scheme: raw.scheme || 'http',
    enableCompression: raw.enable_compression ?? true,
    bodySizeLimitBytes: raw.body_size_limit || global.bodySizeLimitBytes,
    sampleLimit: raw.sample_limit || global.sampleLimit,
    targetLimit: raw.target_limit || global.targetLimit,
    labelLimit: raw.label_limit || global.labelLimit,
    labelNameLengthLimit: raw.label_name_length_limit || global.labelNameLengthLimit,
    labelValueLengthLimit: raw.label_value_length_limit || global.labelValueLengthLimit,
    nativeHistogramBucketLimit: raw.native_histogram_bucket_limit ?? 0,
    nativeHistogramMinBucketFactor: raw.native_histogram_min_bucket_factor ?? 0,
    keepDroppedTargets: raw.keep_dropped_targets || global.keepDroppedTargets,
    metricNameValidationScheme: validation,
    metricNameEscapingScheme: escaping as NameEscapingScheme,
    extraScrapeMetrics: raw.extra_scrape_metrics ?? global.extraScrapeMetrics,
    http,
    staticConfigs: buildTargetGroups(raw.static_configs, [...path, 'static_configs'], relabelConfigs.length === 0, r),
    fileSdConfigs: buildFileSd(raw.file_sd_configs, [...path, 'file_sd_configs'], dir, r),
    relabelConfigs,
    metricRelabelConfigs: buildRelabelConfigs(raw.metric_relabel_configs),
    sourceFile,
  };
  if (fallbackScrapeProtocol) out.fallbackScrapeProtocol = fallbackScrapeProtocol;
  const failureLog = joinDir(dir, raw.scrape_failure_log_file || global.scrapeFailureLogFile);
  if (failureLog) out.scrapeFailureLogFile = failureLog;
  return out;
}

function checkHeaders(headers: Record<string, string>, path: Path, r: Reporter, tracing = false): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      r.error(
        [...path, name],
        tracing
          ? 'custom authorization header configuration is not yet supported'
          : 'authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter',
        true,
      );
    } else if (RESERVED_HEADERS.has(lower)) r.error([...path, name], `${name} is a reserved header. It must not be changed`, true);
  }
}

function buildRemoteWrite(raw: NonNullable<RawConfig['remote_write']>[number], path: Path, dir: string, r: Reporter): RemoteWriteConfig {
  if (raw.url === undefined || raw.url === '') r.error(path, 'url for remote_write is empty');
  else if (!isParsableUrl(raw.url)) r.error([...path, 'url'], `parse ${JSON.stringify(raw.url)}: invalid URL`);
  const headers = raw.headers ?? {};
  checkHeaders(headers, [...path, 'headers'], r);
  const protobufMessage = raw.protobuf_message ?? 'prometheus.WriteRequest';
  if (!WRITE_MESSAGES.includes(protobufMessage)) {
    r.error([...path, 'protobuf_message'], `invalid protobuf_message value: unknown type for remote write protobuf message ${protobufMessage}, supported: ${WRITE_MESSAGES.join(', ')}`);
  }
  const http = buildHttp(raw, path, dir, r, { followRedirects: true, enableHttp2: false });
  const q = raw.queue_config ?? {};
  const queueConfig = {
    capacity: q.capacity ?? 10000,
    maxShards: q.max_shards ?? 50,
    minShards: q.min_shards ?? 1,
    maxSamplesPerSend: q.max_samples_per_send ?? 2000,
    batchSendDeadlineMs: q.batch_send_deadline ?? 5000,
    minBackoffMs: q.min_backoff ?? 30,
    maxBackoffMs: q.max_backoff ?? 5000,
    retryOnHttp429: q.retry_on_http_429 ?? false,
    sampleAgeLimitMs: q.sample_age_limit ?? 0,
  };
  const qp = [...path, 'queue_config'];
  // Prometheus stops at the first queue problem; so do we.
  if (queueConfig.maxShards <= 0) r.error([...qp, 'max_shards'], 'remote write queue max_shards must be positive');
  else if (queueConfig.minShards <= 0) r.error([...qp, 'min_shards'], 'remote write queue min_shards must be positive');
  else if (queueConfig.minShards > queueConfig.maxShards) r.error(qp, 'remote write queue min_shards must not be greater than max_shards');
  else if (queueConfig.maxSamplesPerSend <= 0) r.error([...qp, 'max_samples_per_send'], 'remote write queue max_samples_per_send must be positive');
  else if (queueConfig.capacity <= 0) r.error([...qp, 'capacity'], 'remote write queue capacity must be positive');
  else if (queueConfig.maxBackoffMs < queueConfig.minBackoffMs) r.error(qp, 'remote write queue max_backoff must not be less than min_backoff');
  const auth: string[] = [];
  if (raw.basic_auth !== undefined) auth.push('basic_auth');
  if (http.authorization !== undefined) auth.push('authorization');
  if (raw.oauth2 !== undefined) auth.push('oauth2');
  if (raw.sigv4 !== undefined) auth.push('sigv4');
  if (raw.azuread !== undefined) auth.push('azuread');
  if (raw.google_iam !== undefined) auth.push('google_iam');
  if (auth.length > 1) r.error(path, `at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: [${auth.join(' ')}]`);
  const m = raw.metadata_config ?? {};
  const out: RemoteWriteConfig = {
    url: raw.url ?? '',
    name: raw.name ?? '',
    remoteTimeoutMs: raw.remote_timeout ?? 30_000,
    headers,
    writeRelabelConfigs: buildRelabelConfigs(raw.write_relabel_configs),
    sendExemplars: raw.send_exemplars ?? false,
    sendNativeHistograms: raw.send_native_histograms ?? false,
    roundRobinDns: raw.round_robin_dns ?? false,
    protobufMessage,
    http,
    queueConfig,
    metadataConfig: { send: m.send ?? true, sendIntervalMs: m.send_interval ?? 60_000, maxSamplesPerSend: m.max_samples_per_send ?? 2000 },
  };
  if (raw.sigv4 !== undefined) out.sigv4 = { ...raw.sigv4 };
  if (raw.azuread !== undefined) out.azuread = raw.azuread;
  if (raw.google_iam !== undefined) out.googleIam = raw.google_iam;
  return out;
}

function buildRemoteRead(raw: NonNullable<RawConfig['remote_read']>[number], path: Path, dir: string, r: Reporter): RemoteReadConfig {
  if (raw.url === undefined || raw.url === '') r.error(path, 'url for remote_read is empty');
  else if (!isParsableUrl(raw.url)) r.error([...path, 'url'], `parse ${JSON.stringify(raw.url)}: invalid URL`);
  const headers = raw.headers ?? {};
  checkHeaders(headers, [...path, 'headers'], r);
  const required = raw.required_matchers ?? {};
  for (const name of Object.keys(required)) {
    if (!isValidLabelName(name)) r.error([...path, 'required_matchers', name], `${JSON.stringify(name)} is not a valid label name`, true);
  }
  return {
    url: raw.url ?? '',
    name: raw.name ?? '',
    remoteTimeoutMs: raw.remote_timeout ?? 60_000,
    chunkedReadLimit: raw.chunked_read_limit || 5e7,
    headers,
    readRecent: raw.read_recent ?? false,
    requiredMatchers: required,
    filterExternalLabels: raw.filter_external_labels ?? true,
    http: buildHttp(raw, path, dir, r, { followRedirects: true, enableHttp2: true }),
  };
}

function buildAlertmanager(raw: NonNullable<NonNullable<RawConfig['alerting']>['alertmanagers']>[number], path: Path, dir: string, r: Reporter): AlertmanagerConfig {
  const apiVersion = raw.api_version ?? 'v2';
  if (apiVersion !== 'v2') r.error([...path, 'api_version'], `expected Alertmanager api version to be one of [v2] but got ${apiVersion}`);
  const http = buildHttp(raw, path, dir, r, { followRedirects: true, enableHttp2: true });
  if ((raw.basic_auth !== undefined || raw.authorization !== undefined || raw.oauth2 !== undefined) && raw.sigv4 !== undefined) {
    r.error(path, 'at most one of basic_auth, authorization, oauth2, & sigv4 must be configured');
  }
  const relabelConfigs = buildRelabelConfigs(raw.relabel_configs);
  const out: AlertmanagerConfig = {
    scheme: raw.scheme || 'http',
    pathPrefix: raw.path_prefix ?? '',
    timeoutMs: raw.timeout || 10_000,
    apiVersion: 'v2',
    http,
    staticConfigs: buildTargetGroups(raw.static_configs, [...path, 'static_configs'], relabelConfigs.length === 0, r),
    fileSdConfigs: buildFileSd(raw.file_sd_configs, [...path, 'file_sd_configs'], dir, r),
    relabelConfigs,
    alertRelabelConfigs: buildRelabelConfigs(raw.alert_relabel_configs),
  };
  if (raw.sigv4 !== undefined) out.sigv4 = { ...raw.sigv4 };
  return out;
}

function buildStorage(raw: RawConfig['storage'], r: Reporter): StorageConfig {
  const tsdb = raw?.tsdb ?? {};
  const floats = tsdb.chunk_encoding?.floats ?? '';
  if (!['', 'xor', 'xor2'].includes(floats)) {
    r.error(['storage', 'tsdb', 'chunk_encoding', 'floats'], `'storage.tsdb.chunk_encoding.floats' must be 'xor' or 'xor2', or the field must be omitted entirely, got ${JSON.stringify(floats)}`);
  }
  const retention = tsdb.retention ?? {};
  const percentage = retention.percentage ?? 0;
  if (percentage < 0 || percentage > 100) {
    r.error(['storage', 'tsdb', 'retention', 'percentage'], `'storage.tsdb.retention.percentage' must be in the range [0, 100], got ${percentage}`);
  }
  return {
    tsdb: {
      outOfOrderTimeWindowMs: tsdb.out_of_order_time_window ?? 0,
      retention: { timeMs: retention.time ?? 0, sizeBytes: retention.size ?? 0, percentage },
      staleSeriesCompactionThreshold: tsdb.stale_series_compaction_threshold ?? 0,
    },
    exemplars: { maxExemplars: raw?.exemplars?.max_exemplars ?? 100_000 },
  };
}

function buildTracing(raw: RawConfig['tracing'], dir: string, r: Reporter): TracingConfig | undefined {
  if (raw === undefined) return undefined;
  const path = ['tracing'];
  const clientType = raw.client_type ?? 'grpc';
  if (clientType !== 'grpc' && clientType !== 'http') {
    r.error([...path, 'client_type'], `expected tracing client type to be to be http or grpc, but got ${clientType}`);
  }
  const headers = raw.headers ?? {};
  checkHeaders(headers, [...path, 'headers'], r, true);
  if (!raw.endpoint) r.error(path, 'tracing endpoint must be set');
  if (raw.compression !== undefined && raw.compression !== '' && raw.compression !== 'gzip') {
    r.error([...path, 'compression'], `invalid compression type ${raw.compression} provided, valid options: gzip`);
  }
  const out: TracingConfig = {
    clientType: clientType === 'http' ? 'http' : 'grpc',
    endpoint: raw.endpoint ?? '',
    samplingFraction: raw.sampling_fraction ?? 0,
    insecure: raw.insecure ?? false,
    tlsConfig: buildTls(raw.tls_config, [...path, 'tls_config'], dir, r),
    headers,
    timeoutMs: raw.timeout ?? 0,
  };
  if (raw.compression === 'gzip') out.compression = 'gzip';
  return out;
}

function buildOtlp(raw: RawConfig['otlp'], global: GlobalConfig, explicitLegacy: boolean, r: Reporter): OtlpConfig {
  const o = raw ?? {};
  const path = ['otlp'];
  const strategy = o.translation_strategy || 'UnderscoreEscapingWithSuffixes';
  if (!OTLP_STRATEGIES.includes(strategy)) r.error([...path, 'translation_strategy'], `unsupported OTLP translation strategy ${JSON.stringify(strategy)}`);
  else if ((strategy === 'NoTranslation' || strategy === 'NoUTF8EscapingWithSuffixes') && explicitLegacy && global.metricNameValidationScheme === 'legacy') {
    r.error([...path, 'translation_strategy'], `OTLP translation strategy ${JSON.stringify(strategy)} is not allowed when UTF8 is disabled`);
  }
  const promoteAll = o.promote_all_resource_attributes ?? false;
  const sanitize = (attrs: string[] | undefined, key: string, adjective: string): string[] => {
    const seen = new Set<string>();
    return (attrs ?? []).map((a, i) => {
      const t = a.trim();
      if (t === '') r.error([...path, key, i], `invalid '${key}': empty ${adjective} OTel resource attribute`);
      else if (seen.has(t)) r.error([...path, key, i], `invalid '${key}': duplicated ${adjective} OTel resource attribute ${JSON.stringify(t)}`);
      seen.add(t);
      return t;
    });
  };
  if (promoteAll && (o.promote_resource_attributes ?? []).length > 0) {
    r.error(path, "'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
  }
  if (!promoteAll && (o.ignore_resource_attributes ?? []).length > 0) {
    r.error(path, "'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
  }
  return {
    promoteAllResourceAttributes: promoteAll,
    promoteResourceAttributes: sanitize(o.promote_resource_attributes, 'promote_resource_attributes', 'promoted'),
    ignoreResourceAttributes: sanitize(o.ignore_resource_attributes, 'ignore_resource_attributes', 'ignored'),
    translationStrategy: strategy,
    keepIdentifyingResourceAttributes: o.keep_identifying_resource_attributes ?? false,
    convertHistogramsToNhcb: o.convert_histograms_to_nhcb ?? false,
    promoteScopeMetadata: o.promote_scope_metadata ?? false,
  };
}

export interface BuildContext {
  filename: string;
  dir: string;
  original: string;
  reporter: Reporter;
}

export function buildConfig(raw: RawConfig, ctx: BuildContext): PrometheusConfig {
  const r = ctx.reporter;
  const { dir } = ctx;
  const global = buildGlobal(raw.global, r);
  const ruleFiles = raw.rule_files ?? [];
  ruleFiles.forEach((f, i) => {
    if (!isValidRuleFilePattern(f)) r.error(['rule_files', i], `invalid rule file path ${JSON.stringify(f)}`);
  });
  const scrapeConfigFiles = raw.scrape_config_files ?? [];
  scrapeConfigFiles.forEach((f, i) => {
    if (!isValidRuleFilePattern(f)) r.error(['scrape_config_files', i], `invalid scrape config file path ${JSON.stringify(f)}`);
  });
  const jobs = new Set<string>();
  const scrapeConfigs = (raw.scrape_configs ?? []).map((sc, i) => {
    const built = buildScrapeConfig(sc, global, ['scrape_configs', i], dir, ctx.filename, r);
    if (jobs.has(built.jobName)) r.error(['scrape_configs', i, 'job_name'], `found multiple scrape configs with job name ${JSON.stringify(built.jobName)}`);
    jobs.add(built.jobName);
    return built;
  });
  const alertRaw = raw.alerting ?? {};
  const alerting = {
    alertRelabelConfigs: buildRelabelConfigs(alertRaw.alert_relabel_configs),
    alertmanagers: (alertRaw.alertmanagers ?? []).map((am, i) => buildAlertmanager(am, ['alerting', 'alertmanagers', i], dir, r)),
  };
  const rwNames = new Set<string>();
  const remoteWrite = (raw.remote_write ?? []).map((rw, i) => {
    const built = buildRemoteWrite(rw, ['remote_write', i], dir, r);
    if (built.name !== '' && rwNames.has(built.name)) r.error(['remote_write', i, 'name'], `found multiple remote write configs with job name ${JSON.stringify(built.name)}`);
    rwNames.add(built.name);
    return built;
  });
  const rrNames = new Set<string>();
  const remoteRead = (raw.remote_read ?? []).map((rr, i) => {
    const built = buildRemoteRead(rr, ['remote_read', i], dir, r);
    if (built.name !== '' && rrNames.has(built.name)) r.error(['remote_read', i, 'name'], `found multiple remote read configs with job name ${JSON.stringify(built.name)}`);
    rrNames.add(built.name);
    return built;
  });
  const explicitLegacy = raw.global?.metric_name_validation_scheme === 'legacy';
  const gogc = raw.runtime?.gogc || defaultGoGC();
  const out: PrometheusConfig = {
    global: {
      ...global,
      queryLogFile: joinDir(dir, global.queryLogFile),
      scrapeFailureLogFile: joinDir(dir, global.scrapeFailureLogFile),
    },
    runtime: { gogc },
    ruleFiles: ruleFiles.map((f) => joinDir(dir, f)),
    scrapeConfigFiles: scrapeConfigFiles.map((f) => joinDir(dir, f)),
    scrapeConfigs,
    alerting,
    remoteWrite,
    remoteRead,
    storage: buildStorage(raw.storage, r),
    otlp: buildOtlp(raw.otlp, global, explicitLegacy, r),
    filename: ctx.filename,
    original: ctx.original,
  };
  if (out.global.queryLogFile === undefined) delete out.global.queryLogFile;
  if (out.global.scrapeFailureLogFile === undefined) delete out.global.scrapeFailureLogFile;
  const tracing = buildTracing(raw.tracing, dir, r);
  if (tracing) out.tracing = tracing;
  return out;
}

function defaultGoGC(): number {
  const env = process.env.GOGC;
  if (env !== undefined && env !== '') {
    if (env.toLowerCase() === 'off') return -1;
    const n = Number(env);
    if (Number.isInteger(n)) return n;
  }
  return 75;
}
