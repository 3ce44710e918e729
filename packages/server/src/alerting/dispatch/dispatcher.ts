import type { Marker } from '../marker.ts';
import type { FlushContext, Stage } from '../notify/index.ts';
import type { AlertStore } from '../provider/index.ts';
import type { Scheduler, TimerHandle } from '../scheduler.ts';
import { isResolved } from '../types.ts';
import type { Alert, LabelSet, MatchedRoute } from '../types.ts';
import { compareAlerts, formatLabelSet, labelSetBefore } from './labels.ts';

/** Alertmanager's `notify.MinTimeout`: a flush may always take at least this long. */
const MIN_FLUSH_TIMEOUT_MS = 10_000;

/** When an aggregation group last flushed, to carry its rhythm over a restart or reload. */
export interface GroupFlushRecord {
  routeId: string;
  groupKey: string;
  /** ms. */
  lastFlush: number;
}

/** An aggregation group as the API lists it. */
export interface AlertGroupView {
  labels: LabelSet;
  receiver: string;
  groupKey: string;
  routeId: string;
  /** The group's alerts with their fingerprints, in notification order. */
  alerts: { fingerprint: string; alert: Alert }[];
}

export type DispatchLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface DispatcherOptions {
  store: AlertStore;
  /** The routing tree: the routes an alert's labels match, in order (from the config). */
  routes: (labels: LabelSet) => readonly MatchedRoute[];
  pipeline: Stage;
  scheduler: Scheduler;
  marker: Marker;
  /** Flush times of groups from before a restart or reload. */
  restoredFlushes?: readonly GroupFlushRecord[];
  log?: DispatchLog;
  /** Told after each flush, with whether it succeeded. */
  onFlush?: (group: AlertGroupView, ok: boolean) => void;
  /** Told how long routing each alert took (`alertmanager_dispatcher_alert_processing_duration_seconds`). */
  onRouted?: (seconds: number) => void;
}

export interface DispatcherCounters {
  /** Alerts routed, and seconds spent routing them (`alertmanager_dispatcher_alert_processing_duration_seconds`). */
  alertsProcessed: number;
  processingSeconds: number;
}

/** The labels an alert is grouped by on a route: its values of `group_by`, or all for `['...']`. */
export function groupLabels(labels: LabelSet, groupBy: readonly string[] | 'all'): LabelSet {
  if (groupBy === 'all') return { ...labels };
  const result: Record<string, string> = {};
  for (const name of groupBy) if (labels[name] !== undefined) result[name] = labels[name];
  return result;
}

/** Alertmanager's group key: the route's key, then the group labels, `{}/{severity="critical"}:{alertname="X"}`. */
export function groupKey(route: MatchedRoute, labels: LabelSet): string {
  return `${route.key}:${formatLabelSet(labels)}`;
}

/**
 * Routes every alert of the store into aggregation groups, one per (route, group labels), and flushes
 * each group through the pipeline on Alertmanager's timers: first after `group_wait` (at once when
 * the alert is already older than that), then every `group_interval`. `repeat_interval` is the dedup
 * stage's business. Resolved alerts leave a group after a flush that notified them.
 */
export class Dispatcher {
  private readonly groups = new Map<string, AggregationGroup>();
  private readonly restored = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private stopped = false;
  readonly counters: DispatcherCounters = { alertsProcessed: 0, processingSeconds: 0 };

  constructor(private readonly options: DispatcherOptions) {
    for (const record of options.restoredFlushes ?? []) this.restored.set(groupId(record.routeId, record.groupKey), record.lastFlush);
    const subscription = options.store.subscribe((alert, key) => this.route(alert, key));
    this.unsubscribe = subscription.unsubscribe;
    for (const [key, alert] of subscription.alerts) this.route(alert, key);
    // Restored timings are for the groups of the alerts held now; a group formed later starts afresh.
    this.restored.clear();
  }

  get groupCount(): number {
    return this.groups.size;
  }

  private route(alert: Alert, alertFingerprint: string): void {
    if (this.stopped) return;
    const started = performance.now();
    for (const route of this.options.routes(alert.labels)) this.insert(alert, alertFingerprint, route);
    const seconds = (performance.now() - started) / 1000;
    this.counters.alertsProcessed++;
    this.counters.processingSeconds += seconds;
    this.options.onRouted?.(seconds);
  }

  private insert(alert: Alert, alertFingerprint: string, route: MatchedRoute): void {
    const labels = groupLabels(alert.labels, route.options.groupBy);
    const key = groupKey(route, labels);
    const id = groupId(route.id, key);
    const existing = this.groups.get(id);
    if (existing !== undefined) {
      existing.alerts.set(alertFingerprint, alert);
      return;
    }
    const group = new AggregationGroup(this, route, labels, key);
    group.alerts.set(alertFingerprint, alert);
    this.groups.set(id, group);
    const now = this.options.scheduler.now();
    const lastFlush = this.restored.get(id);
    if (lastFlush !== undefined) {
      // This group notified before the restart: keep its rhythm instead of waiting group_wait again.
      this.restored.delete(id);
      group.lastFlush = lastFlush;
      group.schedule(Math.max(0, lastFlush + route.options.groupInterval - now));
    } else if (alert.startsAt + route.options.groupWait < now) {
      group.schedule(0);
    } else {
      group.schedule(route.options.groupWait);
    }
  }

  /** @internal The group finished a flush and holds nothing: drop it. */
  removeGroup(group: AggregationGroup): void {
    const id = groupId(group.route.id, group.key);
    if (this.groups.get(id) === group) {
      this.groups.delete(id);
      this.options.marker.deleteGroup(group.route.id, group.key);
    }
  }

  /** @internal */
  get settings(): DispatcherOptions {
    return this.options;
  }

  /** @internal */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** The aggregation groups and their alerts, sorted by group labels then receiver as Alertmanager lists them. */
  listGroups(): AlertGroupView[] {
    const views = [...this.groups.values()].filter((group) => group.alerts.size > 0).map((group) => group.view());
    views.sort((a, b) => {
      if (labelSetBefore(a.labels, b.labels)) return -1;
      if (labelSetBefore(b.labels, a.labels)) return 1;
      return a.receiver < b.receiver ? -1 : a.receiver > b.receiver ? 1 : 0;
    });
    return views;
  }

  /** For each alert fingerprint, the receivers of the groups holding it. */
  receiversByAlert(): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const group of this.groups.values()) {
      for (const key of group.alerts.keys()) {
        const list = result.get(key) ?? [];
        list.push(group.route.options.receiver);
        result.set(key, list);
      }
    }
    for (const list of result.values()) list.sort();
    return result;
  }

  /** When each group last flushed, for snapshots and reloads. */
  flushRecords(): GroupFlushRecord[] {
    const records: GroupFlushRecord[] = [];
    for (const group of this.groups.values()) if (group.lastFlush !== 0) records.push({ routeId: group.route.id, groupKey: group.key, lastFlush: group.lastFlush });
    return records;
  }

  /** Resolves when no group is flushing. */
  async idle(): Promise<void> {
    await Promise.all([...this.groups.values()].map((group) => group.current));
  }

  /** Stops routing and timers, aborts flushes in progress and waits for them to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    const flushes: Promise<void>[] = [];
    for (const group of this.groups.values()) flushes.push(group.stop());
    await Promise.all(flushes);
  }
}

function groupId(routeId: string, key: string): string {
  return `${routeId}\u0000${key}`;
}

/** The alerts of one (route, group labels), and the timer that flushes them. */
class AggregationGroup {
  readonly alerts = new Map<string, Alert>();
  lastFlush = 0;
  current: Promise<void> = Promise.resolve();
  private timer: TimerHandle | null = null;
  private flushing = false;
  /** The timer fired while a flush was still running: flush again right after it. */
  private flushPending = false;
  private abort: AbortController | null = null;

  constructor(
    private readonly dispatcher: Dispatcher,
    readonly route: MatchedRoute,
    readonly labels: LabelSet,
    readonly key: string,
  ) {}

  schedule(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.dispatcher.settings.scheduler.schedule(delayMs, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = null;
    if (this.dispatcher.isStopped) return;
    if (this.flushing) {
      this.flushPending = true;
      return;
    }
    this.current = this.flush();
  }

  view(): AlertGroupView {
    const alerts = [...this.alerts.entries()].map(([key, alert]) => ({ fingerprint: key, alert }));
    alerts.sort((a, b) => compareAlerts(a.alert, b.alert));
    return { labels: this.labels, receiver: this.route.options.receiver, groupKey: this.key, routeId: this.route.id, alerts };
  }

  private async flush(): Promise<void> {
    const { scheduler, pipeline, log, onFlush } = this.dispatcher.settings;
    const options = this.route.options;
    const now = scheduler.now();
    // The next flush is due one group_interval from now, whatever this one does.
    this.schedule(options.groupInterval);
    if (this.alerts.size === 0) return;
    this.flushing = true;
    this.lastFlush = now;
    const flushed = new Map(this.alerts);
    const notified: Alert[] = [];
    for (const alert of flushed.values()) notified.push(isResolved(alert, now) ? { ...alert } : { ...alert, endsAt: 0 });
    notified.sort(compareAlerts);
    const abort = new AbortController();
    this.abort = abort;
    const timeout = scheduler.schedule(Math.max(options.groupInterval, MIN_FLUSH_TIMEOUT_MS), () => abort.abort(new Error('context deadline exceeded')));
    const context: FlushContext = {
      receiver: options.receiver,
      groupKey: this.key,
      groupLabels: this.labels,
      routeId: this.route.id,
      repeatInterval: options.repeatInterval,
      muteTimeIntervals: options.muteTimeIntervals,
      activeTimeIntervals: options.activeTimeIntervals,
      now,
      signal: abort.signal,
    };
    let ok = false;
    try {
      await pipeline(context, notified);
      ok = true;
    } catch (error) {
      log?.(abort.signal.aborted && this.dispatcher.isStopped ? 'debug' : 'error', 'Notify for alerts failed', { aggrGroup: this.key, num_alerts: notified.length, err: (error as Error).message });
    } finally {
      timeout.cancel();
      this.abort = null;
    }
    if (ok) {
      // Resolved alerts leave once notified, unless they changed during the flush.
      for (const [key, alert] of flushed) {
        if (isResolved(alert, now) && this.alerts.get(key)?.updatedAt === alert.updatedAt) this.alerts.delete(key);
      }
    }
    onFlush?.(this.view(), ok);
    this.flushing = false;
    if (this.dispatcher.isStopped) return;
    if (this.alerts.size === 0) {
      this.timer?.cancel();
      this.timer = null;
      this.dispatcher.removeGroup(this);
      return;
    }
    if (this.flushPending) {
      this.flushPending = false;
      this.current = this.flush();
    }
  }

  stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.abort?.abort(new Error('context canceled'));
    return this.current;
  }
}

