/**
 * The loaded prometheus.yml as plain data. Names are camelCase versions of the YAML keys; durations
 * are milliseconds (`…Ms`), sizes bytes; every default Prometheus fills in is filled in; relative file
 * paths are already resolved against the config file's directory.
 */
import type { RelabelConfig } from '../model/relabel.ts';

export type ScrapeProtocol =
  | 'PrometheusProto'
  | 'PrometheusText0.0.4'
  | 'PrometheusText1.0.0'
  | 'OpenMetricsText0.0.1'
  | 'OpenMetricsText1.0.0';

export type NameValidationScheme = 'legacy' | 'utf8';
export type NameEscapingScheme = 'allow-utf-8' | 'underscores' | 'dots' | 'values';
export type TlsVersion = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

/** A target group: from static_configs, or read from a file_sd file. */
export interface TargetGroup {
  /** Target addresses (`host:port`), each becomes the `__address__` label. */
  targets: string[];
  labels: Record<string, string>;
  /** Static configs: the group's index in the job ("0", "1", …). file_sd: `path:index`. */
  source: string;
}

export interface FileSdConfig {
  /** Globs (only the last path element may hold `*`), resolved against the config directory. */
  files: string[];
  refreshIntervalMs: number;
}

export interface TlsConfig {
  ca?: string;
  caFile?: string;
  caRef?: string;
  cert?: string;
  certFile?: string;
  certRef?: string;
  key?: string;
  keyFile?: string;
  keyRef?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

export interface BasicAuth {
  username?: string;
  usernameFile?: string;
  usernameRef?: string;
  password?: string;
  passwordFile?: string;
  passwordRef?: string;
}

/** `authorization`, also what legacy `bearer_token` / `bearer_token_file` become (type Bearer). */
export interface Authorization {
  type: string;
  credentials?: string;
  credentialsFile?: string;
  credentialsRef?: string;
}

export interface OAuth2Config {
  clientId: string;
  clientSecret?: string;
  clientSecretFile?: string;
  clientSecretRef?: string;
  grantType?: string;
  scopes: string[];
  tokenUrl: string;
  endpointParams: Record<string, string>;
  tlsConfig: TlsConfig;
  proxy: ProxyConfig;
  /** Remaining JWT-bearer options, as written (snake_case keys). */
  extra: Record<string, unknown>;
}

export interface ProxyConfig {
  proxyUrl?: string;
  noProxy?: string;
  proxyFromEnvironment: boolean;
  proxyConnectHeader: Record<string, string[]>;
}

export interface HttpHeader {
  values: string[];
  secrets: string[];
  files: string[];
}

/** Prometheus's common HTTPClientConfig, inlined into scrape, alertmanager and remote configs. */
export interface HttpClientConfig {
  basicAuth?: BasicAuth;
  authorization?: Authorization;
  oauth2?: OAuth2Config;
  tlsConfig: TlsConfig;
  followRedirects: boolean;
  enableHttp2: boolean;
  proxy: ProxyConfig;
  httpHeaders?: Record<string, HttpHeader>;
}

export interface GlobalConfig {
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  evaluationIntervalMs: number;
  ruleQueryOffsetMs: number;
  /** Sorted by name; `${VAR}` / `$VAR` references already expanded from the environment. */
  externalLabels: Record<string, string>;
  queryLogFile?: string;
  scrapeFailureLogFile?: string;
  /** Undefined when not set: each job then picks its default list. */
  scrapeProtocols?: ScrapeProtocol[];
  bodySizeLimitBytes: number;
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  keepDroppedTargets: number;
  metricNameValidationScheme: NameValidationScheme;
  metricNameEscapingScheme?: NameEscapingScheme;
  scrapeNativeHistograms: boolean;
  convertClassicHistogramsToNhcb: boolean;
  alwaysScrapeClassicHistograms: boolean;
  extraScrapeMetrics: boolean;
}

export interface ScrapeConfig {
  jobName: string;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  params: Record<string, string[]>;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  scrapeProtocols: ScrapeProtocol[];
  fallbackScrapeProtocol?: ScrapeProtocol;
  scrapeNativeHistograms: boolean;
  /** `always_scrape_classic_histograms` (3.x) or `scrape_classic_histograms` (2.x). */
  alwaysScrapeClassicHistograms: boolean;
  convertClassicHistogramsToNhcb: boolean;
  scrapeFailureLogFile?: string;
  metricsPath: string;
  scheme: string;
  enableCompression: boolean;
  bodySizeLimitBytes: number;
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  nativeHistogramBucketLimit: number;
  nativeHistogramMinBucketFactor: number;
  keepDroppedTargets: number;
  metricNameValidationScheme: NameValidationScheme;
  metricNameEscapingScheme: NameEscapingScheme;
  extraScrapeMetrics: boolean;
  http: HttpClientConfig;
  /** All static_configs entries coalesced, as Prometheus does (sources "0", "1", …). */
  staticConfigs: TargetGroup[];
  fileSdConfigs: FileSdConfig[];
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  /** The file the job came from: the main config file or one of scrape_config_files. */
  sourceFile: string;
}

export interface AlertmanagerConfig {
  scheme: string;
  pathPrefix: string;
  timeoutMs: number;
  apiVersion: 'v2';
  http: HttpClientConfig;
  /** sigv4 block, as written; parsed but not used yet. */
  sigv4?: Record<string, unknown>;
  staticConfigs: TargetGroup[];
  fileSdConfigs: FileSdConfig[];
  relabelConfigs: RelabelConfig[];
  alertRelabelConfigs: RelabelConfig[];
}

export interface AlertingConfig {
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

export interface QueueConfig {
  capacity: number;
  maxShards: number;
  minShards: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOnHttp429: boolean;
  sampleAgeLimitMs: number;
}

export interface MetadataConfig {
  send: boolean;
  sendIntervalMs: number;
  maxSamplesPerSend: number;
}

export interface RemoteWriteConfig {
  url: string;
  name: string;
  remoteTimeoutMs: number;
  headers: Record<string, string>;
  writeRelabelConfigs: RelabelConfig[];
  sendExemplars: boolean;
  sendNativeHistograms: boolean;
  roundRobinDns: boolean;
  protobufMessage: string;
  http: HttpClientConfig;
  queueConfig: QueueConfig;
  metadataConfig: MetadataConfig;
  /** sigv4 / azuread / google_iam blocks, as written; parsed but not used yet. */
  sigv4?: Record<string, unknown>;
  azuread?: Record<string, unknown>;
  googleIam?: Record<string, unknown>;
}

export interface RemoteReadConfig {
  url: string;
  name: string;
  remoteTimeoutMs: number;
  chunkedReadLimit: number;
  headers: Record<string, string>;
  readRecent: boolean;
  requiredMatchers: Record<string, string>;
  filterExternalLabels: boolean;
  http: HttpClientConfig;
}

export interface StorageConfig {
  tsdb: {
    outOfOrderTimeWindowMs: number;
    retention: { timeMs: number; sizeBytes: number; percentage: number };
    staleSeriesCompactionThreshold: number;
  };
  exemplars: { maxExemplars: number };
}

export interface TracingConfig {
  clientType: 'grpc' | 'http';
  endpoint: string;
  samplingFraction: number;
  insecure: boolean;
  tlsConfig: TlsConfig;
  headers: Record<string, string>;
  compression?: 'gzip';
  timeoutMs: number;
}

export interface OtlpConfig {
  promoteAllResourceAttributes: boolean;
  promoteResourceAttributes: string[];
  ignoreResourceAttributes: string[];
  translationStrategy: string;
  keepIdentifyingResourceAttributes: boolean;
  convertHistogramsToNhcb: boolean;
  promoteScopeMetadata: boolean;
}

export interface PrometheusConfig {
  global: GlobalConfig;
  runtime: { gogc: number };
  /** Rule file globs, resolved against the config directory (matching nothing is fine). */
  ruleFiles: string[];
  /** scrape_config_files globs, resolved; their jobs are already merged into scrapeConfigs by loadConfigFile. */
  scrapeConfigFiles: string[];
  scrapeConfigs: ScrapeConfig[];
  alerting: AlertingConfig;
  remoteWrite: RemoteWriteConfig[];
  remoteRead: RemoteReadConfig[];
  storage: StorageConfig;
  /** Undefined when the file has no tracing block (tracing off). */
  tracing?: TracingConfig;
  otlp: OtlpConfig;
  /** The file the config came from ('' for the built-in default). */
  filename: string;
  /** The YAML text exactly as read (shown by /api/v1/status/config). */
  original: string;
}
