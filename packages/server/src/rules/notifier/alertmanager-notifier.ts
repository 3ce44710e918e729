/**
 * Sends rule alerts to the external Alertmanagers of prometheus.yml's `alerting.alertmanagers`, as
 * Prometheus's notifier does: targets from `static_configs` (and `file_sd_configs`, read at each
 * config load) relabeled with `relabel_configs`, each set's `alert_relabel_configs` applied, one
 * bounded queue per Alertmanager (oldest alerts dropped when full), batches POSTed as API v2 JSON.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PostableAlert } from '../../alerting/types.ts';
import type { AlertingConfig, AlertmanagerConfig, HttpClientConfig, TargetGroup } from '../../config/index.ts';
import { glob, loadFileSdFile } from '../../config/index.ts';
import { getLabel, labelsFromRecord, labelsToRecord } from '../../model/index.ts';
import { relabel } from '../../model/relabel.ts';
import type { RuleLogger } from '../group.ts';
import type { RuleMetricSource } from '../manager.ts';

/** Prometheus's `--alertmanager.notification-queue-capacity` default. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;
/** Prometheus's DefaultMaxBatchSize (3.x; 2.x sent 64). */
export const DEFAULT_MAX_BATCH_SIZE = 256;

/** One POST to an Alertmanager; the default uses node:http(s) with the set's client config. */
export type AlertPoster = (url: string, body: string, config: AlertmanagerConfig, signal: AbortSignal) => Promise<{ status: number; statusText: string }>;

export interface AlertmanagerNotifierOptions {
  queueCapacity?: number;
  maxBatchSize?: number;
  log?: RuleLogger;
  userAgent?: string;
  post?: AlertPoster;
}

interface SendCounters {
  sent: number;
  errors: number;
  dropped: number;
  latencySecondsSum: number;
  latencyCount: number;
}

/** One Alertmanager's queue and the loop that drains it. */
class SendLoop {
  readonly counters: SendCounters = { sent: 0, errors: 0, dropped: 0, latencySecondsSum: 0, latencyCount: 0 };
  private queue: PostableAlert[] = [];
  private sending: Promise<void> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly url: string,
    private config: AlertmanagerConfig,
    private readonly notifier: AlertmanagerNotifier,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  reconfigure(config: AlertmanagerConfig): void {
    this.config = config;
  }

  add(alerts: readonly PostableAlert[]): void {
    if (this.stopped) return;
    const capacity = this.notifier.queueCapacity;
    let incoming = alerts;
    let dropped = 0;
    if (incoming.length > capacity) {
      dropped += incoming.length - capacity;
      incoming = incoming.slice(incoming.length - capacity);
    }
    const overflow = this.queue.length + incoming.length - capacity;
    if (overflow > 0) {
      dropped += overflow;
      this.queue = this.queue.slice(overflow);
    }
    this.queue.push(...incoming);
    if (dropped > 0) {
      this.counters.dropped += dropped;
      this.notifier.log('warn', 'alert notification queue full, dropping alerts', { alertmanager: this.url, count: dropped });
    }
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, this.notifier.maxBatchSize);
      if (!(await this.sendBatch(batch))) this.counters.dropped += batch.length;
    }
  }

  private async sendBatch(alerts: PostableAlert[]): Promise<boolean> {
    const started = performance.now();
    const body = goJsonText(JSON.stringify(alerts.map(openApiAlert)));
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = AbortSignal.any([timeout, this.abort.signal]);
    try {
      const response = await this.notifier.post(this.url, body, this.config, signal);
      if (Math.floor(response.status / 100) !== 2) throw new Error(`bad response status ${response.status} ${response.statusText}`.trimEnd());
    } catch (error) {
      this.counters.errors += alerts.length;
      this.notifier.log('error', 'error sending alerts', { alertmanager: this.url, count: alerts.length, err: (error as Error).message });
      return false;
    }
    this.counters.sent += alerts.length;
    this.counters.latencySecondsSum += (performance.now() - started) / 1000;
    this.counters.latencyCount++;
    return true;
  }

  /** Stops; alerts still queued are dropped (Prometheus's default without drain-on-shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.counters.dropped += this.queue.length;
    this.queue = [];
    this.abort.abort();
    await this.sending;
  }
}

/** An `alerting.alertmanagers` entry with the Alertmanagers it resolved to. */
interface AlertmanagerSet {
  config: AlertmanagerConfig;
  loops: SendLoop[];
}

export class AlertmanagerNotifier {
  readonly queueCapacity: number;
  readonly maxBatchSize: number;
  readonly post: AlertPoster;
  private sets: AlertmanagerSet[] = [];
  private loops = new Map<string, SendLoop>();
  private dropped: string[] = [];
  private readonly logger: RuleLogger;
  private stopped = false;

  constructor(options: AlertmanagerNotifierOptions = {}) {
    this.queueCapacity = options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.logger = options.log ?? (() => {});
    const userAgent = options.userAgent ?? 'Vigil';
    this.post = options.post ?? ((url, body, config, signal) => postJson(url, body, config, signal, userAgent));
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.logger(level, message, fields);
  }

  /**
   * Resolves every configured Alertmanager (all fallible work first), then swaps: loops of
   * Alertmanagers still configured keep their queues; removed ones stop.
   */
  async applyConfig(alerting: AlertingConfig): Promise<void> {
    const resolved: { config: AlertmanagerConfig; urls: string[] }[] = [];
    const droppedUrls: string[] = [];
    for (const config of alerting.alertmanagers) {
      const groups: TargetGroup[] = [...config.staticConfigs];
      for (const fileSd of config.fileSdConfigs) {
        for (const pattern of fileSd.files) {
          for (const file of await glob(pattern)) {
            try {
              groups.push(...(await loadFileSdFile(file)));
            } catch (error) {
              this.log('error', 'reading Alertmanager file_sd file failed', { file, err: (error as Error).message });
            }
          }
        }
      }
      const { active, dropped } = resolveAlertmanagers(config, groups);
      resolved.push({ config, urls: active });
      droppedUrls.push(...dropped);
    }
    const next = new Map<string, SendLoop>();
    const sets: AlertmanagerSet[] = [];
    for (const { config, urls } of resolved) {
      const loops: SendLoop[] = [];
      for (const url of urls) {
        let loop = next.get(url) ?? this.loops.get(url);
        if (loop === undefined) loop = new SendLoop(url, config, this);
        else loop.reconfigure(config);
        next.set(url, loop);
        loops.push(loop);
      }
      sets.push({ config, loops });
    }
    for (const [url, loop] of this.loops) if (!next.has(url)) await loop.stop();
    this.loops = next;
    this.sets = sets;
    this.dropped = droppedUrls;
  }

  /** The sink: queues the alerts for every Alertmanager, after each set's `alert_relabel_configs`. */
  send(alerts: readonly PostableAlert[]): void {
    if (this.stopped) return;
    for (const set of this.sets) {
      const relabeled: PostableAlert[] = [];
      for (const alert of alerts) {
        const labels = relabel(labelsFromRecord(alert.labels), set.config.alertRelabelConfigs);
        if (labels !== null) relabeled.push({ ...alert, labels: labelsToRecord(labels) });
      }
      if (relabeled.length === 0) continue;
      for (const loop of set.loops) loop.add(relabeled);
    }
  }

  /** The Alertmanager URLs alerts go to, in config order. */
  alertmanagers(): string[] {
    return [...this.loops.keys()];
  }

  /** Alertmanagers that `relabel_configs` dropped (`/api/v1/alertmanagers`' droppedAlertmanagers). */
  droppedAlertmanagers(): string[] {
    return [...this.dropped];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
  }

  /** Prometheus's `prometheus_notifications_*` metrics. */
  metricSources(): RuleMetricSource[] {
    const perAlertmanager = (read: (counters: SendCounters, loop: SendLoop) => number) => () => [...this.loops.values()].map((loop) => ({ labels: { alertmanager: loop.url }, value: read(loop.counters, loop) }));
    const labelNames = ['alertmanager'];
    return [
      { name: 'prometheus_notifications_sent_total', help: 'Total number of alerts sent.', type: 'counter', labelNames, read: perAlertmanager((c) => c.sent) },
      { name: 'prometheus_notifications_errors_total', help: 'Total number of sent alerts affected by errors.', type: 'counter', labelNames, read: perAlertmanager((c) => c.errors) },
      { name: 'prometheus_notifications_dropped_total', help: 'Total number of alerts dropped due to errors when sending to Alertmanager.', type: 'counter', labelNames, read: perAlertmanager((c) => c.dropped) },
      { name: 'prometheus_notifications_queue_length', help: 'The number of alert notifications in the queue.', type: 'gauge', labelNames, read: perAlertmanager((_, loop) => loop.length) },
      { name: 'prometheus_notifications_latency_seconds_sum', help: 'Total time spent sending alert notifications (successful batches).', type: 'counter', labelNames, read: perAlertmanager((c) => c.latencySecondsSum) },
      { name: 'prometheus_notifications_latency_seconds_count', help: 'Alert notification batches sent successfully.', type: 'counter', labelNames, read: perAlertmanager((c) => c.latencyCount) },
      { name: 'prometheus_notifications_queue_capacity', help: 'The capacity of the alert notifications queue.', type: 'gauge', read: () => this.queueCapacity },
      { name: 'prometheus_notifications_alertmanagers_discovered', help: 'The number of alertmanagers discovered and active.', type: 'gauge', read: () => this.loops.size },
    ];
  }
}

/**
 * Prometheus's AlertmanagerFromGroup: each target gets `__address__`, `__scheme__` and
 * `__alerts_path__` (path_prefix + /api/v2/alerts) plus its group's labels; `relabel_configs` may
 * rewrite or drop it.
 */
export function alertmanagerUrls(config: AlertmanagerConfig, groups: readonly TargetGroup[]): string[] {
  return resolveAlertmanagers(config, groups).active;
}

/** The Alertmanager URLs of one `alertmanagers` entry, and those its relabeling dropped (as they were before). */
export function resolveAlertmanagers(config: AlertmanagerConfig, groups: readonly TargetGroup[]): { active: string[]; dropped: string[] } {
  const active: string[] = [];
  const dropped: string[] = [];
  const alertsPath = `${config.pathPrefix.replace(/\/+$/, '')}/api/${config.apiVersion}/alerts`;
  const url = (labels: readonly string[]) => `${getLabel(labels, '__scheme__')}://${getLabel(labels, '__address__')}${getLabel(labels, '__alerts_path__')}`;
  for (const group of groups) {
    for (const target of group.targets) {
      const original = labelsFromRecord({ ...group.labels, __address__: target, __scheme__: config.scheme, __alerts_path__: alertsPath });
      const labels = relabel(original, config.relabelConfigs);
      if (labels === null || getLabel(labels, '__address__') === '') {
        dropped.push(url(original));
        continue;
      }
      if (!active.includes(url(labels))) active.push(url(labels));
    }
  }
  return { active, dropped };
}

/** An alert as Alertmanager's API v2 takes it (field order as Prometheus's client marshals it). */
export function openApiAlert(alert: PostableAlert): Record<string, unknown> {
  return {
    annotations: alert.annotations,
    endsAt: rfc3339Milliseconds(alert.endsAt),
    startsAt: rfc3339Milliseconds(alert.startsAt),
    generatorURL: alert.generatorURL,
    labels: alert.labels,
  };
}

/** Go's encoding/json escapes <, >, & and the line separators in strings; the payload matches Prometheus's byte for byte. */
export function goJsonText(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function rfc3339Milliseconds(milliseconds: number): string {
  return milliseconds === 0 ? '0001-01-01T00:00:00.000Z' : new Date(milliseconds).toISOString();
}

/** POSTs JSON with the set's HTTP client config: basic auth or authorization, headers, TLS. */
async function postJson(url: string, body: string, config: AlertmanagerConfig, signal: AbortSignal, userAgent: string): Promise<{ status: number; statusText: string }> {
  const target = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent, 'content-length': String(Buffer.byteLength(body)) };
  const auth = authorizationHeader(config.http);
  if (auth !== null) headers.authorization = auth;
  for (const [name, header] of Object.entries(config.http.httpHeaders ?? {})) {
    const values = [...header.values, ...header.secrets, ...header.files.map((file) => readFileSync(file, 'utf8').trim())];
    if (values.length > 0) headers[name.toLowerCase()] = values.join(', ');
  }
  const tls = config.http.tlsConfig;
  const options: RequestOptions & Record<string, unknown> = { method: 'POST', headers, signal };
  if (target.protocol === 'https:') {
    options.rejectUnauthorized = !tls.insecureSkipVerify;
    if (tls.serverName !== undefined) options.servername = tls.serverName;
    if (tls.ca !== undefined) options.ca = tls.ca;
    else if (tls.caFile !== undefined) options.ca = readFileSync(tls.caFile);
    if (tls.cert !== undefined) options.cert = tls.cert;
    else if (tls.certFile !== undefined) options.cert = readFileSync(tls.certFile);
    if (tls.key !== undefined) options.key = tls.key;
    else if (tls.keyFile !== undefined) options.key = readFileSync(tls.keyFile);
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return await new Promise((resolve, reject) => {
    const request = send(target, options, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '' }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function authorizationHeader(http: HttpClientConfig): string | null {
  if (http.basicAuth !== undefined) {
    const basic = http.basicAuth;
    const username = basic.usernameFile !== undefined ? readFileSync(basic.usernameFile, 'utf8').trim() : (basic.username ?? '');
    const password = basic.passwordFile !== undefined ? readFileSync(basic.passwordFile, 'utf8').trim() : (basic.password ?? '');
    return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
  if (http.authorization !== undefined) {
    const authorization = http.authorization;
    const credentials = authorization.credentialsFile !== undefined ? readFileSync(authorization.credentialsFile, 'utf8').trim() : (authorization.credentials ?? '');
    return `${authorization.type} ${credentials}`;
  }
  return null;
}
