/**
 * Raw (schema-checked) alertmanager.yml → AlertmanagerConfig: Alertmanager's defaults, `global`
 * values inherited by the integrations that leave them unset, and the cross-field rules of its
 * UnmarshalYAML methods. Every failure is reported against a YAML path so the caller can name
 * file:line:col; messages are Alertmanager's (0.25's wording where later versions reworded them).
 */
import { resolve } from 'node:path';
import type { Reporter } from '../../config/build.ts';
import { buildHttp as buildCommonHttp, joinDir } from '../../config/build.ts';
import type { HttpClientConfig, TlsConfig } from '../../config/index.ts';
import type { RawHttp } from '../../config/build.ts';
import type { Path } from '../../config/yaml.ts';
import { isValidLabelName } from '../../model/index.ts';
import { Matcher, matchersFromMatchMap, matchersFromMatchRegexMap, parseMatchers } from '../matchers/index.ts';
import type { TimeInterval } from '../timeintervals/index.ts';
import { TimeIntervalError, parseTimeInterval } from '../timeintervals/index.ts';
import type { RawAlertmanagerConfig, RawGlobal, RawHttpConfig, RawInhibitRule, RawNamedTimeInterval, RawReceiver, RawRoute } from './schema.ts';
import { OTHER_GLOBALS, UNSUPPORTED_INTEGRATIONS } from './schema.ts';
import type {
  AlertmanagerConfig,
  AlertmanagerGlobalConfig,
  DiscordConfig,
  EmailConfig,
  InhibitRuleConfig,
  MsteamsConfig,
  OpsgenieConfig,
  PagerdutyConfig,
  ReceiverConfig,
  RouteConfig,
  SlackConfig,
  TelegramConfig,
  WebhookConfig,
} from './types.ts';

export interface AlertmanagerBuildContext {
  /** The config file's directory: `templates` and `http_config` files are relative to it. */
  dir: string;
  reporter: Reporter;
}

const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
const DEFAULT_OPSGENIE_API_URL = 'https://api.opsgenie.com/';
const DEFAULT_TELEGRAM_API_URL = 'https://api.telegram.org';
const DEFAULT_EMAIL_SUBJECT = '{{ template "email.default.subject" . }}';

/** Alertmanager's DefaultPagerdutyDetails (current versions: the alerts as JSON). */
export const DEFAULT_PAGERDUTY_DETAILS: Readonly<Record<string, string>> = {
  firing: '{{ .Alerts.Firing | toJson }}',
  resolved: '{{ .Alerts.Resolved | toJson }}',
  num_firing: '{{ .Alerts.Firing | len }}',
  num_resolved: '{{ .Alerts.Resolved | len }}',
};

// ---- scalar checks ----

/** Alertmanager's parseURL: Go's url.Parse, then an http(s) scheme and a host are required. */
function checkUrl(text: string, path: Path, r: Reporter): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      r.error(path, `parse ${JSON.stringify(text)}: net/url: invalid control character in URL`);
      return text;
    }
  }
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
  const scheme = schemeMatch === null ? '' : schemeMatch[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    r.error(path, `unsupported scheme ${JSON.stringify(scheme)} for URL`);
    return text;
  }
  const rest = text.slice(schemeMatch?.[0].length ?? 0);
  const authority = rest.startsWith('//') ? (/^\/\/([^/?#]*)/.exec(rest)?.[1] ?? '') : '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host === '') r.error(path, 'missing host for URL');
  return text;
}

/** A SecretURL: `<secret>` (a redacted config read back) is accepted as is. */
function checkSecretUrl(text: string, path: Path, r: Reporter): string {
  return text === '<secret>' ? text : checkUrl(text, path, r);
}

/** HostPort: Go's net.SplitHostPort, and the port may not be empty. */
function checkHostPort(text: string, path: Path, r: Reporter): string {
  if (text === '') return text;
  const fail = (reason: string) => r.error(path, `address ${text}: ${reason}`);
  let port: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return (fail('missing \']\' in address'), text);
    if (end + 1 === text.length) return (fail('missing port in address'), text);
    if (text[end + 1] !== ':') return (fail('missing port in address'), text);
    port = text.slice(end + 2);
    if (port.includes(':')) return (fail('too many colons in address'), text);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return (fail('missing port in address'), text);
    if (text.slice(0, colon).includes(':')) return (fail('too many colons in address'), text);
    port = text.slice(colon + 1);
  }
  if (port === '') r.error(path, `address ${JSON.stringify(text)}: port cannot be empty`);
  return text;
}

/** textproto.CanonicalMIMEHeaderKey for ASCII header names. */
function canonicalHeader(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split('-')
    .map((part) => (part === '' ? part : part[0].toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
}

function absolute(file: string | undefined): string | undefined {
  // Alertmanager opens secret files relative to its working directory, not the config file.
  return file === undefined || file === '' ? undefined : resolve(file);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

// ---- http_config ----

/** prometheus/common's HTTPClientConfig, resolved by the same builder as prometheus.yml's. */
function buildHttp(raw: RawHttpConfig, path: Path, ctx: AlertmanagerBuildContext): HttpClientConfig {
  return buildCommonHttp(raw as RawHttp, path, ctx.dir, ctx.reporter, { followRedirects: true, enableHttp2: true });
}

function buildTls(raw: RawHttpConfig['tls_config'], path: Path, ctx: AlertmanagerBuildContext): TlsConfig {
  return buildHttp({ tls_config: raw } as RawHttpConfig, path.slice(0, -1), ctx).tlsConfig;
}

// ---- global ----

function buildGlobal(raw: RawGlobal | undefined, ctx: AlertmanagerBuildContext): AlertmanagerGlobalConfig {
  const r = ctx.reporter;
  const g = raw ?? {};
  const path = ['global'];
  const at = (key: string): Path => [...path, key];
  const both = (a: string | undefined, b: string | undefined) => nonEmpty(a) !== undefined && nonEmpty(b) !== undefined;
  if (g.slack_api_url !== undefined && nonEmpty(g.slack_api_url_file) !== undefined) r.error(path, 'at most one of slack_api_url & slack_api_url_file must be configured');
  if (both(g.slack_app_token, g.slack_app_token_file)) r.error(path, 'at most one of slack_app_token & slack_app_token_file must be configured');
  if (both(g.opsgenie_api_key, g.opsgenie_api_key_file)) r.error(path, 'at most one of opsgenie_api_key & opsgenie_api_key_file must be configured');
  if (both((g as Record<string, string | undefined>).victorops_api_key, (g as Record<string, string | undefined>).victorops_api_key_file)) {
    r.error(path, 'at most one of victorops_api_key & victorops_api_key_file must be configured');
  }
  if (both(g.telegram_bot_token, g.telegram_bot_token_file)) r.error(path, 'at most one of telegram_bot_token & telegram_bot_token_file must be configured');
  if (both(g.smtp_auth_password, g.smtp_auth_password_file)) r.error(path, 'at most one of smtp_auth_password & smtp_auth_password_file must be configured');
  if (both(g.smtp_auth_secret, g.smtp_auth_secret_file)) r.error(path, 'at most one of smtp_auth_secret & smtp_auth_secret_file must be configured');
  const other: Record<string, unknown> = {};
  for (const key of OTHER_GLOBALS) if ((g as Record<string, unknown>)[key] !== undefined) other[key] = (g as Record<string, unknown>)[key];
  const out: AlertmanagerGlobalConfig = {
    resolveTimeoutMs: g.resolve_timeout ?? 300_000,
    httpConfig: buildHttp(g.http_config ?? {}, at('http_config'), ctx),
    smtpFrom: g.smtp_from ?? '',
    smtpHello: g.smtp_hello ?? 'localhost',
    smtpSmarthost: checkHostPort(g.smtp_smarthost ?? '', at('smtp_smarthost'), r),
    smtpAuthUsername: g.smtp_auth_username ?? '',
    smtpAuthPassword: g.smtp_auth_password ?? '',
    smtpAuthSecret: g.smtp_auth_secret ?? '',
    smtpAuthIdentity: g.smtp_auth_identity ?? '',
    smtpRequireTls: g.smtp_require_tls ?? true,
    pagerdutyUrl: checkUrl(g.pagerduty_url ?? DEFAULT_PAGERDUTY_URL, at('pagerduty_url'), r),
    opsgenieApiUrl: checkUrl(g.opsgenie_api_url ?? DEFAULT_OPSGENIE_API_URL, at('opsgenie_api_url'), r),
    telegramApiUrl: checkUrl(g.telegram_api_url ?? DEFAULT_TELEGRAM_API_URL, at('telegram_api_url'), r),
    other,
  };
  const set = <K extends keyof AlertmanagerGlobalConfig>(key: K, value: AlertmanagerGlobalConfig[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('smtpAuthPasswordFile', absolute(g.smtp_auth_password_file));
  set('smtpAuthSecretFile', absolute(g.smtp_auth_secret_file));
  if (g.smtp_tls_config !== undefined) set('smtpTlsConfig', buildTls(g.smtp_tls_config, at('smtp_tls_config'), ctx));
  if (g.smtp_force_implicit_tls !== undefined) set('smtpForceImplicitTls', g.smtp_force_implicit_tls);
  if (g.slack_api_url !== undefined) set('slackApiUrl', checkSecretUrl(g.slack_api_url, at('slack_api_url'), r));
  set('slackApiUrlFile', absolute(g.slack_api_url_file));
  set('slackAppToken', nonEmpty(g.slack_app_token));
  set('slackAppTokenFile', absolute(g.slack_app_token_file));
  if (g.slack_app_url !== undefined) set('slackAppUrl', checkUrl(g.slack_app_url, at('slack_app_url'), r));
  set('opsgenieApiKey', nonEmpty(g.opsgenie_api_key));
  set('opsgenieApiKeyFile', absolute(g.opsgenie_api_key_file));
  set('telegramBotToken', nonEmpty(g.telegram_bot_token));
  set('telegramBotTokenFile', absolute(g.telegram_bot_token_file));
  return out;
}

// ---- integrations ----

function httpOf(raw: { http_config?: RawHttpConfig }, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): HttpClientConfig {
  return raw.http_config === undefined ? global.httpConfig : buildHttp(raw.http_config, [...path, 'http_config'], ctx);
}

type RawOf<K extends keyof RawReceiver> = NonNullable<RawReceiver[K]>[number];

function buildWebhook(raw: RawOf<'webhook_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): WebhookConfig {
  const r = ctx.reporter;
  const url = nonEmpty(raw.url);
  const urlFile = nonEmpty(raw.url_file);
  if (url === undefined && urlFile === undefined) r.error(path, 'one of url or url_file must be configured');
  if (url !== undefined && urlFile !== undefined) r.error(path, 'at most one of url & url_file must be configured');
  // Current Alertmanager allows a template in the URL; only a URL without one can be checked now.
  if (url !== undefined && !url.includes('{{')) checkSecretUrl(url, [...path, 'url'], r);
  const out: WebhookConfig = {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    maxAlerts: raw.max_alerts ?? 0,
    timeoutMs: raw.timeout ?? 0,
  };
  if (url !== undefined) out.url = url;
  if (urlFile !== undefined) out.urlFile = absolute(urlFile);
  return out;
}

function buildEmail(raw: RawOf<'email_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): EmailConfig {
  const r = ctx.reporter;
  const to = raw.to ?? '';
  if (to === '') r.error(path, 'missing to address in email config');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    const canonical = canonicalHeader(name);
    if (Object.hasOwn(headers, canonical)) r.error([...path, 'headers', name], `duplicate header ${JSON.stringify(canonical)} in email config`, true);
    headers[canonical] = value;
  }
  const threading = { enabled: raw.threading?.enabled ?? false, threadByDate: raw.threading?.thread_by_date ?? '' };
  if (threading.enabled) {
    if (Object.hasOwn(headers, 'References')) r.error(path, 'conflicting configuration: threading.enabled conflicts with custom References header');
    if (Object.hasOwn(headers, 'In-Reply-To')) r.error(path, 'conflicting configuration: threading.enabled conflicts with custom In-Reply-To header');
    if (threading.threadByDate !== 'none' && threading.threadByDate !== 'daily') r.error([...path, 'threading'], "threading.thread_by_date must be either 'none' or 'daily'");
  }
  let smarthost = checkHostPort(raw.smarthost ?? '', [...path, 'smarthost'], r);
  if (smarthost === '') {
    if (global.smtpSmarthost === '') r.error(path, 'no global SMTP smarthost set');
    smarthost = global.smtpSmarthost;
  }
  let from = raw.from ?? '';
  if (from === '') {
    if (global.smtpFrom === '') r.error(path, 'no global SMTP from set');
    from = global.smtpFrom;
  }
  if (nonEmpty(raw.auth_password) !== undefined && nonEmpty(raw.auth_password_file) !== undefined) {
    r.error(path, 'at most one of auth_password & auth_password_file must be configured');
  }
  const ownPassword = nonEmpty(raw.auth_password) !== undefined || nonEmpty(raw.auth_password_file) !== undefined;
  const ownSecret = nonEmpty(raw.auth_secret) !== undefined || nonEmpty(raw.auth_secret_file) !== undefined;
  // The notifier's defaults for the headers (Alertmanager's email.New).
  if (!Object.hasOwn(headers, 'Subject')) headers.Subject = DEFAULT_EMAIL_SUBJECT;
  if (!Object.hasOwn(headers, 'To')) headers.To = to;
  if (!Object.hasOwn(headers, 'From')) headers.From = from;
  const out: EmailConfig = {
    sendResolved: raw.send_resolved ?? false,
    to,
    from,
    hello: nonEmpty(raw.hello) ?? global.smtpHello,
    smarthost,
    authUsername: nonEmpty(raw.auth_username) ?? global.smtpAuthUsername,
    authPassword: ownPassword ? (raw.auth_password ?? '') : global.smtpAuthPassword,
    authSecret: ownSecret ? (raw.auth_secret ?? '') : global.smtpAuthSecret,
    authIdentity: nonEmpty(raw.auth_identity) ?? global.smtpAuthIdentity,
    headers,
    html: raw.html ?? '{{ template "email.default.html" . }}',
    text: raw.text ?? '',
    requireTls: raw.require_tls ?? global.smtpRequireTls,
    tlsConfig: raw.tls_config !== undefined ? buildTls(raw.tls_config, [...path, 'tls_config'], ctx) : (global.smtpTlsConfig ?? { insecureSkipVerify: false }),
    threading,
  };
  const passwordFile = ownPassword ? absolute(raw.auth_password_file) : global.smtpAuthPasswordFile;
  if (passwordFile !== undefined) out.authPasswordFile = passwordFile;
  const secretFile = ownSecret ? absolute(raw.auth_secret_file) : global.smtpAuthSecretFile;
  if (secretFile !== undefined) out.authSecretFile = secretFile;
  const implicitTls = raw.force_implicit_tls ?? global.smtpForceImplicitTls;
  if (implicitTls !== undefined) out.forceImplicitTls = implicitTls;
  return out;
}

function buildSlack(raw: RawOf<'slack_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): SlackConfig {
  const r = ctx.reporter;
  const apiUrlFile = nonEmpty(raw.api_url_file);
  const appToken = nonEmpty(raw.app_token);
  const appTokenFile = nonEmpty(raw.app_token_file);
  if (raw.api_url !== undefined && apiUrlFile !== undefined) r.error(path, 'at most one of api_url & api_url_file must be configured');
  if (appToken !== undefined && appTokenFile !== undefined) r.error(path, 'at most one of app_token & app_token_file must be configured');
  if ((raw.api_url !== undefined || apiUrlFile !== undefined) && (appToken !== undefined || appTokenFile !== undefined)) {
    r.error(path, 'at most one of api_url/api_url_file & app_token/app_token_file must be configured');
  }
  const fields = (raw.fields ?? []).map((field, i) => {
    if (!field.title) r.error([...path, 'fields', i], 'missing title in Slack field configuration');
    if (!field.value) r.error([...path, 'fields', i], 'missing value in Slack field configuration');
    const out: SlackConfig['fields'][number] = { title: field.title ?? '', value: field.value ?? '' };
    if (field.short !== undefined) out.short = field.short;
    return out;
  });
  const actions = (raw.actions ?? []).map((action, i) => {
    const p = [...path, 'actions', i];
    if (!action.type) r.error(p, 'missing type in Slack action configuration');
    if (!action.text) r.error(p, 'missing text in Slack action configuration');
    if (!action.url && !action.name) r.error(p, 'missing name or url in Slack action configuration');
    const out: SlackConfig['actions'][number] = {
      type: action.type ?? '',
      text: action.text ?? '',
      url: action.url ?? '',
      style: action.style ?? '',
      name: action.name ?? '',
      value: action.value ?? '',
    };
    if (action.confirm !== undefined) {
      if (!action.confirm.text) r.error([...p, 'confirm'], 'missing text in Slack confirmation configuration');
      out.confirm = {
        text: action.confirm.text ?? '',
        title: action.confirm.title ?? '',
        okText: action.confirm.ok_text ?? '',
        dismissText: action.confirm.dismiss_text ?? '',
      };
    }
    return out;
  });
  const out: SlackConfig = {
    sendResolved: raw.send_resolved ?? false,
    httpConfig: httpOf(raw, path, global, ctx),
    channel: raw.channel ?? '',
    username: raw.username ?? '{{ template "slack.default.username" . }}',
    color: raw.color ?? '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
    title: raw.title ?? '{{ template "slack.default.title" . }}',
    titleLink: raw.title_link ?? '{{ template "slack.default.titlelink" . }}',
    pretext: raw.pretext ?? '{{ template "slack.default.pretext" . }}',
    text: raw.text ?? '{{ template "slack.default.text" . }}',
    messageText: raw.message_text ?? '',
    fields,
    shortFields: raw.short_fields ?? false,
    footer: raw.footer ?? '{{ template "slack.default.footer" . }}',
    fallback: raw.fallback ?? '{{ template "slack.default.fallback" . }}',
    callbackId: raw.callback_id ?? '{{ template "slack.default.callbackid" . }}',
    iconEmoji: raw.icon_emoji ?? '{{ template "slack.default.iconemoji" . }}',
    iconUrl: raw.icon_url ?? '{{ template "slack.default.iconurl" . }}',
    imageUrl: raw.image_url ?? '',
    thumbUrl: raw.thumb_url ?? '',
    linkNames: raw.link_names ?? false,
    mrkdwnIn: raw.mrkdwn_in ?? [],
    actions,
    updateMessage: raw.update_message ?? false,
    timeoutMs: raw.timeout ?? 0,
  };
  if (raw.api_url !== undefined) out.apiUrl = checkSecretUrl(raw.api_url, [...path, 'api_url'], r);
  if (apiUrlFile !== undefined) out.apiUrlFile = absolute(apiUrlFile);
  if (appToken !== undefined) out.appToken = appToken;
  if (appTokenFile !== undefined) out.appTokenFile = absolute(appTokenFile);
  if (raw.app_url !== undefined) out.appUrl = checkUrl(raw.app_url, [...path, 'app_url'], r);
  const usesAppToken = out.appToken !== undefined || out.appTokenFile !== undefined;
  if (!usesAppToken && out.apiUrl === undefined && out.apiUrlFile === undefined) {
    if (global.slackAppToken !== undefined || global.slackAppTokenFile !== undefined) {
      if (global.slackAppToken !== undefined) out.appToken = global.slackAppToken;
      if (global.slackAppTokenFile !== undefined) out.appTokenFile = global.slackAppTokenFile;
    } else if (global.slackApiUrl !== undefined || global.slackApiUrlFile !== undefined) {
      if (global.slackApiUrl !== undefined) out.apiUrl = global.slackApiUrl;
      if (global.slackApiUrlFile !== undefined) out.apiUrlFile = global.slackApiUrlFile;
    } else {
      r.error(path, 'no global Slack API URL set either inline or in a file');
    }
  }
  if (out.appToken !== undefined || out.appTokenFile !== undefined) {
    out.appUrl ??= global.slackAppUrl ?? 'https://slack.com/api/chat.postMessage';
  }
  if (out.updateMessage && out.apiUrl !== 'https://slack.com/api/chat.postMessage' && out.appUrl !== 'https://slack.com/api/chat.postMessage') {
    r.error(path, 'update_message can only be used with bot tokens. api_url must be set to https://slack.com/api/chat.postMessage');
  }
  return out;
}

function buildPagerduty(raw: RawOf<'pagerduty_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): PagerdutyConfig {
  const r = ctx.reporter;
  const serviceKey = nonEmpty(raw.service_key);
  const serviceKeyFile = nonEmpty(raw.service_key_file);
  const routingKey = nonEmpty(raw.routing_key);
  const routingKeyFile = nonEmpty(raw.routing_key_file);
  if (serviceKey === undefined && serviceKeyFile === undefined && routingKey === undefined && routingKeyFile === undefined) {
    r.error(path, 'missing service or routing key in PagerDuty config');
  }
  if (routingKey !== undefined && routingKeyFile !== undefined) r.error(path, 'at most one of routing_key & routing_key_file must be configured');
  if (serviceKey !== undefined && serviceKeyFile !== undefined) r.error(path, 'at most one of service_key & service_key_file must be configured');
  const details: Record<string, unknown> = { ...raw.details };
  for (const [key, value] of Object.entries(DEFAULT_PAGERDUTY_DETAILS)) if (!Object.hasOwn(details, key)) details[key] = value;
  const client = raw.client ?? '{{ template "pagerduty.default.client" . }}';
  const out: PagerdutyConfig = {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    url: raw.url !== undefined ? checkUrl(raw.url, [...path, 'url'], r) : global.pagerdutyUrl,
    client,
    clientUrl: raw.client_url ?? '{{ template "pagerduty.default.clientURL" . }}',
    description: raw.description ?? '{{ template "pagerduty.default.description" .}}',
    details,
    images: (raw.images ?? []).map((image) => ({ src: image.src ?? '', alt: image.alt ?? '', href: image.href ?? '' })),
    links: (raw.links ?? []).map((link) => ({ href: link.href ?? '', text: link.text ?? '' })),
    source: nonEmpty(raw.source) ?? client,
    severity: raw.severity ?? '',
    class: raw.class ?? '',
    component: raw.component ?? '',
    group: raw.group ?? '',
    timeoutMs: raw.timeout ?? 0,
  };
  if (serviceKey !== undefined) out.serviceKey = serviceKey;
  if (serviceKeyFile !== undefined) out.serviceKeyFile = absolute(serviceKeyFile);
  if (routingKey !== undefined) out.routingKey = routingKey;
  if (routingKeyFile !== undefined) out.routingKeyFile = absolute(routingKeyFile);
  return out;
}

const OPSGENIE_TYPES = /^(team|teams|user|escalation|schedule)$/;

function buildOpsgenie(raw: RawOf<'opsgenie_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): OpsgenieConfig {
  const r = ctx.reporter;
  const apiKey = nonEmpty(raw.api_key);
  const apiKeyFile = nonEmpty(raw.api_key_file);
  if (apiKey !== undefined && apiKeyFile !== undefined) r.error(path, 'at most one of api_key & api_key_file must be configured');
  const responders = (raw.responders ?? []).map((responder, i) => {
    const p = [...path, 'responders', i];
    const out = { id: responder.id ?? '', name: responder.name ?? '', username: responder.username ?? '', type: responder.type ?? '' };
    const shown = `{${out.id} ${out.name} ${out.username} ${out.type}}`;
    if (out.id === '' && out.username === '' && out.name === '') r.error(p, `opsGenieConfig responder ${shown} has to have at least one of id, username or name specified`);
    if (!out.type.includes('{{')) {
      out.type = out.type.toLowerCase();
      if (!OPSGENIE_TYPES.test(out.type)) r.error([...p, 'type'], `opsGenieConfig responder ${shown} type does not match valid options team|teams|user|escalation|schedule`);
    }
    return out;
  });
  let apiUrl = raw.api_url !== undefined ? checkUrl(raw.api_url, [...path, 'api_url'], r) : global.opsgenieApiUrl;
  if (!apiUrl.endsWith('/')) apiUrl += '/';
  const out: OpsgenieConfig = {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    apiUrl,
    message: raw.message ?? '{{ template "opsgenie.default.message" . }}',
    description: raw.description ?? '{{ template "opsgenie.default.description" . }}',
    source: raw.source ?? '{{ template "opsgenie.default.source" . }}',
    details: raw.details ?? {},
    entity: raw.entity ?? '',
    responders,
    actions: raw.actions ?? '',
    tags: raw.tags ?? '',
    note: raw.note ?? '',
    priority: raw.priority ?? '',
    updateAlerts: raw.update_alerts ?? false,
  };
  if (apiKey !== undefined || apiKeyFile !== undefined) {
    if (apiKey !== undefined) out.apiKey = apiKey;
    if (apiKeyFile !== undefined) out.apiKeyFile = absolute(apiKeyFile);
  } else if (global.opsgenieApiKey !== undefined || global.opsgenieApiKeyFile !== undefined) {
    if (global.opsgenieApiKey !== undefined) out.apiKey = global.opsgenieApiKey;
    if (global.opsgenieApiKeyFile !== undefined) out.apiKeyFile = global.opsgenieApiKeyFile;
  } else {
    r.error(path, 'no global OpsGenie API Key set either inline or in a file');
  }
  return out;
}

function webhookUrlPair(raw: { webhook_url?: string; webhook_url_file?: string }, path: Path, r: Reporter): { webhookUrl?: string; webhookUrlFile?: string } {
  const url = raw.webhook_url;
  const file = nonEmpty(raw.webhook_url_file);
  if (url === undefined && file === undefined) r.error(path, 'one of webhook_url or webhook_url_file must be configured');
  if (url !== undefined && file !== undefined) r.error(path, 'at most one of webhook_url & webhook_url_file must be configured');
  const out: { webhookUrl?: string; webhookUrlFile?: string } = {};
  if (url !== undefined) out.webhookUrl = checkSecretUrl(url, [...path, 'webhook_url'], r);
  if (file !== undefined) out.webhookUrlFile = absolute(file);
  return out;
}

function buildMsteams(raw: RawOf<'msteams_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): MsteamsConfig {
  return {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    ...webhookUrlPair(raw, path, ctx.reporter),
    title: raw.title ?? '{{ template "msteams.default.title" . }}',
    summary: raw.summary ?? '{{ template "msteams.default.summary" . }}',
    text: raw.text ?? '{{ template "msteams.default.text" . }}',
  };
}

function buildDiscord(raw: RawOf<'discord_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): DiscordConfig {
  return {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    ...webhookUrlPair(raw, path, ctx.reporter),
    content: raw.content ?? '',
    title: raw.title ?? '{{ template "discord.default.title" . }}',
    message: raw.message ?? '{{ template "discord.default.message" . }}',
    username: raw.username ?? '',
    avatarUrl: raw.avatar_url ?? '',
  };
}

function buildTelegram(raw: RawOf<'telegram_configs'>, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): TelegramConfig {
  const r = ctx.reporter;
  const botToken = nonEmpty(raw.bot_token);
  const botTokenFile = nonEmpty(raw.bot_token_file);
  const chatId = raw.chat_id ?? 0;
  const chatIdFile = nonEmpty(raw.chat_id_file);
  if (botToken !== undefined && botTokenFile !== undefined) r.error(path, 'at most one of bot_token & bot_token_file must be configured');
  if (chatId === 0 && chatIdFile === undefined) r.error(path, 'missing chat_id or chat_id_file on telegram_config');
  if (chatId !== 0 && chatIdFile !== undefined) r.error(path, 'at most one of chat_id & chat_id_file must be configured');
  const parseMode = raw.parse_mode ?? 'HTML';
  if (!['', 'Markdown', 'MarkdownV2', 'HTML'].includes(parseMode)) {
    r.error([...path, 'parse_mode'], 'unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string');
  }
  const out: TelegramConfig = {
    sendResolved: raw.send_resolved ?? true,
    httpConfig: httpOf(raw, path, global, ctx),
    apiUrl: raw.api_url !== undefined ? checkUrl(raw.api_url, [...path, 'api_url'], r) : global.telegramApiUrl,
    chatId,
    messageThreadId: raw.message_thread_id ?? 0,
    message: raw.message ?? '{{ template "telegram.default.message" . }}',
    disableNotifications: raw.disable_notifications ?? false,
    parseMode,
  };
  if (chatIdFile !== undefined) out.chatIdFile = absolute(chatIdFile);
  if (botToken !== undefined || botTokenFile !== undefined) {
    if (botToken !== undefined) out.botToken = botToken;
    if (botTokenFile !== undefined) out.botTokenFile = absolute(botTokenFile);
  } else if (global.telegramBotToken !== undefined || global.telegramBotTokenFile !== undefined) {
    if (global.telegramBotToken !== undefined) out.botToken = global.telegramBotToken;
    if (global.telegramBotTokenFile !== undefined) out.botTokenFile = global.telegramBotTokenFile;
  } else {
    r.error(path, 'missing bot_token or bot_token_file on telegram_config');
  }
  return out;
}

function buildReceiver(raw: RawReceiver, path: Path, global: AlertmanagerGlobalConfig, ctx: AlertmanagerBuildContext): ReceiverConfig {
  const r = ctx.reporter;
  if (!raw.name) r.error(path, 'missing name in receiver');
  for (const key of UNSUPPORTED_INTEGRATIONS) {
    if ((raw as Record<string, unknown>)[key] !== undefined) r.error([...path, key], `${key} is not supported by Vigil yet`, true);
  }
  const each = <R, O>(key: keyof RawReceiver, items: R[] | undefined, build: (item: R, p: Path, g: AlertmanagerGlobalConfig, c: AlertmanagerBuildContext) => O): O[] =>
    (items ?? []).map((item, i) => {
      const p = [...path, key, i];
      if (item === null || item === undefined) {
        r.error(p, `missing ${String(key).replace(/_configs$/, '')} config`);
        return build({} as R, p, global, ctx);
      }
      return build(item, p, global, ctx);
    });
  return {
    name: raw.name ?? '',
    webhookConfigs: each('webhook_configs', raw.webhook_configs, buildWebhook),
    emailConfigs: each('email_configs', raw.email_configs, buildEmail),
    slackConfigs: each('slack_configs', raw.slack_configs, buildSlack),
    pagerdutyConfigs: each('pagerduty_configs', raw.pagerduty_configs, buildPagerduty),
    opsgenieConfigs: each('opsgenie_configs', raw.opsgenie_configs, buildOpsgenie),
    msteamsConfigs: each('msteams_configs', raw.msteams_configs, buildMsteams),
    discordConfigs: each('discord_configs', raw.discord_configs, buildDiscord),
    telegramConfigs: each('telegram_configs', raw.telegram_configs, buildTelegram),
  };
}

// ---- routes, inhibit rules, time intervals ----

/** `match`, `match_re` and `matchers` of a route or one side of an inhibit rule, converted. */
function buildMatchers(
  match: Record<string, string> | undefined,
  matchRegex: Record<string, string> | undefined,
  matcherStrings: string[] | undefined,
  path: Path,
  keys: { match: string; matchRegex: string; matchers: string },
  r: Reporter,
): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(match ?? {})) {
    if (!isValidLabelName(name)) r.error([...path, keys.match, name], `invalid label name ${JSON.stringify(name)}`, true);
    else out.push(...matchersFromMatchMap({ [name]: value }));
  }
  for (const [name, value] of Object.entries(matchRegex ?? {})) {
    if (!isValidLabelName(name)) {
      r.error([...path, keys.matchRegex, name], `invalid label name ${JSON.stringify(name)}`, true);
      continue;
    }
    try {
      // Compiled as written first, so a bad regex is reported as Alertmanager reports it.
      new Matcher('=~', name, value);
      out.push(...matchersFromMatchRegexMap({ [name]: value }));
    } catch (error) {
      r.error([...path, keys.matchRegex, name], (error as Error).message);
    }
  }
  (matcherStrings ?? []).forEach((text, i) => {
    try {
      out.push(...parseMatchers(text));
    } catch (error) {
      r.error([...path, keys.matchers, i], (error as Error).message);
    }
  });
  return out;
}

const ROUTE_KEYS = { match: 'match', matchRegex: 'match_re', matchers: 'matchers' };

function buildRoute(raw: RawRoute, path: Path, r: Reporter): RouteConfig {
  const groupBy = raw.group_by;
  if (groupBy !== undefined) {
    const seen = new Set<string>();
    let all = false;
    groupBy.forEach((name, i) => {
      if (name === '...') {
        all = true;
        return;
      }
      if (!isValidLabelName(name)) r.error([...path, 'group_by', i], `invalid label name ${JSON.stringify(name)} in group_by list`);
      else if (seen.has(name)) r.error([...path, 'group_by', i], `duplicated label ${JSON.stringify(name)} in group_by`);
      seen.add(name);
    });
    if (all && seen.size > 0) r.error([...path, 'group_by'], 'cannot have wildcard group_by (`...`) and other other labels at the same time');
  }
  if (raw.group_interval === 0) r.error([...path, 'group_interval'], 'group_interval cannot be zero');
  if (raw.repeat_interval === 0) r.error([...path, 'repeat_interval'], 'repeat_interval cannot be zero');
  const out: RouteConfig = {
    matchers: buildMatchers(raw.match, raw.match_re, raw.matchers, path, ROUTE_KEYS, r),
    continue: raw.continue ?? false,
    muteTimeIntervals: raw.mute_time_intervals ?? [],
    activeTimeIntervals: raw.active_time_intervals ?? [],
    routes: (raw.routes ?? []).map((child, i) => buildRoute(child ?? {}, [...path, 'routes', i], r)),
  };
  if (raw.receiver !== undefined) out.receiver = raw.receiver;
  if (groupBy !== undefined) out.groupBy = groupBy;
  if (raw.group_wait !== undefined) out.groupWaitMs = raw.group_wait;
  if (raw.group_interval !== undefined) out.groupIntervalMs = raw.group_interval;
  if (raw.repeat_interval !== undefined) out.repeatIntervalMs = raw.repeat_interval;
  return out;
}

function buildInhibitRule(raw: RawInhibitRule, path: Path, r: Reporter): InhibitRuleConfig {
  const equal = raw.equal ?? [];
  equal.forEach((name, i) => {
    if (!isValidLabelName(name)) r.error([...path, 'equal', i], `${JSON.stringify(name)} is not a valid label name`);
  });
  return {
    sourceMatchers: buildMatchers(raw.source_match, raw.source_match_re, raw.source_matchers, path, { match: 'source_match', matchRegex: 'source_match_re', matchers: 'source_matchers' }, r),
    targetMatchers: buildMatchers(raw.target_match, raw.target_match_re, raw.target_matchers, path, { match: 'target_match', matchRegex: 'target_match_re', matchers: 'target_matchers' }, r),
    equal,
  };
}

function buildTimeIntervals(
  raws: RawNamedTimeInterval[] | undefined,
  key: 'mute_time_intervals' | 'time_intervals',
  into: Map<string, TimeInterval[]>,
  r: Reporter,
): void {
  (raws ?? []).forEach((raw, i) => {
    const path = [key, i];
    const name = raw?.name ?? '';
    if (name === '') {
      r.error(path, key === 'time_intervals' ? 'missing name in time interval' : 'missing name in mute time interval');
      return;
    }
    if (into.has(name)) {
      r.error([...path, 'name'], key === 'time_intervals' ? `time interval ${JSON.stringify(name)} is not unique` : `mute time interval ${JSON.stringify(name)} is not unique`);
      return;
    }
    const intervals: TimeInterval[] = [];
    (raw.time_intervals ?? []).forEach((entry, k) => {
      try {
        intervals.push(parseTimeInterval(entry ?? {}));
      } catch (error) {
        if (error instanceof TimeIntervalError) {
          const at: Path = error.index === undefined ? [...path, 'time_intervals', k, error.field] : [...path, 'time_intervals', k, error.field, error.index];
          r.error(at, error.message);
        } else {
          r.error([...path, 'time_intervals', k], (error as Error).message);
        }
      }
    });
    into.set(name, intervals);
  });
}

function checkRouteReferences(route: RouteConfig, path: Path, receivers: ReadonlySet<string>, intervals: ReadonlyMap<string, unknown>, r: Reporter): void {
  route.routes.forEach((child, i) => checkRouteReferences(child, [...path, 'routes', i], receivers, intervals, r));
  if (route.receiver !== undefined && route.receiver !== '' && !receivers.has(route.receiver)) {
    r.error([...path, 'receiver'], `undefined receiver ${JSON.stringify(route.receiver)} used in route`);
  }
  for (const key of ['active_time_intervals', 'mute_time_intervals'] as const) {
    const names = key === 'active_time_intervals' ? route.activeTimeIntervals : route.muteTimeIntervals;
    names.forEach((name, i) => {
      if (!intervals.has(name)) r.error([...path, key, i], `undefined time interval ${JSON.stringify(name)} used in route`);
    });
  }
}

export function buildAlertmanagerConfig(raw: RawAlertmanagerConfig, ctx: AlertmanagerBuildContext): AlertmanagerConfig {
  const r = ctx.reporter;
  for (const key of ['tracing', 'event_recorder'] as const) {
    if ((raw as Record<string, unknown>)[key] !== undefined) r.error([key], `${key} is not supported by Vigil yet`, true);
  }
  const global = buildGlobal(raw.global, ctx);
  const names = new Set<string>();
  const receivers = (raw.receivers ?? []).map((receiver, i) => {
    const path = ['receivers', i];
    if (receiver === null || receiver === undefined) {
      r.error(path, 'missing name in receiver');
      return buildReceiver({}, path, global, ctx);
    }
    const built = buildReceiver(receiver, path, global, ctx);
    if (names.has(built.name)) r.error([...path, 'name'], `notification config name ${JSON.stringify(built.name)} is not unique`);
    names.add(built.name);
    return built;
  });

  let route: RouteConfig = { matchers: [], continue: false, muteTimeIntervals: [], activeTimeIntervals: [], routes: [] };
  if (raw.route === undefined || raw.route === null) {
    r.error([], 'no routes provided');
  } else {
    const rawRoute = raw.route;
    route = buildRoute(rawRoute, ['route'], r);
    if (!rawRoute.receiver) r.error(['route'], 'root route must specify a default receiver');
    if (Object.keys(rawRoute.match ?? {}).length > 0 || Object.keys(rawRoute.match_re ?? {}).length > 0 || (rawRoute.matchers ?? []).length > 0) {
      r.error(['route'], 'root route must not have any matchers');
    }
    if ((rawRoute.mute_time_intervals ?? []).length > 0) r.error(['route', 'mute_time_intervals'], 'root route must not have any mute time intervals');
    if ((rawRoute.active_time_intervals ?? []).length > 0) r.error(['route', 'active_time_intervals'], 'root route must not have any active time intervals');
  }

  const timeIntervals = new Map<string, TimeInterval[]>();
  buildTimeIntervals(raw.mute_time_intervals, 'mute_time_intervals', timeIntervals, r);
  buildTimeIntervals(raw.time_intervals, 'time_intervals', timeIntervals, r);
  if (raw.route !== undefined && raw.route !== null) checkRouteReferences(route, ['route'], names, timeIntervals, r);

  return {
    global,
    route,
    inhibitRules: (raw.inhibit_rules ?? []).map((rule, i) => buildInhibitRule(rule ?? {}, ['inhibit_rules', i], r)),
    receivers,
    templates: (raw.templates ?? []).map((pattern) => joinDir(ctx.dir, pattern)),
    timeIntervals,
  };
}
