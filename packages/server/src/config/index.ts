/** prometheus.yml loading and validation: the public face of the config package. */
export { ConfigError } from './errors.ts';
export { defaultConfig, loadConfigFile, loadScrapeConfigFiles, parseConfig } from './load.ts';
export { FILE_SD_FILEPATH_LABEL, loadFileSdFile, parseFileSd } from './filesd.ts';
export { checkConfigCommand } from './check.ts';
export { glob, globMatch } from './glob.ts';
export { DEFAULT_SCRAPE_PROTOCOLS, PROTO_FIRST_SCRAPE_PROTOCOLS, expandEnv } from './build.ts';
export type {
  AlertingConfig,
  AlertmanagerConfig,
  Authorization,
  BasicAuth,
  FileSdConfig,
  GlobalConfig,
  HttpClientConfig,
  HttpHeader,
  MetadataConfig,
  NameEscapingScheme,
  NameValidationScheme,
  OAuth2Config,
  OtlpConfig,
  PrometheusConfig,
  ProxyConfig,
  QueueConfig,
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
