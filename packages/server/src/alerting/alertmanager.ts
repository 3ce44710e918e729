/**
 * The in-process Alertmanager: alert store, dispatcher, notification pipeline, notification log,
 * silences, inhibition and history, built from an alertmanager.yml and kept across restarts in
 * `--alertmanager.storage.path`. Its public methods are what the API v2 handlers need.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { loadAlertmanagerConfig } from './config/index.ts';
import type { AlertmanagerConfig, ConfigWarning } from './config/index.ts';
import { redactConfigText } from './config-text.ts';
import { Dispatcher } from './dispatch/index.ts';
import type { GroupFlushRecord } from './dispatch/index.ts';
import { AlertHistory } from './history/index.ts';
import type { HistoryFilter, HistoryRecord } from './history/index.ts';
import { Inhibitor } from './inhibit/index.ts';
import { Marker } from './marker.ts';
import type { AlertState, AlertStatus } from './marker.ts';
import { NotificationLog } from './nflog/index.ts';
import { buildPipeline, integrationName } from './notify/index.ts';
import type { BackoffOptions, DeliveryAttempt, Muting, PipelineObserver, Stage, SuppressionReason } from './notify/index.ts';
import { parseStoredAlert, readSnapshot, writeSnapshot } from './persistence.ts';
import { AlertStore, prepareAlerts } from './provider/index.ts';
import { buildIntegrations, loadTemplates } from './receivers/index.ts';
import type { HttpFunction, SmtpOptions } from './receivers/index.ts';
import { buildRoutingTree } from './routes/index.ts';
import type { Route } from './routes/index.ts';
import { systemScheduler } from './scheduler.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';
import { Silences } from './silences/index.ts';
import { TimeIntervalSet } from './timeintervals/index.ts';
import { fingerprint, isResolved } from './types.ts';
import type { Alert, Integration, LabelSet, PostableAlert } from './types.ts';

export type AlertmanagerLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface AlertmanagerOptions {
  /** alertmanager.yml, the same file Alertmanager reads. */
  configFile: string;
  /** Where alerts, the notification log, group timings, silences and history are kept. */
  storagePath: string;
  /** How long notification-log entries and expired silences are kept (`--alertmanager.data.retention`, 120h). */
  retentionMs: number;
  /** How long the history is kept; default 15 days. */
  historyRetentionMs?: number;
  /** Silence limits (`--alertmanager.silences.*`); 0 or absent: none. */
  maxSilences?: number;
  maxSilenceSizeBytes?: number;
  /** Links back to Vigil in notifications (`.ExternalURL`). */
  externalURL: string;
  scheduler?: Scheduler;
  log?: AlertmanagerLog;
  /** Where the `alertmanager_*` self-metrics are registered; a private registry when absent. */
  registry?: Registry;
  /** How often state is written to disk besides after changes and on stop; default 15 min as Alertmanager. */
  maintenanceIntervalMs?: number;
  /** How often resolved alerts are collected; default 30 min (`--alerts.gc-interval`). */
  alertGcIntervalMs?: number;
  versionInfo?: { version: string; revision: string; branch: string; buildUser: string; buildDate: string; goVersion: string };
  /** Receivers' HTTP and SMTP clients (tests). */
  http?: HttpFunction;
  smtp?: SmtpOptions;
  backoff?: BackoffOptions;
}

/** An alert's status as the API shows it: the marker's, plus the time intervals muting its groups. */
export interface AlertStatusView extends AlertStatus {
  mutedBy: readonly string[];
}

export interface AlertView {
  alert: Alert;
  fingerprint: string;
  status: AlertStatusView;
  receivers: readonly string[];
}

export interface AlertGroupApiView {
  labels: LabelSet;
  routeLabels: LabelSet;
  receiver: string;
  routeId: string;
  groupKey: string;
  mutedBy: readonly string[];
  alerts: readonly AlertView[];
}

/** Everything built from one config file: replaced as a whole on reload. */
interface Generation {
  config: AlertmanagerConfig;
  text: string;
  hash: number;
  tree: Route;
  routesById: Map<string, Route>;
  receivers: Map<string, Integration[]>;
  intervals: TimeIntervalSet;
}

/** A generation's live parts, started once the generation is accepted. */
interface Running {
  inhibitor: Inhibitor;
  dispatcher: Dispatcher;
}

const DAY = 24 * 3600_000;

export class Alertmanager {
  readonly startTime: number;
  readonly versionInfo: NonNullable<AlertmanagerOptions['versionInfo']>;
  readonly silences: Silences;
  readonly store = new AlertStore();
  readonly marker: Marker;
  readonly notificationLog: NotificationLog;
  readonly historyLog: AlertHistory;
  private readonly scheduler: Scheduler;
  private readonly log: AlertmanagerLog;
  private generation!: Generation;
  private running: Running | null = null;
  /** Each alert's last recorded state, to record firing and resolved transitions once. */
  private readonly alertStates = new Map<string, 'firing' | 'resolved'>();
  private readonly timers: TimerHandle[] = [];
  private persistTimer: TimerHandle | null = null;
  private reloading: Promise<void> = Promise.resolve();
  /** The last failure per group and integration while retrying, so a repeated error is logged once. */
  private readonly lastAttemptErrors = new Map<string, string>();
  private stopped = false;
  private lastReloadOk = true;
  private lastReloadSuccess = 0;
  private readonly metrics: ReturnType<typeof createMetrics>;
  private readonly files: { alerts: string; nflog: string; groups: string; silences: string; history: string };

  private constructor(private readonly options: AlertmanagerOptions) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.log = options.log ?? (() => {});
    this.startTime = this.scheduler.now();
    this.versionInfo = options.versionInfo ?? { version: '', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `node${process.versions.node}` };
    const dir = options.storagePath;
    this.files = { alerts: join(dir, 'alerts.json'), nflog: join(dir, 'nflog.json'), groups: join(dir, 'groups.json'), silences: join(dir, 'silences.json'), history: join(dir, 'history') };
    this.historyLog = new AlertHistory({
      dir: this.files.history,
      clock: this.scheduler,
      retentionMs: options.historyRetentionMs ?? 15 * DAY,
      warn: (message) => this.log('warn', message, { component: 'history' }),
    });
    this.marker = new Marker((key, previous, next) => this.recordStatusChange(key, previous, next));
    this.notificationLog = new NotificationLog(options.retentionMs);
    this.silences = new Silences({
      clock: this.scheduler,
      retention: options.retentionMs,
      maxSilences: options.maxSilences,
      maxSilenceSizeBytes: options.maxSilenceSizeBytes,
      snapshotFile: this.files.silences,
      maintenanceInterval: options.maintenanceIntervalMs ?? 15 * 60_000,
      warn: (message) => this.log('warn', message, { component: 'silences' }),
    });
    this.metrics = createMetrics(options.registry ?? new Registry(), this);
  }

  /** Loads the config (throwing its file:line errors), restores the saved state and starts notifying. */
  static async start(options: AlertmanagerOptions): Promise<Alertmanager> {
    const alertmanager = new Alertmanager(options);
    const generation = await alertmanager.build();
    alertmanager.restoreState();
    alertmanager.store.subscribe((alert, key, previous) => alertmanager.recordAlert(alert, key, previous));
    alertmanager.generation = generation;
    alertmanager.run(alertmanager.readGroupRecords());
    alertmanager.lastReloadSuccess = alertmanager.scheduler.now();
    alertmanager.silences.start();
    alertmanager.every(options.alertGcIntervalMs ?? 30 * 60_000, () => alertmanager.collectAlerts());
    alertmanager.every(options.maintenanceIntervalMs ?? 15 * 60_000, () => alertmanager.maintenance());
    // Alerts that time out resolve without anyone posting; note it in the history soon after.
    alertmanager.every(10_000, () => alertmanager.recordTimeouts());
    return alertmanager;
  }

  /** All fallible work for a config: read, parse, templates, receivers, routes, intervals. */
  private async build(): Promise<Generation> {
    const file = this.options.configFile;
    const loaded = await loadAlertmanagerConfig(file);
    for (const warning of loaded.warnings) this.logWarning(warning);
    const config = loaded.config;
    const text = await readFile(file, 'utf8');
    const templates = await loadTemplates(config.templates, { now: () => this.scheduler.now() });
    const receivers = new Map<string, Integration[]>();
    for (const receiver of config.receivers) {
      receivers.set(
        receiver.name,
        buildIntegrations(receiver, {
          templates,
          externalURL: this.options.externalURL,
          http: this.options.http,
          smtp: this.options.smtp,
          logger: {
            warn: (message, fields) => this.log('warn', message, { component: 'notify', receiver: receiver.name, ...fields }),
            debug: (message, fields) => this.log('debug', message, { component: 'notify', receiver: receiver.name, ...fields }),
          },
        }),
      );
    }
    const tree = buildRoutingTree(config.route);
    const routesById = new Map<string, Route>();
    tree.walk((route) => {
      routesById.set(route.id, route);
      if (!receivers.has(route.options.receiver)) throw new Error(`${file}: undefined receiver ${JSON.stringify(route.options.receiver)} used in route`);
    });
    const intervals = new TimeIntervalSet(config.timeIntervals);
    const digest = createHash('sha256').update(text).digest();
    return { config, text, hash: Number(digest.readBigUInt64BE(0)), tree, routesById, receivers, intervals };
  }

  private logWarning(warning: ConfigWarning): void {
    this.log('warn', `${warning.file}:${warning.line}:${warning.col}: ${warning.message}`, { component: 'configuration' });
  }

  /** Starts inhibition and the dispatcher for the current generation. */
  private run(restoredFlushes: readonly GroupFlushRecord[]): void {
    const generation = this.generation;
    const inhibitor = new Inhibitor({
      rules: generation.config.inhibitRules.map((rule) => ({ sourceMatchers: rule.sourceMatchers, targetMatchers: rule.targetMatchers, equal: rule.equal })),
      alerts: this.store,
      clock: this.scheduler,
    });
    const muting: Muting = {
      silencedBy: (labels, now) => this.silences.mutes(labels, now),
      inhibitedBy: (labels) => inhibitor.mutes(labels, this.scheduler.now()),
      activeIntervals: (names, now) => generation.intervals.activeNames(names, now),
    };
    const pipeline: Stage = buildPipeline({
      receivers: generation.receivers,
      muting,
      marker: this.marker,
      notificationLog: this.notificationLog,
      scheduler: this.scheduler,
      observer: this.observer,
      externalURL: this.options.externalURL,
      backoff: this.options.backoff,
    });
    const dispatcher = new Dispatcher({
      store: this.store,
      routes: (labels) => generation.tree.match(labels),
      pipeline,
      scheduler: this.scheduler,
      marker: this.marker,
      restoredFlushes,
      log: (level, message, fields) => this.log(level, message, { component: 'dispatcher', ...fields }),
      onFlush: () => this.persistSoon(),
      onRouted: (seconds) => this.metrics.processing.observe(seconds),
    });
    this.running = { inhibitor, dispatcher };
    // Every integration's series exist from the start, at zero, as Alertmanager initialises them.
    for (const integrations of generation.receivers.values()) {
      for (const integration of integrations) {
        const labels = { integration: integrationName(integration) };
        for (const counter of [this.metrics.notifications, this.metrics.notificationsFailed, this.metrics.requests, this.metrics.requestsFailed]) counter.inc(labels, 0);
      }
    }
  }

  /** The pipeline's reports: metrics and history. */
  private readonly observer: PipelineObserver = {
    suppressed: (reason: SuppressionReason, count: number) => this.metrics.suppressed.inc({ reason }, count),
    notification: (integration) => this.metrics.notifications.inc({ integration }),
    // The dispatcher logs the failed flush with its group; here only the count.
    notificationFailed: (integration) => this.metrics.notificationsFailed.inc({ integration }),
    attempt: (attempt: DeliveryAttempt) => {
      this.metrics.requests.inc({ integration: attempt.integration });
      if (!attempt.ok) this.metrics.requestsFailed.inc({ integration: attempt.integration });
      this.metrics.latency.observe({ integration: attempt.integration }, attempt.durationMs / 1000);
      // As Alertmanager, a failure is logged when it differs from the previous attempt's.
      const retryKey = `${attempt.groupKey}\u0000${attempt.receiver}\u0000${attempt.integration}\u0000${attempt.index}`;
      if (attempt.ok) this.lastAttemptErrors.delete(retryKey);
      else if (attempt.attempt === 1 || this.lastAttemptErrors.get(retryKey) !== attempt.error) {
        this.lastAttemptErrors.set(retryKey, attempt.error);
        this.log('warn', 'Notify attempt failed, will retry later', { component: 'notify', receiver: attempt.receiver, integration: `${attempt.integration}[${attempt.index}]`, aggrGroup: attempt.groupKey, attempts: attempt.attempt, err: attempt.error });
      }
      const alerts = attempt.alerts.map((alert) => ({ fingerprint: fingerprint(alert.labels), labels: alert.labels, status: isResolved(alert, attempt.time) ? ('resolved' as const) : ('firing' as const) }));
      this.historyLog.append({
        kind: 'notification',
        time: attempt.time,
        receiver: attempt.receiver,
        integration: `${attempt.integration}[${attempt.index}]`,
        groupKey: attempt.groupKey,
        fingerprints: alerts.map((alert) => alert.fingerprint),
        alerts,
        attempt: attempt.attempt,
        durationMs: Math.round(attempt.durationMs * 1000) / 1000,
        ok: attempt.ok,
        ...(attempt.ok ? {} : { error: attempt.error, retryable: attempt.retryable }),
      });
      if (attempt.ok) this.persistSoon();
    },
  };

  /**
   * Re-reads the config file. Everything is built first; a bad file throws (file:line) and the
   * running config stays. Aggregation groups keep their timing across the swap.
   */
  reload(): Promise<void> {
    // One reload at a time (SIGHUP and /-/reload may overlap): each swaps the parts the previous one started.
    const result = this.reloading.then(() => this.reloadNow());
    this.reloading = result.catch(() => {});
    return result;
  }

  private async reloadNow(): Promise<void> {
    let next: Generation;
    try {
      next = await this.build();
    } catch (error) {
      this.lastReloadOk = false;
      this.log('error', 'Loading configuration file failed', { component: 'configuration', file: this.options.configFile, err: (error as Error).message });
      throw error;
    }
    if (this.stopped) return;
    const previous = this.running;
    const records = previous?.dispatcher.flushRecords() ?? [];
    if (previous !== null) {
      previous.inhibitor.stop();
      await previous.dispatcher.stop();
    }
    this.generation = next;
    this.run(records);
    this.lastReloadOk = true;
    this.lastReloadSuccess = this.scheduler.now();
    this.log('info', 'Completed loading of configuration file', { component: 'configuration', file: this.options.configFile });
  }

  /** Stores posted alerts; answers Alertmanager's message for each one refused. */
  putAlerts(alerts: readonly PostableAlert[]): { errors: readonly string[] } {
    const now = this.scheduler.now();
    const prepared = prepareAlerts(alerts, now, this.generation.config.global.resolveTimeoutMs);
    this.metrics.received.inc({ status: 'firing' }, prepared.firing);
    this.metrics.received.inc({ status: 'resolved' }, prepared.resolved);
    this.metrics.invalid.inc(prepared.errors.length);
    this.store.put(prepared.alerts, now);
    if (prepared.alerts.length > 0) this.persistSoon();
    return { errors: prepared.errors };
  }

  /** The status of an alert now, computed as Alertmanager's API does (silences and inhibition asked again). */
  private statusOf(alert: Alert, key: string, mutedBy: readonly string[]): AlertStatusView {
    const now = this.scheduler.now();
    if (this.running !== null) {
      this.marker.setInhibited(key, this.running.inhibitor.mutes(alert.labels, now));
      this.marker.setSilenced(key, this.silences.mutes(alert.labels, now));
    }
    return { ...this.marker.status(key), mutedBy };
  }

  /** Every alert held, with its status and the receivers of the routes it matches. */
  alerts(): AlertView[] {
    const mutedBy = this.mutedByAlert();
    const views: AlertView[] = [];
    for (const [key, alert] of this.store.entries()) {
      const receivers = this.generation.tree.match(alert.labels).map((route) => route.options.receiver);
      views.push({ alert, fingerprint: key, status: this.statusOf(alert, key, mutedBy.get(key) ?? []), receivers });
    }
    return views;
  }

  /** The time intervals muting the groups of each alert now. */
  private mutedByAlert(): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const group of this.running?.dispatcher.listGroups() ?? []) {
      const names = this.marker.groupMutedBy(group.routeId, group.groupKey);
      if (names.length === 0) continue;
      for (const { fingerprint: key } of group.alerts) result.set(key, [...new Set([...(result.get(key) ?? []), ...names])]);
    }
    return result;
  }

  /** The aggregation groups, sorted as Alertmanager lists them. */
  alertGroups(): AlertGroupApiView[] {
    const groups = this.running?.dispatcher.listGroups() ?? [];
    const mutedBy = this.mutedByAlert();
    return groups.map((group) => {
      const route = this.generation.routesById.get(group.routeId);
      const routeLabels: Record<string, string> = {};
      for (const matcher of route?.matchers ?? []) if (matcher.type === '=') routeLabels[matcher.name] = matcher.value;
      return {
        labels: group.labels,
        routeLabels,
        receiver: group.receiver,
        routeId: group.routeId,
        groupKey: group.groupKey,
        mutedBy: this.marker.groupMutedBy(group.routeId, group.groupKey),
        alerts: group.alerts.map(({ fingerprint: key, alert }) => ({
          alert,
          fingerprint: key,
          status: this.statusOf(alert, key, mutedBy.get(key) ?? []),
          receivers: this.generation.tree.match(alert.labels).map((matched) => matched.options.receiver),
        })),
      };
    });
  }

  receivers(): { name: string; labels: LabelSet }[] {
    return this.generation.config.receivers.map((receiver) => ({ name: receiver.name, labels: {} }));
  }

  /** The running config's text with secrets hidden, as `/api/v2/status` shows it. */
  configText(): string {
    return redactConfigText(this.generation.text);
  }

  /** The running config as resolved. */
  get config(): AlertmanagerConfig {
    return this.generation.config;
  }

  now(): number {
    return this.scheduler.now();
  }

  /** History records matching the query, newest first. */
  history(filter: HistoryFilter): Promise<HistoryRecord[]> {
    return this.historyLog.query(filter);
  }

  /** Whether the last reload succeeded, and when one last did (ms). */
  get reloadStatus(): { ok: boolean; lastSuccess: number; hash: number } {
    return { ok: this.lastReloadOk, lastSuccess: this.lastReloadSuccess, hash: this.generation.hash };
  }

  /** Aggregation groups now. */
  get groupCount(): number {
    return this.running?.dispatcher.groupCount ?? 0;
  }

  /** Resolves when no flush is in progress and the history is written (tests). */
  async idle(): Promise<void> {
    await this.running?.dispatcher.idle();
    await this.historyLog.flush();
  }

  /** Counts of alerts not yet resolved, by state (`alertmanager_alerts`). */
  alertCounts(): Record<AlertState, number> {
    const now = this.scheduler.now();
    const counts: Record<AlertState, number> = { active: 0, suppressed: 0, unprocessed: 0 };
    for (const [key, alert] of this.store.entries()) if (!isResolved(alert, now)) counts[this.marker.status(key).state]++;
    return counts;
  }

  // -------------------------------------------------------------------------------------------------
  // History of alert transitions
  // -------------------------------------------------------------------------------------------------

  private recordAlert(alert: Alert, key: string, previous: Alert | undefined): void {
    const now = this.scheduler.now();
    const state = isResolved(alert, now) ? 'resolved' : 'firing';
    const base = { kind: 'alert' as const, fingerprint: key, labels: alert.labels, startsAt: alert.startsAt, endsAt: alert.endsAt };
    if (previous === undefined) this.historyLog.append({ ...base, time: now, event: 'received' });
    if (this.alertStates.get(key) !== state) {
      this.alertStates.set(key, state);
      this.historyLog.append({ ...base, time: state === 'resolved' ? Math.min(now, alert.endsAt) : now, event: state });
    }
  }

  /** Alerts whose end passed without a new post (resolve_timeout, or an end given in advance). */
  private recordTimeouts(): void {
    const now = this.scheduler.now();
    for (const [key, alert] of this.store.entries()) {
      if (this.alertStates.get(key) === 'firing' && isResolved(alert, now)) {
        this.alertStates.set(key, 'resolved');
        this.historyLog.append({ kind: 'alert', time: alert.endsAt, fingerprint: key, labels: alert.labels, event: 'resolved', startsAt: alert.startsAt, endsAt: alert.endsAt });
      }
    }
  }

  private recordStatusChange(key: string, previous: AlertStatus, next: AlertStatus): void {
    const alert = this.store.get(key);
    if (alert === undefined) return;
    const time = this.scheduler.now();
    const base = { kind: 'alert' as const, time, fingerprint: key, labels: alert.labels };
    if (next.silencedBy.length > 0 && !sameIds(previous.silencedBy, next.silencedBy)) this.historyLog.append({ ...base, event: 'silenced', by: next.silencedBy });
    if (next.inhibitedBy.length > 0 && !sameIds(previous.inhibitedBy, next.inhibitedBy)) this.historyLog.append({ ...base, event: 'inhibited', by: next.inhibitedBy });
    if (previous.state === 'suppressed' && next.state === 'active') this.historyLog.append({ ...base, event: 'unmuted' });
  }

  // -------------------------------------------------------------------------------------------------
  // Maintenance and persistence
  // -------------------------------------------------------------------------------------------------

  private every(intervalMs: number, task: () => void | Promise<void>): void {
    const tick = () => {
      if (this.stopped) return;
      void Promise.resolve()
        .then(task)
        .catch((error: unknown) => this.log('error', 'maintenance failed', { err: (error as Error).message }))
        .finally(() => {
          if (!this.stopped) this.timers.push(this.scheduler.schedule(intervalMs, tick));
        });
    };
    this.timers.push(this.scheduler.schedule(intervalMs, tick));
  }

  private collectAlerts(): void {
    const now = this.scheduler.now();
    for (const [key] of this.store.gc(now)) {
      this.marker.delete(key);
      this.alertStates.delete(key);
    }
    this.running?.inhibitor.collect(now);
    this.persistSoon();
  }

  private async maintenance(): Promise<void> {
    this.notificationLog.gc(this.scheduler.now());
    this.persist();
    await this.historyLog.applyRetention();
  }

  /** Writes the state within a second, once however many changes come in between. */
  private persistSoon(): void {
    if (this.persistTimer !== null || this.stopped) return;
    this.persistTimer = this.scheduler.schedule(1000, () => {
      this.persistTimer = null;
      this.persist();
    });
  }

  /** Writes alerts, the notification log and group timings, each atomically; failures are logged. */
  persist(): void {
    const started = performance.now();
    const write = (file: string, value: unknown): number => {
      try {
        return writeSnapshot(file, value);
      } catch (error) {
        this.notificationLog.counters.maintenanceErrors++;
        this.log('error', 'writing a snapshot failed', { component: 'persistence', file, err: (error as Error).message });
        return 0;
      }
    };
    write(this.files.alerts, { alerts: this.store.list() });
    const size = write(this.files.nflog, { entries: this.notificationLog.list() });
    write(this.files.groups, { groups: this.running?.dispatcher.flushRecords() ?? [] });
    this.notificationLog.counters.maintenance++;
    this.notificationLog.counters.lastSnapshotBytes = size;
    this.notificationLog.counters.lastSnapshotSeconds = (performance.now() - started) / 1000;
  }

  /** Loads alerts and the notification log; a corrupt file is reported and the rest loads. */
  private restoreState(): void {
    const now = this.scheduler.now();
    const alerts = readSnapshot(this.files.alerts);
    if (!alerts.ok) this.log('error', `alerts snapshot unreadable, starting without its alerts: ${alerts.problem}`, { component: 'persistence' });
    else if (alerts.value !== null) {
      const list = Array.isArray(alerts.value.alerts) ? alerts.value.alerts : [];
      const restored: Alert[] = [];
      let malformed = 0;
      for (const raw of list) {
        const alert = parseStoredAlert(raw);
        if (alert === null) malformed++;
        else restored.push(alert);
      }
      if (malformed > 0) this.log('warn', `alerts snapshot: ${malformed} malformed alerts skipped`, { component: 'persistence', file: this.files.alerts });
      this.store.restore(restored);
      for (const [key, alert] of this.store.entries()) this.alertStates.set(key, isResolved(alert, now) ? 'resolved' : 'firing');
    }
    const nflog = readSnapshot(this.files.nflog);
    if (!nflog.ok) this.log('error', `notification log snapshot unreadable, starting with an empty log: ${nflog.problem}`, { component: 'persistence' });
    else if (nflog.value !== null) {
      const problems = this.notificationLog.restore(Array.isArray(nflog.value.entries) ? nflog.value.entries : [], now);
      if (problems.length > 0) this.log('warn', `notification log snapshot: ${problems.length} malformed entries skipped`, { component: 'persistence', file: this.files.nflog });
    }
  }

  private readGroupRecords(): GroupFlushRecord[] {
    const groups = readSnapshot(this.files.groups);
    if (!groups.ok) {
      this.log('error', `aggregation group snapshot unreadable, groups wait group_wait again: ${groups.problem}`, { component: 'persistence' });
      return [];
    }
    if (groups.value === null || !Array.isArray(groups.value.groups)) return [];
    return groups.value.groups.filter(
      (record): record is GroupFlushRecord =>
        typeof record === 'object' && record !== null && typeof record.routeId === 'string' && typeof record.groupKey === 'string' && typeof record.lastFlush === 'number',
    );
  }

  /** Stops notifying, writes the state and the silences, and finishes the history writes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A reload in progress finishes first, so the parts it starts are the ones stopped here.
    await this.reloading;
    for (const timer of this.timers) timer.cancel();
    this.persistTimer?.cancel();
    if (this.running !== null) {
      this.running.inhibitor.stop();
      await this.running.dispatcher.stop();
    }
    this.persist();
    this.silences.stop();
    await this.historyLog.flush();
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/** Alertmanager's own metrics, under its names, reading the notifier's state when scraped. */
function createMetrics(registry: Registry, alertmanager: Alertmanager) {
  const registers = [registry];
  new Gauge({
    name: 'alertmanager_alerts',
    help: 'How many alerts by state.',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = alertmanager.alertCounts();
      for (const state of ['active', 'suppressed', 'unprocessed'] as const) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'alertmanager_marked_alerts',
    help: 'How many alerts by state are currently marked in the Alertmanager regardless of their expiry.',
    labelNames: ['state'],
    registers,
    collect() {
      const keys = [...alertmanager.store.entries()].map(([key]) => key);
      for (const state of ['active', 'suppressed', 'unprocessed'] as const) this.set({ state }, alertmanager.marker.count(state, keys));
    },
  });
  new Gauge({ name: 'alertmanager_dispatcher_aggregation_groups', help: 'Number of active aggregation groups', registers, collect() { this.set(alertmanager.groupCount); } });
  new Gauge({ name: 'alertmanager_silences', help: 'How many silences by state.', labelNames: ['state'], registers, collect() {
    for (const state of ['active', 'pending', 'expired'] as const) this.set({ state }, alertmanager.silences.query({ states: [state] }).length);
  } });
  new Gauge({ name: 'alertmanager_config_last_reload_successful', help: 'Whether the last configuration reload attempt was successful.', registers, collect() { this.set(alertmanager.reloadStatus.ok ? 1 : 0); } });
  new Gauge({ name: 'alertmanager_config_last_reload_success_timestamp_seconds', help: 'Timestamp of the last successful configuration reload.', registers, collect() { this.set(alertmanager.reloadStatus.lastSuccess / 1000); } });
  new Gauge({ name: 'alertmanager_config_hash', help: 'Hash of the currently loaded alertmanager configuration.', registers, collect() { this.set(alertmanager.reloadStatus.hash); } });
  const nflog = alertmanager.notificationLog.counters;
  new Counter({ name: 'alertmanager_nflog_queries_total', help: 'Number of notification log queries were received.', registers, collect() { this.reset(); this.inc(nflog.queries); } });
  new Counter({ name: 'alertmanager_nflog_query_errors_total', help: 'Number notification log received queries that failed.', registers, collect() { this.reset(); this.inc(nflog.queryErrors); } });
  new Counter({ name: 'alertmanager_nflog_maintenance_total', help: 'How many maintenances were executed for the notification log.', registers, collect() { this.reset(); this.inc(nflog.maintenance); } });
  new Counter({ name: 'alertmanager_nflog_maintenance_errors_total', help: 'How many maintenances were executed for the notification log that failed.', registers, collect() { this.reset(); this.inc(nflog.maintenanceErrors); } });
  new Gauge({ name: 'alertmanager_nflog_snapshot_size_bytes', help: 'Size of the last notification log snapshot in bytes.', registers, collect() { this.set(nflog.lastSnapshotBytes); } });
  new Gauge({ name: 'alertmanager_nflog_snapshot_duration_seconds', help: 'Duration of the last notification log snapshot.', registers, collect() { this.set(nflog.lastSnapshotSeconds); } });
  new Gauge({ name: 'alertmanager_nflog_gc_duration_seconds', help: 'Duration of the last notification log garbage collection cycle.', registers, collect() { this.set(nflog.lastGcSeconds); } });
  const history = alertmanager.historyLog.counters;
  new Counter({ name: 'vigil_alertmanager_history_records_written_total', help: 'Alert transitions and delivery attempts written to the history.', registers, collect() { this.reset(); this.inc(history.recordsWritten); } });
  new Counter({ name: 'vigil_alertmanager_history_write_failures_total', help: 'History records lost because they could not be written.', registers, collect() { this.reset(); this.inc(history.writeFailures); } });
  return {
    received: new Counter({ name: 'alertmanager_alerts_received_total', help: 'The total number of received alerts.', labelNames: ['status'], registers }),
    invalid: new Counter({ name: 'alertmanager_alerts_invalid_total', help: 'The total number of received alerts that were invalid.', registers }),
    notifications: new Counter({ name: 'alertmanager_notifications_total', help: 'The total number of attempted notifications.', labelNames: ['integration'], registers }),
    notificationsFailed: new Counter({ name: 'alertmanager_notifications_failed_total', help: 'The total number of failed notifications.', labelNames: ['integration'], registers }),
    requests: new Counter({ name: 'alertmanager_notification_requests_total', help: 'The total number of attempted notification requests.', labelNames: ['integration'], registers }),
    requestsFailed: new Counter({ name: 'alertmanager_notification_requests_failed_total', help: 'The total number of failed notification requests.', labelNames: ['integration'], registers }),
    latency: new Histogram({ name: 'alertmanager_notification_latency_seconds', help: 'The latency of notifications in seconds.', labelNames: ['integration'], buckets: [1, 5, 10, 15, 20], registers }),
    processing: new Summary({ name: 'alertmanager_dispatcher_alert_processing_duration_seconds', help: 'Summary of latencies for the processing of alerts.', percentiles: [], registers }),
    suppressed: new Counter({ name: 'alertmanager_notifications_suppressed_total', help: 'The total number of notifications suppressed for being silenced, inhibited, outside of active time intervals or within muted time intervals.', labelNames: ['reason'], registers }),
  };
}

