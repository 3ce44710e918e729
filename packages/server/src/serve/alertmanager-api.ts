/**
 * Alertmanager's API v2 (`/api/v2/*`), in the shapes of its OpenAPI spec, so Prometheus can send
 * alerts to Vigil and `amtool` can manage it. What the API needs from the in-process notifier is the
 * plain interface `AlertmanagerApiSource` below; the notifier facade implements it.
 */
import type { Context, Hono } from 'hono';
import { RE2JS } from 're2js';
import type { LabelSet, PostableAlert } from '../alerting/types.ts';
import type { AlertGroupApiView, AlertState as AlertingAlertState, AlertStatusView, AlertView, HistoryFilter, HistoryRecord } from '../alerting/index.ts';
import { parseMatcher } from '../alerting/matchers/index.ts';
import type { Matcher } from '../alerting/matchers/index.ts';
import { SilenceError } from '../alerting/silences/index.ts';
import type { PostableSilence, Silence, SilenceMatcher, SilenceState, Silences } from '../alerting/silences/index.ts';
import { BodyTooLargeError, readBodyLimited } from './body.ts';
import { apiCors } from './cors.ts';
import type { BuildInfo } from './status-api.ts';
import { json } from './response.ts';

/**
 * The alert, group and history shapes are the alerting area's own (one definition, read here through
 * its public face); the API's names for them stay so its clients and tests read as Alertmanager's.
 */
export type AlertState = AlertingAlertState;
export type AlertStatus = AlertStatusView;
export type { AlertView };
export type AlertGroupView = AlertGroupApiView;

/** A configured receiver. */
export interface ReceiverView {
  name: string;
  /** Receiver labels (Alertmanager ≥ 0.29 `labels:`); empty when none. */
  labels: LabelSet;
}

/** `versionInfo` in `/api/v2/status`: the same build information Prometheus's `/api/v1/status/buildinfo` gives. */
export type VersionInfo = BuildInfo;

/** A history entry (Vigil's extension): an alert transition or a delivery attempt. */
export type HistoryEntry = HistoryRecord;
/** A history query: inclusive time range, label matchers, receiver, kind, newest first up to a limit. */
export type HistoryQuery = HistoryFilter;

/** What the API needs from the notifier, as plain functions. */
export interface AlertmanagerApiSource {
  /**
   * Stores the valid alerts (defaults for startsAt/endsAt from `resolve_timeout`, empty labels removed,
   * merged with the alerts already held) and answers one message per invalid alert, in Alertmanager's
   * words; the API joins them into its 400 answer.
   */
  putAlerts(alerts: readonly PostableAlert[]): Promise<{ errors: readonly string[] }> | { errors: readonly string[] };
  /** Every alert held (resolved ones too, until collected), with its current status and receivers. */
  alerts(): Iterable<AlertView>;
  /** The aggregation groups with their alerts. */
  alertGroups(): Iterable<AlertGroupView>;
  receivers(): readonly ReceiverView[];
  /** The running config as Alertmanager's `/api/v2/status` shows it (`config.original`). */
  configText(): string;
  /** When the notifier started (ms). */
  startTime: number;
  versionInfo: VersionInfo;
  silences: Silences;
  /** The history of alert transitions and deliveries; absent when history is off. */
  history?: (query: HistoryQuery) => Promise<readonly HistoryEntry[]> | readonly HistoryEntry[];
  /** The clock for filters (resolved alerts) and silence validation; the system clock when absent. */
  now?: () => number;
}

// ---------------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------------

/** Largest request body accepted (alerts or a silence); larger ones get 413. */
export const DEFAULT_ALERTMANAGER_BODY_LIMIT = 16 << 20;

export interface AlertmanagerApiOptions {
  /** The notifier, or null when Vigil runs without `--alertmanager.config.file` (every route then answers 404). */
  source: () => AlertmanagerApiSource | null;
  maxBodyBytes?: number;
}

/** A go-swagger style error answer: `{code, message}`, used for malformed requests as Alertmanager does. */
class SwaggerError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** An answer whose body is a JSON string, as Alertmanager's handlers answer errors. */
function messageAnswer(message: string, status: number): Response {
  return json(message, status);
}

function swaggerAnswer(error: SwaggerError): Response {
  return json({ code: error.code, message: error.message }, error.status);
}

export function mountAlertmanagerApi(app: Hono, options: AlertmanagerApiOptions): void {
  const limit = options.maxBodyBytes ?? DEFAULT_ALERTMANAGER_BODY_LIMIT;
  const route = (handler: (source: AlertmanagerApiSource, c: Context) => Promise<Response> | Response) => async (c: Context) => {
    const source = options.source();
    if (source === null) return json({ status: 'error', errorType: 'not_found', error: 'the Alertmanager API is not enabled: start Vigil with --alertmanager.config.file' }, 404);
    let response: Response;
    try {
      response = await handler(source, c);
    } catch (error) {
      if (error instanceof SwaggerError) response = swaggerAnswer(error);
      else if (error instanceof BodyTooLargeError) response = swaggerAnswer(new SwaggerError(413, 413, error.message));
      else response = messageAnswer(error instanceof Error ? error.message : String(error), 500);
    }
    // Alertmanager marks every API answer uncacheable.
    response.headers.set('cache-control', 'no-store');
    return response;
  };

  // Alertmanager allows cross-origin reads and posts from any origin (rs/cors defaults), as /api/v1 does.
  app.use('/api/v2/*', apiCors());
  app.get('/api/v2/status', route((source) => json(statusBody(source))));
  app.get('/api/v2/receivers', route((source, c) => getReceivers(source, c)));
  app.get('/api/v2/alerts', route((source, c) => getAlerts(source, c)));
  app.post('/api/v2/alerts', route((source, c) => postAlerts(source, c, limit)));
  app.get('/api/v2/alerts/groups', route((source, c) => getAlertGroups(source, c)));
  app.get('/api/v2/silences', route((source, c) => getSilences(source, c)));
  app.post('/api/v2/silences', route((source, c) => postSilence(source, c, limit)));
  app.get('/api/v2/silence/:id', route((source, c) => getSilence(source, c)));
  app.delete('/api/v2/silence/:id', route((source, c) => deleteSilence(source, c)));
  app.get('/api/v2/history', route((source, c) => getHistory(source, c)));
}

function nowOf(source: AlertmanagerApiSource): number {
  return source.now?.() ?? Date.now();
}

/** Times as go-openapi's strfmt.DateTime prints them: RFC 3339 with milliseconds, in UTC. */
export function formatDateTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

/** 0001-01-01T00:00:00Z, Go's zero time.Time, in ms since the epoch. */
const GO_ZERO_TIME = -62135596800000;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a date-time as go-openapi's strfmt.ParseDateTime accepts it (RFC 3339 with or without
 * fraction and offset; no offset means UTC). Answers ms, or null when the text is not a date-time.
 */
export function parseDateTime(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  let time = date.getTime();
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
    time -= digits.startsWith('-') ? -offset : offset;
  }
  // Go's zero time (what Go clients such as amtool send for an unset time) is "unset" here too.
  return time === GO_ZERO_TIME ? 0 : time;
}

// --- status and receivers ----------------------------------------------------------------------------

function statusBody(source: AlertmanagerApiSource): unknown {
  const version = source.versionInfo;
  return {
    cluster: { peers: [], status: 'disabled' },
    config: { original: source.configText() },
    uptime: formatDateTime(source.startTime),
    versionInfo: {
      branch: version.branch,
      buildDate: version.buildDate,
      buildUser: version.buildUser,
      goVersion: version.goVersion,
      revision: version.revision,
      version: version.version,
    },
  };
}

function getReceivers(source: AlertmanagerApiSource, c: Context): Response {
  const receiverMatchers = parseFilterOrAnswer(c.req.queries('receiver_matchers'), 'failed to parse receiver_matchers param: ');
  if (receiverMatchers instanceof Response) return receiverMatchers;
  const out = [];
  for (const receiver of source.receivers()) {
    if (receiverMatchers.length > 0 && !matchFilterLabels(receiverMatchers, receiver.labels)) continue;
    out.push(receiverBody(receiver));
  }
  return json(out);
}

function receiverBody(receiver: ReceiverView): unknown {
  return Object.keys(receiver.labels).length === 0 ? { name: receiver.name } : { labels: receiver.labels, name: receiver.name };
}

// --- filters -------------------------------------------------------------------------------------------

/** Parses `filter`-style parameters; a bad one becomes Alertmanager's 400 answer. */
function parseFilterOrAnswer(values: string[] | undefined, prefix = ''): Matcher[] | Response {
  const matchers: Matcher[] = [];
  for (const text of values ?? []) {
    try {
      matchers.push(parseMatcher(text));
    } catch (error) {
      return messageAnswer(`${prefix}${(error as Error).message}`, 400);
    }
  }
  return matchers;
}

/**
 * Alertmanager's matchFilterLabels: like matching a label set, except that `x=""` and `x=~""`-style
 * filters with an empty value also accept an absent label, and `x!=""` accepts any present label.
 */
export function matchFilterLabels(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const matcher of matchers) {
    const present = Object.hasOwn(labels, matcher.name);
    const value = present ? labels[matcher.name] : '';
    if (matcher.type === '!~' || matcher.type === '!=') {
      if (matcher.value === '' && present) continue;
    } else if (matcher.value === '' && !present) {
      continue;
    }
    if (!matcher.matches(value)) return false;
  }
  return true;
}

/** go-openapi's ConvertBool: these texts are true, anything else false; absent takes the default. */
const TRUE_TEXTS = new Set(['true', 'yes', '1', 'y', 'on', 'selected', 'checked']);

function booleanParameter(c: Context, name: string, fallback: boolean): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === '') return fallback;
  return TRUE_TEXTS.has(value.toLowerCase());
}

function receiverRegexOrAnswer(c: Context): RE2JS | null | Response {
  const text = c.req.query('receiver');
  if (text === undefined) return null;
  try {
    return RE2JS.compile(`^(?:${text})$`);
  } catch (error) {
    return messageAnswer(`failed to parse receiver param: ${(error as Error).message}`, 400);
  }
}

interface AlertFilter {
  matchers: readonly Matcher[];
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  unprocessed: boolean;
  now: number;
}

/** Alertmanager's alertFilter: resolved alerts never, then label filters, then the status flags. */
function passesAlertFilter(view: AlertView, filter: AlertFilter): boolean {
  if (view.alert.endsAt !== 0 && view.alert.endsAt < filter.now) return false;
  if (!matchFilterLabels(filter.matchers, view.alert.labels)) return false;
  const status = view.status;
  if (!filter.active && status.state === 'active') return false;
  if (!filter.unprocessed && status.state === 'unprocessed') return false;
  if (!filter.silenced && status.silencedBy.length > 0) return false;
  if (!filter.inhibited && status.inhibitedBy.length > 0) return false;
  return true;
}

function alertFilterOrAnswer(source: AlertmanagerApiSource, c: Context): AlertFilter | Response {
  const matchers = parseFilterOrAnswer(c.req.queries('filter'));
  if (matchers instanceof Response) return matchers;
  return {
    matchers,
    active: booleanParameter(c, 'active', true),
    silenced: booleanParameter(c, 'silenced', true),
    inhibited: booleanParameter(c, 'inhibited', true),
    unprocessed: booleanParameter(c, 'unprocessed', true),
    now: nowOf(source),
  };
}

function receiverLabels(source: AlertmanagerApiSource): Map<string, LabelSet> {
  return new Map(source.receivers().map((receiver) => [receiver.name, receiver.labels]));
}

// --- alerts -----------------------------------------------------------------------------------------------

/** A gettableAlert, fields in the order Alertmanager writes them. */
function alertBody(view: AlertView, receivers: readonly string[], groupMutedBy: readonly string[] = []): unknown {
  const alert = view.alert;
  const mutedBy = groupMutedBy.length > 0 ? groupMutedBy : view.status.mutedBy;
  const body: Record<string, unknown> = {
    annotations: alert.annotations,
    endsAt: formatDateTime(alert.endsAt),
    fingerprint: view.fingerprint,
    receivers: receivers.map((name) => ({ name })),
    startsAt: formatDateTime(alert.startsAt),
    status: { inhibitedBy: view.status.inhibitedBy, mutedBy, silencedBy: view.status.silencedBy, state: view.status.state },
    updatedAt: formatDateTime(alert.updatedAt),
  };
  if (alert.generatorURL !== '') body.generatorURL = alert.generatorURL;
  body.labels = alert.labels;
  return body;
}

/** The query parameters `/alerts` and `/alerts/groups` share: the alert filter and the receiver selection. */
interface AlertQuery {
  filter: AlertFilter;
  receiverRegex: RE2JS | null;
  receiverMatchers: Matcher[];
  /** Receiver labels by name; read only when receiver_matchers are given. */
  labelsOfReceiver: Map<string, LabelSet>;
}

function alertQueryOrAnswer(source: AlertmanagerApiSource, c: Context): AlertQuery | Response {
  const filter = alertFilterOrAnswer(source, c);
  if (filter instanceof Response) return filter;
  const receiverRegex = receiverRegexOrAnswer(c);
  if (receiverRegex instanceof Response) return receiverRegex;
  const receiverMatchers = parseFilterOrAnswer(c.req.queries('receiver_matchers'), 'failed to parse receiver_matchers param: ');
  if (receiverMatchers instanceof Response) return receiverMatchers;
  const labelsOfReceiver = receiverMatchers.length > 0 ? receiverLabels(source) : new Map<string, LabelSet>();
  return { filter, receiverRegex, receiverMatchers, labelsOfReceiver };
}

function getAlerts(source: AlertmanagerApiSource, c: Context): Response {
  const query = alertQueryOrAnswer(source, c);
  if (query instanceof Response) return query;
  const { filter, receiverRegex, receiverMatchers, labelsOfReceiver } = query;

  const selected: AlertView[] = [];
  for (const view of source.alerts()) {
    if (receiverRegex !== null && !view.receivers.some((name) => receiverRegex.matches(name))) continue;
    if (receiverMatchers.length > 0 && !view.receivers.some((name) => labelsOfReceiver.has(name) && matchFilterLabels(receiverMatchers, labelsOfReceiver.get(name) ?? {}))) continue;
    if (!passesAlertFilter(view, filter)) continue;
    selected.push(view);
  }
  selected.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return json(selected.map((view) => alertBody(view, view.receivers)));
}

async function postAlerts(source: AlertmanagerApiSource, c: Context, limit: number): Promise<Response> {
  const body = await readJsonBody(c, limit, 'alerts');
  const alerts = decodePostableAlerts(body);
  const { errors } = await source.putAlerts(alerts);
  if (errors.length > 0) return messageAnswer(errors.join('\n'), 400);
  return new Response(null, { status: 200 });
}

/** Reads a JSON body as go-swagger does: JSON media type, parse errors as 400 `{code, message}`. */
async function readJsonBody(c: Context, limit: number, what: string): Promise<unknown> {
  const contentType = c.req.header('content-type');
  if (contentType !== undefined && contentType !== '') {
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') throw new SwaggerError(415, 415, `unsupported media type ${JSON.stringify(mediaType)}, only [application/json] are allowed`);
  }
  const bytes = await readBodyLimited(c.req.raw, limit);
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') throw new SwaggerError(422, 602, `${what} in body is required`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SwaggerError(400, 400, `parsing ${what} body from "" failed, because ${(error as Error).message}`);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A body that cannot be decoded into the spec's types (Go's json.Unmarshal errors): 400. */
function decodeError(what: string, message: string): SwaggerError {
  return new SwaggerError(400, 400, `parsing ${what} body from "" failed, because ${message}`);
}

function decodeLabelSet(value: unknown, field: string, what: string): LabelSet | null {
  if (value === undefined || value === null) return null;
  if (typeName(value) !== 'object') throw decodeError(what, `json: cannot unmarshal ${typeName(value)} into Go struct field ${field} of type models.LabelSet`);
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [, labelValue] of entries) {
    if (typeof labelValue !== 'string') throw decodeError(what, `json: cannot unmarshal ${typeName(labelValue)} into Go struct field ${field} of type string`);
  }
  // fromEntries defines own properties, so even a label named `__proto__` stays a label.
  return Object.fromEntries(entries) as LabelSet;
}

function decodeTime(value: unknown, field: string, what: string): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value !== 'string') throw decodeError(what, `json: cannot unmarshal ${typeName(value)} into Go struct field ${field} of type strfmt.DateTime`);
  const time = parseDateTime(value);
  if (time === null) throw decodeError(what, `parsing time ${JSON.stringify(value)}: not an RFC 3339 date-time`);
  return time;
}

function decodeString(value: unknown, field: string, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw decodeError(what, `json: cannot unmarshal ${typeName(value)} into Go struct field ${field} of type string`);
  return value;
}

/** `postableAlerts`: an array of alerts, each with required `labels`. */
export function decodePostableAlerts(body: unknown): PostableAlert[] {
  if (!Array.isArray(body)) throw decodeError('alerts', `json: cannot unmarshal ${typeName(body)} into Go value of type models.PostableAlerts`);
  const alerts: PostableAlert[] = [];
  for (const [index, item] of body.entries()) {
    if (item === null) throw new SwaggerError(422, 602, `${index}.labels in body is required`);
    if (typeName(item) !== 'object') throw decodeError('alerts', `json: cannot unmarshal ${typeName(item)} into Go value of type models.PostableAlert`);
    const record = item as Record<string, unknown>;
    const labels = decodeLabelSet(record.labels, 'Alert.labels', 'alerts');
    const annotations = decodeLabelSet(record.annotations, 'PostableAlert.annotations', 'alerts') ?? {};
    const startsAt = decodeTime(record.startsAt, 'PostableAlert.startsAt', 'alerts');
    const endsAt = decodeTime(record.endsAt, 'PostableAlert.endsAt', 'alerts');
    const generatorURL = decodeString(record.generatorURL, 'Alert.generatorURL', 'alerts') ?? '';
    if (labels === null) throw new SwaggerError(422, 602, `${index}.labels in body is required`);
    alerts.push({ labels, annotations, startsAt, endsAt, generatorURL });
  }
  return alerts;
}

// --- alert groups ---------------------------------------------------------------------------------------

/** prometheus/common's LabelSet.Before: fewer labels first, then by sorted names and values. */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const aNames = Object.keys(a);
  const bNames = Object.keys(b);
  if (aNames.length !== bNames.length) return aNames.length < bNames.length;
  const names = [...aNames, ...bNames].sort();
  for (const name of names) {
    if (!Object.hasOwn(a, name)) return true;
    if (!Object.hasOwn(b, name)) return false;
    if (a[name] < b[name]) return true;
    if (a[name] > b[name]) return false;
  }
  return false;
}

function labelSetsEqual(a: LabelSet, b: LabelSet): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => Object.hasOwn(b, name) && a[name] === b[name]);
}

/** Alertmanager's order of alerts inside a group: by `job`, then `instance` (present first), then labels. */
export function compareAlertsInGroup(a: LabelSet, b: LabelSet): number {
  for (const key of ['job', 'instance']) {
    const aHas = Object.hasOwn(a, key);
    const bHas = Object.hasOwn(b, key);
    if (!aHas && !bHas) continue;
    if (!aHas) return 1;
    if (!bHas) return -1;
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  return labelSetBefore(a, b) ? -1 : labelSetBefore(b, a) ? 1 : 0;
}

function getAlertGroups(source: AlertmanagerApiSource, c: Context): Response {
  const query = alertQueryOrAnswer(source, c);
  if (query instanceof Response) return query;
  const { filter, receiverRegex, receiverMatchers, labelsOfReceiver } = query;
  const includeMuted = booleanParameter(c, 'muted', true);

  const groups: { group: AlertGroupView; alerts: AlertView[] }[] = [];
  /** Receivers per alert fingerprint: those of every listed group holding it (Alertmanager's dispatcher.Groups). */
  const receiversOf = new Map<string, string[]>();
  for (const group of source.alertGroups()) {
    if (receiverRegex !== null && !receiverRegex.matches(group.receiver)) continue;
    if (receiverMatchers.length > 0) {
      const labels = labelsOfReceiver.get(group.receiver);
      if (labels === undefined || !matchFilterLabels(receiverMatchers, labels)) continue;
    }
    const alerts = group.alerts.filter((view) => passesAlertFilter(view, filter));
    if (alerts.length === 0) continue;
    for (const view of alerts) {
      const list = receiversOf.get(view.fingerprint);
      if (list === undefined) receiversOf.set(view.fingerprint, [group.receiver]);
      else list.push(group.receiver);
    }
    groups.push({ group, alerts });
  }
  groups.sort((x, y) => {
    if (labelSetsEqual(x.group.labels, y.group.labels)) return x.group.receiver < y.group.receiver ? -1 : x.group.receiver > y.group.receiver ? 1 : 0;
    return labelSetBefore(x.group.labels, y.group.labels) ? -1 : 1;
  });
  for (const list of receiversOf.values()) list.sort();

  const out = [];
  for (const { group, alerts } of groups) {
    if (!includeMuted && group.mutedBy.length > 0) continue;
    alerts.sort((a, b) => compareAlertsInGroup(a.alert.labels, b.alert.labels));
    out.push({
      alerts: alerts.map((view) => alertBody(view, receiversOf.get(view.fingerprint) ?? [], group.mutedBy)),
      labels: group.labels,
      receiver: { name: group.receiver },
      routeLabels: group.routeLabels,
    });
  }
  return json(out);
}

// --- silences -------------------------------------------------------------------------------------------

const SILENCE_STATE_ORDER: Record<SilenceState, number> = { active: 1, pending: 2, expired: 3 };

/** A gettableSilence, fields in the order Alertmanager writes them. */
function silenceBody(silence: Silence, state: SilenceState): unknown {
  return {
    id: silence.id,
    status: { state },
    updatedAt: formatDateTime(silence.updatedAt),
    annotations: silence.annotations,
    comment: silence.comment,
    createdBy: silence.createdBy,
    endsAt: formatDateTime(silence.endsAt),
    matchers: silence.matchers.map((matcher) => ({ isEqual: matcher.isEqual, isRegex: matcher.isRegex, name: matcher.name, value: matcher.value })),
    startsAt: formatDateTime(silence.startsAt),
  };
}

/** Alertmanager's filter for silences: every filter matcher appears, same name, type and value, in the silence. */
function silenceMatchesFilter(silence: Silence, filter: readonly Matcher[]): boolean {
  return filter.every((wanted) =>
    silence.matchers.some((matcher) => matcher.name === wanted.name && matcher.value === wanted.value && matcher.isRegex === wanted.isRegex() && matcher.isEqual === wanted.isEqual()),
  );
}

function getSilences(source: AlertmanagerApiSource, c: Context): Response {
  const filter = parseFilterOrAnswer(c.req.queries('filter'));
  if (filter instanceof Response) return filter;
  const states: SilenceState[] = [];
  if (booleanParameter(c, 'active', true)) states.push('active');
  if (booleanParameter(c, 'expired', true)) states.push('expired');
  if (booleanParameter(c, 'pending', true)) states.push('pending');
  const silences = source.silences;
  const listed = silences
    .query({ states })
    .filter((silence) => silenceMatchesFilter(silence, filter))
    .map((silence) => ({ silence, state: silences.state(silence) }));
  // Active first (next to end first), then pending (next to start first), then expired (latest end first).
  listed.sort((a, b) => {
    if (a.state !== b.state) return SILENCE_STATE_ORDER[a.state] - SILENCE_STATE_ORDER[b.state];
    if (a.state === 'active') return a.silence.endsAt - b.silence.endsAt;
    if (a.state === 'pending') return a.silence.startsAt - b.silence.startsAt;
    return b.silence.endsAt - a.silence.endsAt;
  });
  return json(listed.map(({ silence, state }) => silenceBody(silence, state)));
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function silenceIdOrFail(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new SwaggerError(422, 601, `silenceID in path must be of type uuid: ${JSON.stringify(id)}`);
  return id;
}

function getSilence(source: AlertmanagerApiSource, c: Context): Response {
  const silence = source.silences.get(silenceIdOrFail(c));
  if (silence === undefined) return new Response(null, { status: 404 });
  return json(silenceBody(silence, source.silences.state(silence)));
}

function deleteSilence(source: AlertmanagerApiSource, c: Context): Response {
  try {
    source.silences.expire(silenceIdOrFail(c));
  } catch (error) {
    // Alertmanager 0.25 answered 500 here; current versions answer 404.
    if (error instanceof SilenceError && error.kind === 'not_found') return new Response(null, { status: 404 });
    throw error;
  }
  return new Response(null, { status: 200 });
}

function requiredField(record: Record<string, unknown>, name: string, prefix = ''): unknown {
  const value = record[name];
  if (value === undefined || value === null) throw new SwaggerError(422, 602, `${prefix}${name} in body is required`);
  return value;
}

/** `postableSilence` as go-swagger decodes and validates it. */
export function decodePostableSilence(body: unknown): PostableSilence {
  if (typeName(body) !== 'object') throw decodeError('silence', `json: cannot unmarshal ${typeName(body)} into Go value of type models.PostableSilence`);
  const record = body as Record<string, unknown>;
  const id = decodeString(record.id, 'PostableSilence.id', 'silence');
  const rawMatchers = record.matchers;
  if (rawMatchers !== undefined && rawMatchers !== null && !Array.isArray(rawMatchers)) {
    throw decodeError('silence', `json: cannot unmarshal ${typeName(rawMatchers)} into Go struct field Silence.matchers of type models.Matchers`);
  }
  const matchers: SilenceMatcher[] = [];
  for (const [index, item] of ((rawMatchers as unknown[] | undefined) ?? []).entries()) {
    if (typeName(item) !== 'object') throw decodeError('silence', `json: cannot unmarshal ${typeName(item)} into Go struct field Silence.matchers of type models.Matcher`);
    const matcher = item as Record<string, unknown>;
    for (const flag of ['isRegex', 'isEqual']) {
      if (matcher[flag] !== undefined && matcher[flag] !== null && typeof matcher[flag] !== 'boolean') {
        throw decodeError('silence', `json: cannot unmarshal ${typeName(matcher[flag])} into Go struct field Matcher.matchers.${flag} of type bool`);
      }
    }
    const name = decodeString(matcher.name, 'Matcher.matchers.name', 'silence');
    const value = decodeString(matcher.value, 'Matcher.matchers.value', 'silence');
    const prefix = `matchers.${index}.`;
    requiredField(matcher, 'isRegex', prefix);
    if (name === undefined) throw new SwaggerError(422, 602, `${prefix}name in body is required`);
    if (value === undefined) throw new SwaggerError(422, 602, `${prefix}value in body is required`);
    matchers.push({ name, value, isRegex: matcher.isRegex as boolean, isEqual: typeof matcher.isEqual === 'boolean' ? matcher.isEqual : true });
  }
  const startsAt = decodeTime(record.startsAt, 'Silence.startsAt', 'silence');
  const endsAt = decodeTime(record.endsAt, 'Silence.endsAt', 'silence');
  const createdBy = decodeString(record.createdBy, 'Silence.createdBy', 'silence');
  const comment = decodeString(record.comment, 'Silence.comment', 'silence');
  const annotations = decodeLabelSet(record.annotations, 'Silence.annotations', 'silence') ?? {};
  requiredField(record, 'comment');
  requiredField(record, 'createdBy');
  requiredField(record, 'endsAt');
  requiredField(record, 'matchers');
  if (matchers.length === 0) throw new SwaggerError(422, 612, 'matchers in body should have at least 1 items');
  requiredField(record, 'startsAt');
  return { ...(id !== undefined && id !== '' ? { id } : {}), matchers, startsAt, endsAt, createdBy: createdBy ?? '', comment: comment ?? '', annotations };
}

async function postSilence(source: AlertmanagerApiSource, c: Context, limit: number): Promise<Response> {
  const silence = decodePostableSilence(await readJsonBody(c, limit, 'silence'));
  if (silence.startsAt >= silence.endsAt) return messageAnswer('Failed to create silence: start time must be before end time', 400);
  if (silence.endsAt < nowOf(source)) return messageAnswer("Failed to create silence: end time can't be in the past", 400);
  try {
    const id = source.silences.set(silence);
    return json({ silenceID: id });
  } catch (error) {
    if (error instanceof SilenceError) return messageAnswer(error.message, error.kind === 'not_found' ? 404 : 400);
    throw error;
  }
}

// --- history (Vigil's extension) ----------------------------------------------------------------------------

const DEFAULT_HISTORY_LIMIT = 1000;
const MAX_HISTORY_LIMIT = 10_000;

function timeParameter(c: Context, name: string): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && /^-?[\d.]+(e[+-]?\d+)?$/i.test(text)) return Math.round(seconds * 1000);
  const time = parseDateTime(text);
  if (time === null) throw new SwaggerError(400, 400, `invalid ${name} parameter ${JSON.stringify(text)}: want an RFC 3339 date-time or Unix seconds`);
  return time;
}

async function getHistory(source: AlertmanagerApiSource, c: Context): Promise<Response> {
  if (source.history === undefined) return messageAnswer('the alert history is not enabled', 404);
  const matchers = parseFilterOrAnswer(c.req.queries('filter'));
  if (matchers instanceof Response) return matchers;
  const kind = c.req.query('kind');
  if (kind !== undefined && kind !== 'alert' && kind !== 'notification') throw new SwaggerError(400, 400, `invalid kind parameter ${JSON.stringify(kind)}: want alert or notification`);
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? DEFAULT_HISTORY_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) throw new SwaggerError(400, 400, `invalid limit parameter ${JSON.stringify(limitText)}: want an integer from 1 to ${MAX_HISTORY_LIMIT}`);
  const from = timeParameter(c, 'from');
  const to = timeParameter(c, 'to');
  const receiver = c.req.query('receiver');
  const entries = await source.history({ matchers, limit, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(receiver !== undefined ? { receiver } : {}), ...(kind !== undefined ? { kind } : {}) });
  return json(entries.map(historyBody));
}

/** A history entry with its times as RFC 3339, like every other time in this API; unset times left out. */
function historyBody(entry: HistoryEntry): Record<string, unknown> {
  const body: Record<string, unknown> = { ...entry, time: formatDateTime(entry.time) };
  for (const field of ['startsAt', 'endsAt'] as const) {
    const time = body[field];
    if (typeof time !== 'number') continue;
    if (time === 0) delete body[field];
    else body[field] = formatDateTime(time);
  }
  return body;
}
