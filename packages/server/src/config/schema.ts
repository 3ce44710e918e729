/**
 * zod schemas for prometheus.yml, one strict object per Prometheus struct. They check shapes and
 * scalar types and convert durations, sizes and regexes; defaults, inheritance and cross-field rules
 * live in build.ts. Output keys stay snake_case as written.
 */
import { z } from 'zod';
import { isValidLabelName } from '../model/labels.ts';
import type { RelabelConfig } from '../model/relabel.ts';
import { isRelabelAction, relabelConfig, validateRelabelConfig } from '../model/relabel.ts';
import { AnchoredRegex } from '../model/regex.ts';
import { parseDuration } from '../model/time.ts';
import { isYamlScalar, unwrapScalar } from './yaml.ts';

/** Describes a YAML value the way go-yaml names it in "cannot unmarshal" errors. */
export function yamlKind(value: unknown): string {
  if (isYamlScalar(value)) {
    const v = value.value;
    const tag = typeof v === 'boolean' ? '!!bool' : typeof v === 'number' ? (Number.isInteger(v) ? '!!int' : '!!float') : v instanceof Date ? '!!timestamp' : '!!scalar';
    return `${tag} \`${value.source}\``;
  }
  if (value === null || value === undefined) return '!!null';
  if (typeof value === 'string') return `!!str \`${value.length > 40 ? `${value.slice(0, 40)}…` : value}\``;
  if (typeof value === 'boolean') return '!!bool';
  if (typeof value === 'number') return Number.isInteger(value) ? '!!int' : '!!float';
  if (Array.isArray(value)) return '!!seq';
  return '!!map';
}

function typed<T>(name: string, convert: (value: unknown) => T | undefined) {
  return z.any().transform((value: unknown, ctx): T => {
    const out = convert(value);
    if (out === undefined) {
      ctx.addIssue({ code: 'custom', message: `cannot unmarshal ${yamlKind(value)} into ${name}` });
      return z.NEVER;
    }
    return out;
  });
}

/** A string field: any scalar is accepted as written, as go-yaml v2 does. */
export const str = typed<string>('string', (v) => (typeof v === 'string' ? v : isYamlScalar(v) && !(v.value instanceof Uint8Array) ? v.source : undefined));

export const bool = typed<boolean>('bool', (v) => (isYamlScalar(v) && typeof v.value === 'boolean' ? v.value : undefined));

export const uint = typed<number>('uint', (v) => {
  if (!isYamlScalar(v)) return undefined;
  const n = typeof v.value === 'bigint' ? Number(v.value) : v.value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
});

export const int = typed<number>('int', (v) => {
  if (!isYamlScalar(v)) return undefined;
  const n = typeof v.value === 'bigint' ? Number(v.value) : v.value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
});

export const float = typed<number>('float64', (v) => (isYamlScalar(v) && typeof v.value === 'number' ? v.value : undefined));

/** A Prometheus duration (`15s`, `1h30m`, `0`) in milliseconds. */
export const duration = str.transform((text, ctx): number => {
  try {
    return parseDuration(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a valid duration string: ${JSON.stringify(text)}` });
    return z.NEVER;
  }
});

const SIZE_UNITS: Record<string, number> = { B: 1 };
['K', 'M', 'G', 'T', 'P', 'E'].forEach((prefix, i) => {
  SIZE_UNITS[`${prefix}B`] = 1024 ** (i + 1);
  SIZE_UNITS[`${prefix}iB`] = 1024 ** (i + 1);
});

/** Parses a base-2 byte size as alecthomas/units.ParseBase2Bytes does (`512MB`, `1GiB`, `1.5KB`, `0`). */
export function parseByteSize(text: string): number {
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`units: invalid ${text}`);
  let total = 0;
  while (s !== '') {
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    let j = i;
    if (s[j] === '.') {
      j++;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
    }
    const digits = s.slice(0, j);
    if (digits === '' || digits === '.') throw new Error(`units: invalid ${text}`);
    let k = j;
    while (k < s.length && s[k] !== '.' && !(s[k] >= '0' && s[k] <= '9')) k++;
    const unit = s.slice(j, k);
    const scale = SIZE_UNITS[unit];
    if (scale === undefined) throw new Error(`units: unknown unit ${unit} in ${text}`);
    total += Number(digits) * scale;
    s = s.slice(k);
  }
  if (total >= 2 ** 63) throw new Error('units: overflow parsing unit');
  return Math.trunc(neg ? -total : total);
}

/** `body_size_limit`: a size string, or a plain integer meaning bytes. */
export const byteSize = z.any().transform((value: unknown, ctx): number => {
  if (isYamlScalar(value) && typeof value.value === 'number' && Number.isInteger(value.value)) return value.value;
  if (typeof value === 'string') {
    try {
      const n = parseByteSize(value);
      if (n < 0) throw new Error(`size must not be negative, got ${value}`);
      return n;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }
  ctx.addIssue({ code: 'custom', message: `cannot unmarshal ${yamlKind(value)} into a byte size` });
  return z.NEVER;
});

/** A regex, RE2 syntax, anchored at both ends. */
export const regex = str.transform((text, ctx): AnchoredRegex => {
  try {
    return new AnchoredRegex(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/^invalid regular expression "(?:[^"\\]|\\.)*": /, '');
    ctx.addIssue({ code: 'custom', message: reason.startsWith('error parsing regexp') ? reason : `error parsing regexp: ${reason}` });
    return z.NEVER;
  }
});

const KNOWN_KEYS_MARK = '\u0000known:';

/** A strict mapping: unknown keys are errors (as go-yaml's UnmarshalStrict). */
export function obj<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.preprocess(
    unwrapScalar,
    z.strictObject(shape, {
      error: (issue) => (issue.code === 'unrecognized_keys' ? `${KNOWN_KEYS_MARK}${known.join(',')}` : undefined),
    }),
  );
}

/** The keys a strict object accepts, recovered from an unrecognized_keys issue message. */
export function knownKeysOf(message: string): string[] | null {
  return message.startsWith(KNOWN_KEYS_MARK) ? message.slice(KNOWN_KEYS_MARK.length).split(',') : null;
}

/** A list section whose items may not be null (`empty or null <what>`). */
export function list<T extends z.ZodType>(item: T, nullItem?: string) {
  const guarded = nullItem === undefined ? item : z.any().superRefine((v: unknown, ctx) => {
    if (v === null) ctx.addIssue({ code: 'custom', message: nullItem });
  }).pipe(item);
  return z.preprocess(unwrapScalar, z.array(guarded as T));
}

/** A string → string mapping (label sets, headers). Null values read as ''. */
export const strMap = z.preprocess(
  unwrapScalar,
  z.record(
    z.string(),
    typed<string>('string', (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : isYamlScalar(v) ? v.source : undefined)),
  ),
);

export const strList = list(str);

// ---- shared blocks ----

export const tlsShape = {
  ca: str.optional(),
  ca_file: str.optional(),
  ca_ref: str.optional(),
  cert: str.optional(),
  cert_file: str.optional(),
  cert_ref: str.optional(),
  key: str.optional(),
  key_file: str.optional(),
  key_ref: str.optional(),
  server_name: str.optional(),
  insecure_skip_verify: bool.optional(),
  min_version: str.optional(),
  max_version: str.optional(),
};
export const tlsSchema = obj(tlsShape);

const proxyShape = {
  proxy_url: str.optional(),
  no_proxy: str.optional(),
  proxy_from_environment: bool.optional(),
  proxy_connect_header: z.preprocess(unwrapScalar, z.record(z.string(), strList)).optional(),
};

export const basicAuthSchema = obj({
  username: str.optional(),
  username_file: str.optional(),
  username_ref: str.optional(),
  password: str.optional(),
  password_file: str.optional(),
  password_ref: str.optional(),
});

export const authorizationSchema = obj({
  type: str.optional(),
  credentials: str.optional(),
  credentials_file: str.optional(),
  credentials_ref: str.optional(),
});

export const oauth2Schema = obj({
  client_id: str.optional(),
  client_secret: str.optional(),
  client_secret_file: str.optional(),
  client_secret_ref: str.optional(),
  client_certificate_key_id: str.optional(),
  client_certificate_key: str.optional(),
  client_certificate_key_file: str.optional(),
  client_certificate_key_ref: str.optional(),
  grant_type: str.optional(),
  signature_algorithm: str.optional(),
  iss: str.optional(),
  audience: str.optional(),
  claims: z.preprocess(unwrapScalar, z.record(z.string(), z.any())).optional(),
  scopes: strList.optional(),
  token_url: str.optional(),
  endpoint_params: strMap.optional(),
  tls_config: tlsSchema.optional(),
  ...proxyShape,
});

const httpHeaderSchema = obj({
  values: strList.optional(),
  secrets: strList.optional(),
  files: strList.optional(),
});

/** Prometheus's common HTTPClientConfig, inlined in scrape, alertmanager and remote configs. */
export const httpShape = {
  basic_auth: basicAuthSchema.optional(),
  authorization: authorizationSchema.optional(),
  oauth2: oauth2Schema.optional(),
  bearer_token: str.optional(),
  bearer_token_file: str.optional(),
  tls_config: tlsSchema.optional(),
  follow_redirects: bool.optional(),
  enable_http2: bool.optional(),
  http_headers: z.preprocess(unwrapScalar, z.record(z.string(), httpHeaderSchema)).optional(),
  ...proxyShape,
};

/** A relabel rule, checked as relabel.Config.Validate does; the output is the model's RelabelConfig. */
export const relabelSchema = obj({
  source_labels: strList.optional(),
  separator: str.optional(),
  regex: regex.optional(),
  modulus: uint.optional(),
  target_label: str.optional(),
  replacement: str.optional(),
  action: str.optional(),
}).transform((raw, ctx): RelabelConfig => {
  const action = (raw.action ?? 'replace').toLowerCase();
  if (!isRelabelAction(action)) {
    ctx.addIssue({ code: 'custom', path: ['action'], message: `unknown relabel action ${JSON.stringify(raw.action)}` });
    return z.NEVER;
  }
  const cfg = relabelConfig({
    sourceLabels: raw.source_labels,
    separator: raw.separator,
    regex: raw.regex,
    modulus: raw.modulus,
    targetLabel: raw.target_label,
    replacement: raw.replacement,
    action,
  });
  cfg.sourceLabels.forEach((name, k) => {
    if (!isValidLabelName(name)) ctx.addIssue({ code: 'custom', path: ['source_labels', k], message: `${JSON.stringify(name)} is not a valid label name` });
  });
  const fieldsSet = new Set(Object.keys(raw).filter((k) => (raw as Record<string, unknown>)[k] !== undefined));
  const problem = validateRelabelConfig(cfg, fieldsSet);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  return cfg;
});

const targetGroupSchema = obj({
  targets: strList.optional(),
  labels: strMap.optional(),
});

const fileSdSchema = obj({
  files: strList.optional(),
  refresh_interval: duration.optional(),
});

const sdShape = {
  static_configs: list(targetGroupSchema, 'empty or null section in static_configs').optional(),
  file_sd_configs: list(fileSdSchema, 'empty or null section in file_sd_configs').optional(),
};

const relabelList = (what: string) => list(relabelSchema, what).optional();

export const globalSchema = obj({
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scrape_protocols: strList.optional(),
  evaluation_interval: duration.optional(),
  rule_query_offset: duration.optional(),
  query_log_file: str.optional(),
  scrape_failure_log_file: str.optional(),
  external_labels: strMap.optional(),
  body_size_limit: byteSize.optional(),
  sample_limit: uint.optional(),
  target_limit: uint.optional(),
  label_limit: uint.optional(),
  label_name_length_limit: uint.optional(),
  label_value_length_limit: uint.optional(),
  keep_dropped_targets: uint.optional(),
  metric_name_validation_scheme: str.optional(),
  metric_name_escaping_scheme: str.optional(),
  scrape_native_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  always_scrape_classic_histograms: bool.optional(),
  extra_scrape_metrics: bool.optional(),
});

export const scrapeSchema = obj({
  job_name: str.optional(),
  honor_labels: bool.optional(),
  honor_timestamps: bool.optional(),
  track_timestamps_staleness: bool.optional(),
  params: z.preprocess(unwrapScalar, z.record(z.string(), strList)).optional(),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scrape_protocols: strList.optional(),
  fallback_scrape_protocol: str.optional(),
  scrape_native_histograms: bool.optional(),
  always_scrape_classic_histograms: bool.optional(),
  scrape_classic_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  scrape_failure_log_file: str.optional(),
  metrics_path: str.optional(),
  scheme: str.optional(),
  enable_compression: bool.optional(),
  body_size_limit: byteSize.optional(),
  sample_limit: uint.optional(),
  target_limit: uint.optional(),
  label_limit: uint.optional(),
  label_name_length_limit: uint.optional(),
  label_value_length_limit: uint.optional(),
  native_histogram_bucket_limit: uint.optional(),
  native_histogram_min_bucket_factor: float.optional(),
  keep_dropped_targets: uint.optional(),
  metric_name_validation_scheme: str.optional(),
  metric_name_escaping_scheme: str.optional(),
  extra_scrape_metrics: bool.optional(),
  relabel_configs: relabelList('empty or null target relabeling rule in scrape config'),
  metric_relabel_configs: relabelList('empty or null metric relabeling rule in scrape config'),
  ...sdShape,
  ...httpShape,
});

const sigv4Schema = obj({
  region: str.optional(),
  access_key: str.optional(),
  secret_key: str.optional(),
  profile: str.optional(),
  role_arn: str.optional(),
  external_id: str.optional(),
  use_fips_sts_endpoint: bool.optional(),
  service_name: str.optional(),
});

const alertmanagerSchema = obj({
  scheme: str.optional(),
  path_prefix: str.optional(),
  timeout: duration.optional(),
  api_version: str.optional(),
  sigv4: sigv4Schema.optional(),
  relabel_configs: relabelList('empty or null Alertmanager target relabeling rule'),
  alert_relabel_configs: relabelList('empty or null Alertmanager alert relabeling rule'),
  ...sdShape,
  ...httpShape,
});

const alertingSchema = obj({
  alert_relabel_configs: relabelList('empty or null alert relabeling rule'),
  alertmanagers: list(alertmanagerSchema, 'empty or null alertmanager config section').optional(),
});

const queueSchema = obj({
  capacity: int.optional(),
  max_shards: int.optional(),
  min_shards: int.optional(),
  max_samples_per_send: int.optional(),
  batch_send_deadline: duration.optional(),
  min_backoff: duration.optional(),
  max_backoff: duration.optional(),
  retry_on_http_429: bool.optional(),
  sample_age_limit: duration.optional(),
});

const metadataSchema = obj({
  send: bool.optional(),
  send_interval: duration.optional(),
  max_samples_per_send: int.optional(),
});

const looseMap = z.preprocess(unwrapScalar, z.record(z.string(), z.any()));

const remoteWriteSchema = obj({
  url: str.optional(),
  remote_timeout: duration.optional(),
  headers: strMap.optional(),
  write_relabel_configs: relabelList('empty or null relabeling rule in remote write config'),
  name: str.optional(),
  send_exemplars: bool.optional(),
  send_native_histograms: bool.optional(),
  round_robin_dns: bool.optional(),
  protobuf_message: str.optional(),
  failed_request_logging: bool.optional(),
  queue_config: queueSchema.optional(),
  metadata_config: metadataSchema.optional(),
  sigv4: sigv4Schema.optional(),
  azuread: looseMap.optional(),
  google_iam: looseMap.optional(),
  ...httpShape,
});

const remoteReadSchema = obj({
  url: str.optional(),
  remote_timeout: duration.optional(),
  chunked_read_limit: uint.optional(),
  headers: strMap.optional(),
  read_recent: bool.optional(),
  name: str.optional(),
  required_matchers: strMap.optional(),
  filter_external_labels: bool.optional(),
  ...httpShape,
});

const storageSchema = obj({
  tsdb: obj({
    out_of_order_time_window: duration.optional(),
    stale_series_compaction_threshold: float.optional(),
    chunk_encoding: obj({ floats: str.optional() }).optional(),
    retention: obj({
      time: duration.optional(),
      size: byteSize.optional(),
      percentage: float.optional(),
    }).optional(),
  }).optional(),
  exemplars: obj({ max_exemplars: int.optional() }).optional(),
});

const tracingSchema = obj({
  client_type: str.optional(),
  endpoint: str.optional(),
  sampling_fraction: float.optional(),
  insecure: bool.optional(),
  tls_config: tlsSchema.optional(),
  headers: strMap.optional(),
  compression: str.optional(),
  timeout: duration.optional(),
});

const otlpSchema = obj({
  promote_all_resource_attributes: bool.optional(),
  promote_resource_attributes: strList.optional(),
  ignore_resource_attributes: strList.optional(),
  translation_strategy: str.optional(),
  keep_identifying_resource_attributes: bool.optional(),
  convert_histograms_to_nhcb: bool.optional(),
  promote_scope_metadata: bool.optional(),
  label_name_underscore_sanitization: bool.optional(),
  label_name_preserve_multiple_underscores: bool.optional(),
});

export const configSchema = obj({
  global: globalSchema.optional(),
  runtime: obj({ gogc: int.optional() }).optional(),
  alerting: alertingSchema.optional(),
  rule_files: strList.optional(),
  scrape_config_files: strList.optional(),
  scrape_configs: list(scrapeSchema, 'empty or null scrape config section').optional(),
  storage: storageSchema.optional(),
  tracing: tracingSchema.optional(),
  remote_write: list(remoteWriteSchema, 'empty or null remote write config section').optional(),
  remote_read: list(remoteReadSchema, 'empty or null remote read config section').optional(),
  otlp: otlpSchema.optional(),
});

/** A file listed in scrape_config_files: only `scrape_configs`. */
export const scrapeConfigFileSchema = obj({
  scrape_configs: list(scrapeSchema, 'empty or null scrape config section').optional(),
});

/** A file_sd target-group file: a list of `{targets, labels}`. */
export const targetGroupFileSchema = list(targetGroupSchema, 'nil target group item found');

export type RawConfig = z.output<typeof configSchema>;
export type RawGlobal = z.output<typeof globalSchema>;
export type RawScrape = z.output<typeof scrapeSchema>;
export type RawTls = z.output<typeof tlsSchema>;
export type RawTargetGroup = z.output<typeof targetGroupSchema>;
