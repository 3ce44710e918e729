/**
 * zod schemas for alertmanager.yml, one strict object per Alertmanager struct (unknown keys are
 * errors, as Alertmanager's strict YAML decoding makes them). They check shapes and scalar types and
 * convert durations; defaults, `global` inheritance and cross-field rules live in build.ts. Output
 * keys stay snake_case as written.
 */
import { z } from 'zod';
import { bool, duration, httpShape, int, list, obj, str, strList, strMap, tlsSchema, uint } from '../../config/schema.ts';
import { unwrapScalar } from '../../config/yaml.ts';

const httpConfig = obj(httpShape);

/** Any YAML value, checked later (integrations Vigil does not deliver to, pagerduty `details`). */
const anything = z.any();

const notifierShape = { send_resolved: bool.optional(), http_config: httpConfig.optional() };

const webhookSchema = obj({
  ...notifierShape,
  url: str.optional(),
  url_file: str.optional(),
  max_alerts: uint.optional(),
  timeout: duration.optional(),
});

const emailSchema = obj({
  send_resolved: bool.optional(),
  to: str.optional(),
  from: str.optional(),
  hello: str.optional(),
  smarthost: str.optional(),
  auth_username: str.optional(),
  auth_password: str.optional(),
  auth_password_file: str.optional(),
  auth_secret: str.optional(),
  auth_secret_file: str.optional(),
  auth_identity: str.optional(),
  headers: strMap.optional(),
  html: str.optional(),
  text: str.optional(),
  require_tls: bool.optional(),
  tls_config: tlsSchema.optional(),
  force_implicit_tls: bool.optional(),
  threading: obj({ enabled: bool.optional(), thread_by_date: str.optional() }).optional(),
});

const slackFieldSchema = obj({ title: str.optional(), value: str.optional(), short: bool.optional() });
const slackActionSchema = obj({
  type: str.optional(),
  text: str.optional(),
  url: str.optional(),
  style: str.optional(),
  name: str.optional(),
  value: str.optional(),
  confirm: obj({ text: str.optional(), title: str.optional(), ok_text: str.optional(), dismiss_text: str.optional() }).optional(),
});

const slackSchema = obj({
  ...notifierShape,
  api_url: str.optional(),
  api_url_file: str.optional(),
  app_token: str.optional(),
  app_token_file: str.optional(),
  app_url: str.optional(),
  channel: str.optional(),
  username: str.optional(),
  color: str.optional(),
  title: str.optional(),
  title_link: str.optional(),
  pretext: str.optional(),
  text: str.optional(),
  message_text: str.optional(),
  fields: list(slackFieldSchema).optional(),
  short_fields: bool.optional(),
  footer: str.optional(),
  fallback: str.optional(),
  callback_id: str.optional(),
  icon_emoji: str.optional(),
  icon_url: str.optional(),
  image_url: str.optional(),
  thumb_url: str.optional(),
  link_names: bool.optional(),
  mrkdwn_in: strList.optional(),
  actions: list(slackActionSchema).optional(),
  update_message: bool.optional(),
  timeout: duration.optional(),
});

const pagerdutySchema = obj({
  ...notifierShape,
  service_key: str.optional(),
  service_key_file: str.optional(),
  routing_key: str.optional(),
  routing_key_file: str.optional(),
  url: str.optional(),
  client: str.optional(),
  client_url: str.optional(),
  description: str.optional(),
  details: z.preprocess(unwrapScalar, z.record(z.string(), anything)).optional(),
  images: list(obj({ src: str.optional(), alt: str.optional(), href: str.optional() })).optional(),
  links: list(obj({ href: str.optional(), text: str.optional() })).optional(),
  source: str.optional(),
  severity: str.optional(),
  class: str.optional(),
  component: str.optional(),
  group: str.optional(),
  timeout: duration.optional(),
});

const opsgenieSchema = obj({
  ...notifierShape,
  api_key: str.optional(),
  api_key_file: str.optional(),
  api_url: str.optional(),
  message: str.optional(),
  description: str.optional(),
  source: str.optional(),
  details: strMap.optional(),
  entity: str.optional(),
  responders: list(obj({ id: str.optional(), name: str.optional(), username: str.optional(), type: str.optional() })).optional(),
  actions: str.optional(),
  tags: str.optional(),
  note: str.optional(),
  priority: str.optional(),
  update_alerts: bool.optional(),
});

const msteamsSchema = obj({
  ...notifierShape,
  webhook_url: str.optional(),
  webhook_url_file: str.optional(),
  title: str.optional(),
  summary: str.optional(),
  text: str.optional(),
});

const discordSchema = obj({
  ...notifierShape,
  webhook_url: str.optional(),
  webhook_url_file: str.optional(),
  content: str.optional(),
  title: str.optional(),
  message: str.optional(),
  username: str.optional(),
  avatar_url: str.optional(),
});

const telegramSchema = obj({
  ...notifierShape,
  api_url: str.optional(),
  bot_token: str.optional(),
  bot_token_file: str.optional(),
  chat_id: int.optional(),
  chat_id_file: str.optional(),
  message_thread_id: int.optional(),
  message: str.optional(),
  disable_notifications: bool.optional(),
  parse_mode: str.optional(),
});

/** Integrations Alertmanager has and Vigil does not deliver to yet: refused with a clear message. */
export const UNSUPPORTED_INTEGRATIONS = [
  'victorops_configs',
  'pushover_configs',
  'sns_configs',
  'wechat_configs',
  'webex_configs',
  'msteamsv2_configs',
  'jira_configs',
  'rocketchat_configs',
  'mattermost_configs',
  'incidentio_configs',
] as const;

const receiverSchema = obj({
  name: str.optional(),
  webhook_configs: list(webhookSchema).optional(),
  email_configs: list(emailSchema).optional(),
  slack_configs: list(slackSchema).optional(),
  pagerduty_configs: list(pagerdutySchema).optional(),
  opsgenie_configs: list(opsgenieSchema).optional(),
  msteams_configs: list(msteamsSchema).optional(),
  discord_configs: list(discordSchema).optional(),
  telegram_configs: list(telegramSchema).optional(),
  ...Object.fromEntries(UNSUPPORTED_INTEGRATIONS.map((key) => [key, anything.optional()])),
});

const routeShape = {
  receiver: str.optional(),
  group_by: strList.optional(),
  match: strMap.optional(),
  match_re: strMap.optional(),
  matchers: strList.optional(),
  mute_time_intervals: strList.optional(),
  active_time_intervals: strList.optional(),
  continue: bool.optional(),
  group_wait: duration.optional(),
  group_interval: duration.optional(),
  repeat_interval: duration.optional(),
};

export interface RawRoute {
  receiver?: string;
  group_by?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  matchers?: string[];
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  continue?: boolean;
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  routes?: RawRoute[];
}

const routeSchema: z.ZodType<RawRoute> = z.lazy(() => obj({ ...routeShape, routes: list(routeSchema).optional() })) as unknown as z.ZodType<RawRoute>;

const inhibitRuleSchema = obj({
  source_match: strMap.optional(),
  source_match_re: strMap.optional(),
  source_matchers: strList.optional(),
  target_match: strMap.optional(),
  target_match_re: strMap.optional(),
  target_matchers: strList.optional(),
  equal: strList.optional(),
});

const timeIntervalSchema = obj({
  times: list(obj({ start_time: str.optional(), end_time: str.optional() })).optional(),
  weekdays: strList.optional(),
  days_of_month: strList.optional(),
  months: strList.optional(),
  years: strList.optional(),
  location: str.optional(),
});

const namedTimeIntervalSchema = obj({
  name: str.optional(),
  time_intervals: list(timeIntervalSchema).optional(),
});

/** Globals of integrations Vigil does not deliver to: valid in Alertmanager, kept as written. */
export const OTHER_GLOBALS = [
  'wechat_api_url',
  'wechat_api_secret',
  'wechat_api_secret_file',
  'wechat_api_corp_id',
  'victorops_api_url',
  'victorops_api_key',
  'victorops_api_key_file',
  'webex_api_url',
  'jira_api_url',
  'rocketchat_api_url',
  'rocketchat_token',
  'rocketchat_token_file',
  'rocketchat_token_id',
  'rocketchat_token_id_file',
  'mattermost_webhook_url',
  'mattermost_webhook_url_file',
] as const;

const globalSchema = obj({
  resolve_timeout: duration.optional(),
  http_config: httpConfig.optional(),
  smtp_from: str.optional(),
  smtp_hello: str.optional(),
  smtp_smarthost: str.optional(),
  smtp_auth_username: str.optional(),
  smtp_auth_password: str.optional(),
  smtp_auth_password_file: str.optional(),
  smtp_auth_secret: str.optional(),
  smtp_auth_secret_file: str.optional(),
  smtp_auth_identity: str.optional(),
  smtp_require_tls: bool.optional(),
  smtp_tls_config: tlsSchema.optional(),
  smtp_force_implicit_tls: bool.optional(),
  slack_api_url: str.optional(),
  slack_api_url_file: str.optional(),
  slack_app_token: str.optional(),
  slack_app_token_file: str.optional(),
  slack_app_url: str.optional(),
  pagerduty_url: str.optional(),
  opsgenie_api_url: str.optional(),
  opsgenie_api_key: str.optional(),
  opsgenie_api_key_file: str.optional(),
  telegram_api_url: str.optional(),
  telegram_bot_token: str.optional(),
  telegram_bot_token_file: str.optional(),
  ...Object.fromEntries(OTHER_GLOBALS.map((key) => [key, str.optional()])),
});

export const alertmanagerConfigSchema = obj({
  global: globalSchema.optional(),
  route: routeSchema.optional(),
  inhibit_rules: list(inhibitRuleSchema).optional(),
  receivers: list(receiverSchema).optional(),
  templates: strList.optional(),
  mute_time_intervals: list(namedTimeIntervalSchema).optional(),
  time_intervals: list(namedTimeIntervalSchema).optional(),
  tracing: anything.optional(),
  event_recorder: anything.optional(),
});

export type RawAlertmanagerConfig = z.output<typeof alertmanagerConfigSchema>;
export type RawGlobal = NonNullable<RawAlertmanagerConfig['global']>;
export type RawReceiver = NonNullable<RawAlertmanagerConfig['receivers']>[number];
export type RawHttpConfig = z.output<typeof httpConfig>;
export type RawInhibitRule = NonNullable<RawAlertmanagerConfig['inhibit_rules']>[number];
export type RawNamedTimeInterval = NonNullable<RawAlertmanagerConfig['time_intervals']>[number];
