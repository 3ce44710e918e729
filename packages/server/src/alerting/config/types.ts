/**
 * alertmanager.yml after loading: defaults applied, `global` values inherited into the receivers that
 * leave them unset, `http_config` resolved, durations in milliseconds, field names in camelCase.
 * Secrets are plain strings; a `…File` field is an absolute path read when a notification is sent
 * (as Alertmanager reads it), and is set only when the secret itself is not. Template strings are kept
 * as written; the notifiers expand them. URLs are strings as written.
 */
import type { HttpClientConfig, TlsConfig } from '../../config/index.ts';
import type { Matcher } from '../matchers/matcher.ts';
import type { TimeInterval } from '../timeintervals/types.ts';

export type { HttpClientConfig, TlsConfig };

/** The `global` section, with Alertmanager's defaults (DefaultGlobalConfig). */
export interface AlertmanagerGlobalConfig {
  /** `resolve_timeout`, default 5m. */
  resolveTimeoutMs: number;
  httpConfig: HttpClientConfig;
  smtpFrom: string;
  /** Default `localhost`. */
  smtpHello: string;
  /** `host:port`, '' when unset. */
  smtpSmarthost: string;
  smtpAuthUsername: string;
  smtpAuthPassword: string;
  smtpAuthPasswordFile?: string;
  smtpAuthSecret: string;
  smtpAuthSecretFile?: string;
  smtpAuthIdentity: string;
  /** Default true. */
  smtpRequireTls: boolean;
  smtpTlsConfig?: TlsConfig;
  smtpForceImplicitTls?: boolean;
  slackApiUrl?: string;
  slackApiUrlFile?: string;
  slackAppToken?: string;
  slackAppTokenFile?: string;
  slackAppUrl?: string;
  /** Default `https://events.pagerduty.com/v2/enqueue`. */
  pagerdutyUrl: string;
  /** Default `https://api.opsgenie.com/`. */
  opsgenieApiUrl: string;
  opsgenieApiKey?: string;
  opsgenieApiKeyFile?: string;
  /** Default `https://api.telegram.org`. */
  telegramApiUrl: string;
  telegramBotToken?: string;
  telegramBotTokenFile?: string;
  /** Other vendors' globals (wechat, victorops, webex, …) as written, snake_case; Vigil does not deliver to them. */
  other: Record<string, unknown>;
}

/** Fields every integration has (Alertmanager's NotifierConfig plus the inherited `http_config`). */
export interface IntegrationConfigBase {
  sendResolved: boolean;
  /** Own `http_config`, or `global.http_config` when the integration has none. */
  httpConfig: HttpClientConfig;
}

export interface WebhookConfig extends IntegrationConfigBase {
  /** May be a template in Alertmanager ≥ 0.28 (`SecretTemplateURL`). Set unless `urlFile` is. */
  url?: string;
  urlFile?: string;
  /** 0: all alerts. */
  maxAlerts: number;
  /** 0: no timeout of its own (Alertmanager's `timeout`, ≥ 0.28). */
  timeoutMs: number;
}

export interface EmailThreadingConfig {
  enabled: boolean;
  /** 'none' | 'daily' ('' when unset). */
  threadByDate: string;
}

export interface EmailConfig {
  sendResolved: boolean;
  to: string;
  /** Inherited from `global.smtp_from` when unset. */
  from: string;
  hello: string;
  /** `host:port`, inherited from `global.smtp_smarthost`. */
  smarthost: string;
  authUsername: string;
  authPassword: string;
  authPasswordFile?: string;
  authSecret: string;
  authSecretFile?: string;
  authIdentity: string;
  /**
   * Header name (canonical MIME form, `Subject`, `To`, `From`) → template. `To`, `From` and `Subject`
   * are always present, defaulting to the `to`/`from` fields and `{{ template "email.default.subject" . }}`.
   */
  headers: Record<string, string>;
  /** Default `{{ template "email.default.html" . }}`. */
  html: string;
  /** Default ''. */
  text: string;
  /** Inherited from `global.smtp_require_tls`. */
  requireTls: boolean;
  tlsConfig: TlsConfig;
  forceImplicitTls?: boolean;
  threading: EmailThreadingConfig;
}

export interface SlackConfirmationField {
  text: string;
  title: string;
  okText: string;
  dismissText: string;
}

export interface SlackAction {
  type: string;
  text: string;
  url: string;
  style: string;
  name: string;
  value: string;
  confirm?: SlackConfirmationField;
}

export interface SlackField {
  title: string;
  value: string;
  /** Unset: the config's `shortFields`. */
  short?: boolean;
}

export interface SlackConfig extends IntegrationConfigBase {
  /** Inherited from `global.slack_api_url(_file)`; exactly one of `apiUrl`/`apiUrlFile` is set. */
  apiUrl?: string;
  apiUrlFile?: string;
  appToken?: string;
  appTokenFile?: string;
  appUrl?: string;
  channel: string;
  username: string;
  color: string;
  title: string;
  titleLink: string;
  pretext: string;
  text: string;
  messageText: string;
  fields: SlackField[];
  shortFields: boolean;
  footer: string;
  fallback: string;
  callbackId: string;
  iconEmoji: string;
  iconUrl: string;
  imageUrl: string;
  thumbUrl: string;
  linkNames: boolean;
  mrkdwnIn: string[];
  actions: SlackAction[];
  updateMessage: boolean;
  timeoutMs: number;
}

export interface PagerdutyLink {
  href: string;
  text: string;
}

export interface PagerdutyImage {
  src: string;
  alt: string;
  href: string;
}

export interface PagerdutyConfig extends IntegrationConfigBase {
  /** Events API v1 integration key. */
  serviceKey?: string;
  serviceKeyFile?: string;
  /** Events API v2 integration key. */
  routingKey?: string;
  routingKeyFile?: string;
  /** Inherited from `global.pagerduty_url`. */
  url: string;
  client: string;
  clientUrl: string;
  description: string;
  /** Templates (string values) with Alertmanager's default `firing`, `resolved`, `num_firing`, `num_resolved` added. */
  details: Record<string, unknown>;
  images: PagerdutyImage[];
  links: PagerdutyLink[];
  /** Defaults to `client`. */
  source: string;
  severity: string;
  class: string;
  component: string;
  group: string;
  timeoutMs: number;
}

export interface OpsgenieResponder {
  id: string;
  name: string;
  username: string;
  /** team, teams, user, escalation, schedule (a template). */
  type: string;
}

export interface OpsgenieConfig extends IntegrationConfigBase {
  /** Inherited from `global.opsgenie_api_key(_file)`. */
  apiKey?: string;
  apiKeyFile?: string;
  /** Inherited from `global.opsgenie_api_url`, always ends with `/`. */
  apiUrl: string;
  message: string;
  description: string;
  source: string;
  details: Record<string, string>;
  entity: string;
  responders: OpsgenieResponder[];
  actions: string;
  tags: string;
  note: string;
  priority: string;
  updateAlerts: boolean;
}

export interface MsteamsConfig extends IntegrationConfigBase {
  webhookUrl?: string;
  webhookUrlFile?: string;
  title: string;
  summary: string;
  text: string;
}

export interface DiscordConfig extends IntegrationConfigBase {
  webhookUrl?: string;
  webhookUrlFile?: string;
  content: string;
  title: string;
  message: string;
  username: string;
  avatarUrl: string;
}

export interface TelegramConfig extends IntegrationConfigBase {
  /** Inherited from `global.telegram_api_url`. */
  apiUrl: string;
  botToken?: string;
  botTokenFile?: string;
  /** 0 when `chatIdFile` is used. Chat ids exceed 2^31 but stay below 2^53. */
  chatId: number;
  chatIdFile?: string;
  messageThreadId: number;
  message: string;
  disableNotifications: boolean;
  /** Default `HTML`. */
  parseMode: string;
}

export interface ReceiverConfig {
  name: string;
  webhookConfigs: WebhookConfig[];
  emailConfigs: EmailConfig[];
  slackConfigs: SlackConfig[];
  pagerdutyConfigs: PagerdutyConfig[];
  opsgenieConfigs: OpsgenieConfig[];
  msteamsConfigs: MsteamsConfig[];
  discordConfigs: DiscordConfig[];
  telegramConfigs: TelegramConfig[];
}

/** A route as written (before inheritance; the routing tree in alerting/routes resolves it). */
export interface RouteConfig {
  receiver?: string;
  /** As written; `['...']` means group by all labels. */
  groupBy?: string[];
  /** `match`, `match_re` and `matchers`, converted and in Alertmanager's order. */
  matchers: Matcher[];
  continue: boolean;
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: RouteConfig[];
}

export interface InhibitRuleConfig {
  /** `source_match`, `source_match_re` and `source_matchers` together. */
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface AlertmanagerConfig {
  global: AlertmanagerGlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  /** Absolute glob patterns (relative ones resolved against the config file's directory). */
  templates: string[];
  /** `time_intervals` and the legacy `mute_time_intervals`, by name. */
  timeIntervals: Map<string, TimeInterval[]>;
}

/** A problem that does not stop loading (seed 000's `subject:` in `email_configs`). */
export interface ConfigWarning {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface LoadedAlertmanagerConfig {
  config: AlertmanagerConfig;
  warnings: ConfigWarning[];
}
