/**
 * A rule group (Prometheus's rules/group.go): rules evaluated one after the other at the group's
 * interval, their samples written through an appender, stale markers for series that went away,
 * the `for` state restored after a restart, and firing alerts handed to the sender.
 */
import { performance } from 'node:perf_hooks';
import type { Labels } from '../model/index.ts';
import { LabelMatcher, METRIC_NAME, isStaleNaN, labelsHash, labelsKey, labelsToRecord, staleNaN } from '../model/index.ts';
import type { Clock } from '../model/index.ts';
import type { Appender, Querier, Sample } from '../store/index.ts';
import { appendStatusName } from '../store/index.ts';
import type { PostableAlert } from '../alerting/types.ts';
import type { Scheduler, TimerHandle } from '../alerting/index.ts';
import type { AlertingRule, RuleAlert } from './alerting.ts';
import type { RecordingRule } from './recording.ts';
import type { RuleQueryFunction, RuleSample } from './query.ts';

export type Rule = AlertingRule | RecordingRule;

/** Where rules write and what restore reads; a Storage satisfies it. */
export interface RuleStorage {
  appender(): Appender;
  querier(mint: number, maxt: number): Querier;
}

/** Receives the alerts a group sends after each evaluation (labels as the rule made them). */
export type AlertSender = (alerts: PostableAlert[]) => void;

export type RuleLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Plain counters per group, read by the manager's metrics. */
export interface GroupCounters {
  evaluations: number;
  evaluationFailures: number;
  iterations: number;
  iterationsMissed: number;
  lastSamples: number;
  lastRestoreSeconds: number;
}

export interface RuleGroupOptions {
  name: string;
  file: string;
  /** ms. */
  intervalMs: number;
  rules: Rule[];
  /** Most series (recording) or alerts (alerting) per rule; 0 for none. */
  limit?: number;
  /** The group's `query_offset`, ms; undefined uses `defaultQueryOffsetMs`. */
  queryOffsetMs?: number;
  /** The global `rule_query_offset`, read at each evaluation (it can change on reload). */
  defaultQueryOffsetMs?: () => number;
  query: RuleQueryFunction;
  storage: RuleStorage;
  /** Receives firing and recently resolved alerts; nothing is sent without one. */
  sendAlerts?: AlertSender;
  /** `--web.external-url`, for generator URLs. */
  externalURL?: string;
  /** Firing alerts are re-sent this often, ms (default 1m). */
  resendDelayMs?: number;
  /** How far back restore looks for `ALERTS_FOR_STATE`, ms (default 1h). */
  outageToleranceMs?: number;
  /** Least time an alert waits to fire after a restore, ms (default 10m). */
  forGracePeriodMs?: number;
  /** Restore the `for` state after the second evaluation (first load after start). */
  shouldRestore?: boolean;
  /** Wall clock for lastEvaluation and scheduling (default system clock). */
  clock?: Clock;
  /** Time and timers for the evaluation schedule (tests drive it with a fake one); overrides `clock`. Default: the clock and setTimeout. */
  scheduler?: Scheduler;
  log?: RuleLogger;
}

const noLog: RuleLogger = () => {};

export class RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetOverrideMs: number | undefined;
  readonly rules: Rule[];
  readonly counters: GroupCounters = { evaluations: 0, evaluationFailures: 0, iterations: 0, iterationsMissed: 0, lastSamples: 0, lastRestoreSeconds: 0 };
  /** Wall-clock start of the last evaluation, ms; null before the first. */
  lastEvaluation: number | null = null;
  /** The scheduled time of the last evaluation, ms. */
  lastEvaluationTimestamp: number | null = null;
  /** Seconds the last evaluation took. */
  evaluationSeconds = 0;
  shouldRestore: boolean;
  private readonly options: RuleGroupOptions;
  private readonly log: RuleLogger;
  /** Per rule: the series it wrote at its last evaluation, by key. */
  private seriesInPreviousEvaluation: Map<string, Labels>[];
  /** Series of rules that no longer exist, to be marked stale at the next evaluation. */
  private staleSeries: Labels[] = [];
  private stopped = false;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;

  constructor(options: RuleGroupOptions) {
    this.options = options;
    this.name = options.name;
    this.file = options.file;
    this.intervalMs = options.intervalMs;
    this.limit = options.limit ?? 0;
    this.queryOffsetOverrideMs = options.queryOffsetMs;
    this.rules = options.rules;
    this.shouldRestore = options.shouldRestore ?? false;
    this.log = options.log ?? noLog;
    this.seriesInPreviousEvaluation = options.rules.map(() => new Map());
  }

  /** Prometheus's GroupKey: group names are unique per file only. */
  get key(): string {
    return groupKey(this.file, this.name);
  }

  queryOffsetMs(): number {
    return this.queryOffsetOverrideMs ?? this.options.defaultQueryOffsetMs?.() ?? 0;
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((rule): rule is AlertingRule => rule.kind === 'alert');
  }

  /**
   * The latest evaluation slot at or before `now` (ms): slots are `interval` apart, shifted by the
   * group's hash so groups with the same interval do not all run at once (Prometheus's EvalTimestamp).
   */
  evaluationTimestamp(now: number): number {
    const intervalNs = BigInt(this.intervalMs) * 1_000_000n;
    const offset = labelsHash(['file', this.file, 'name', this.name]) % intervalNs;
    const adjusted = BigInt(Math.trunc(now)) * 1_000_000n - offset;
    let remainder = adjusted % intervalNs;
    if (remainder < 0n) remainder += intervalNs;
    const next = adjusted - remainder + offset;
    // Go's time.Unix(0, ns) → ms truncates toward zero.
    return Number(next / 1_000_000n);
  }

  /** Evaluates every rule once at `time` (ms), in order. Never throws: failures are the rules' health. */
  async evaluate(time: number): Promise<void> {
    const clock = this.options.clock;
    const queryOffsetMs = this.queryOffsetMs();
    let samplesTotal = 0;
    for (let index = 0; index < this.rules.length; index++) {
      if (this.stopped) return;
      const rule = this.rules[index];
      const started = performance.now();
      const startedWall = clock?.now() ?? Date.now();
      this.counters.evaluations++;
      try {
        let vector: RuleSample[];
        try {
          vector = await rule.evaluate({
            time,
            queryOffsetMs,
            query: this.options.query,
            limit: this.limit,
            warn: (message, fields) => this.log('warn', message, { group: this.name, ...fields }),
          });
        } catch (error) {
          rule.health = 'err';
          rule.lastError = (error as Error).message;
          this.counters.evaluationFailures++;
          this.log('warn', 'evaluating rule failed', { group: this.name, rule: rule.name, index, err: rule.lastError });
          continue;
        }
        rule.health = 'ok';
        rule.lastError = null;
        samplesTotal += vector.length;
        if (rule.kind === 'alert') this.send(rule, time);
        await this.write(index, rule, vector, time - queryOffsetMs);
      } finally {
        rule.evaluationSeconds = (performance.now() - started) / 1000;
        rule.lastEvaluation = startedWall;
      }
    }
    this.counters.lastSamples = samplesTotal;
    await this.cleanupStaleSeries(time);
  }

  /** Appends the rule's samples and stale markers for the series it no longer produces. */
  private async write(index: number, rule: Rule, vector: RuleSample[], staleTime: number): Promise<void> {
    const appender = this.options.storage.appender();
    const sample: Sample = { kind: 'float', timestamp: 0, value: 0 };
    const returned = new Map<string, Labels>();
    const refused = new Map<string, number>();
    for (const one of vector) {
      sample.timestamp = one.timestamp;
      sample.value = one.value;
      const status = appender.append(0, one.labels, sample);
      if (status < 0) {
        const reason = appendStatusName(status);
        rule.health = 'err';
        rule.lastError = reason;
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
      } else {
        returned.set(labelsKey(one.labels), one.labels);
      }
    }
    for (const [reason, count] of refused) this.log('warn', 'rule evaluation results discarded', { group: this.name, rule: rule.name, reason, count });
    for (const [key, labels] of this.seriesInPreviousEvaluation[index]) {
      if (returned.has(key)) continue;
      // The series is no longer produced: mark it stale. Refusals are expected when another rule now writes it.
      sample.timestamp = staleTime;
      sample.value = staleNaN();
      appender.append(0, labels, sample);
    }
    try {
      await appender.commit();
      this.seriesInPreviousEvaluation[index] = returned;
    } catch (error) {
      rule.health = 'err';
      rule.lastError = (error as Error).message;
      this.counters.evaluationFailures++;
      this.log('warn', 'rule sample appending failed', { group: this.name, rule: rule.name, err: rule.lastError });
    }
  }

  private async cleanupStaleSeries(time: number): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const appender = this.options.storage.appender();
    const sample: Sample = { kind: 'float', timestamp: time - this.queryOffsetMs(), value: staleNaN() };
    for (const labels of this.staleSeries) appender.append(0, labels, sample);
    try {
      await appender.commit();
      this.staleSeries = [];
    } catch (error) {
      this.log('warn', 'stale sample appending for previous configuration failed', { group: this.name, err: (error as Error).message });
    }
  }

  private send(rule: AlertingRule, time: number): void {
    const sendAlerts = this.options.sendAlerts;
    if (sendAlerts === undefined) {
      // Nobody listens, but the send bookkeeping (lastSentAt, validUntil) still moves as Prometheus's does.
      rule.alertsToSend(time, this.options.resendDelayMs ?? 60_000, this.intervalMs);
      return;
    }
    const alerts = rule.alertsToSend(time, this.options.resendDelayMs ?? 60_000, this.intervalMs);
    if (alerts.length === 0) return;
    const generatorURL = (this.options.externalURL ?? '') + tableLinkForExpression(rule.expression);
    sendAlerts(alerts.map((alert) => toPostableAlert(alert, generatorURL)));
  }

  /**
   * Restores the `for` state of pending alerts from `ALERTS_FOR_STATE` after a restart (Prometheus's
   * RestoreForState): an alert that was pending before the outage continues where it left off,
   * shifted by the downtime, and waits at least the grace period before firing.
   */
  async restoreForState(time: number): Promise<void> {
    const started = performance.now();
    const outageToleranceMs = this.options.outageToleranceMs ?? 3_600_000;
    const gracePeriodMs = this.options.forGracePeriodMs ?? 600_000;
    let querier: Querier | null = null;
    try {
      querier = this.options.storage.querier(time - outageToleranceMs, time);
      for (const rule of this.alertingRules()) {
        const hold = rule.holdDurationMs;
        if (hold < gracePeriodMs) {
          rule.restored = true;
          continue;
        }
        const matchers: LabelMatcher[] = [];
        const shared = rule.forStateSeriesLabels(null);
        for (let i = 0; i < shared.length; i += 2) {
          // Labels with templates differ per alert and would match nothing.
          if (shared[i + 1].includes('{{')) continue;
          matchers.push(new LabelMatcher('=', shared[i], shared[i + 1]));
        }
        const byLabels = new Map<string, { timestamp: number; value: number }>();
        try {
          for (const series of querier.select(matchers)) {
            const record = labelsToRecord(series.labels);
            delete record[METRIC_NAME];
            const iterator = series.iterator();
            let last: { timestamp: number; value: number } | null = null;
            while (iterator.next()) last = { timestamp: iterator.timestamp, value: iterator.value };
            if (last !== null) byLabels.set(recordKey(record), last);
          }
        } catch (error) {
          this.log('error', "failed to restore 'for' state", { alertname: rule.name, stage: 'Select', err: (error as Error).message });
          rule.restored = true;
          continue;
        }
        for (const alert of rule.liveAlerts()) {
          const found = byLabels.get(recordKey(labelsToRecord(alert.labels)));
          if (found === undefined || isStaleNaN(found.value)) continue;
          const downAt = Math.floor(found.timestamp / 1000) * 1000;
          let activeAt = Math.trunc(found.value) * 1000;
          const remaining = hold - (downAt - activeAt);
          if (remaining <= 0) {
            // It was firing when Vigil went down; the next evaluation fires it again if it still holds.
          } else if (remaining < gracePeriodMs) {
            activeAt = time + gracePeriodMs - hold;
          } else {
            activeAt += time - downAt;
          }
          alert.activeAt = activeAt;
          this.log('debug', "'for' state restored", { alertname: rule.name, activeAt: new Date(activeAt).toISOString() });
        }
        rule.restored = true;
      }
    } catch (error) {
      this.log('error', "restoring 'for' state failed", { group: this.name, err: (error as Error).message });
      for (const rule of this.alertingRules()) rule.restored = true;
    } finally {
      querier?.close();
      this.shouldRestore = false;
      this.counters.lastRestoreSeconds = (performance.now() - started) / 1000;
    }
  }

  /**
   * Takes over alert state and written-series bookkeeping from the group this one replaces on a
   * reload, matching rules by name and labels; series of rules that are gone become stale.
   */
  copyStateFrom(previous: RuleGroup): void {
    this.evaluationSeconds = previous.evaluationSeconds;
    this.lastEvaluation = previous.lastEvaluation;
    const byIdentity = new Map<string, number[]>();
    previous.rules.forEach((rule, index) => {
      const list = byIdentity.get(rule.identity()) ?? [];
      list.push(index);
      byIdentity.set(rule.identity(), list);
    });
    this.rules.forEach((rule, index) => {
      const indexes = byIdentity.get(rule.identity());
      if (indexes === undefined || indexes.length === 0) return;
      const from = indexes.shift() as number;
      this.seriesInPreviousEvaluation[index] = previous.seriesInPreviousEvaluation[from];
      const old = previous.rules[from];
      if (rule.kind === 'alert' && old.kind === 'alert') rule.copyAlertsFrom(old);
    });
    this.staleSeries = [...previous.staleSeries];
    for (const indexes of byIdentity.values()) {
      for (const index of indexes) this.staleSeries.push(...previous.seriesInPreviousEvaluation[index].values());
    }
  }

  /** Whether `other` is the same group, rule for rule (a reload keeps an equal group running untouched). */
  equals(other: RuleGroup): boolean {
    if (this.name !== other.name || this.file !== other.file || this.intervalMs !== other.intervalMs || this.limit !== other.limit) return false;
    if (this.queryOffsetOverrideMs !== other.queryOffsetOverrideMs) return false;
    if (this.rules.length !== other.rules.length) return false;
    return this.rules.every((rule, index) => rule.definitionText() === other.rules[index].definitionText());
  }

  /**
   * Starts evaluating on the clock: first at the group's next slot, then every interval; missed
   * slots are skipped and counted. With `shouldRestore`, the `for` state is restored after the
   * second evaluation, when recording rules the alerts may depend on have had a round.
   */
  start(): void {
    const scheduler = this.options.scheduler;
    const clock = scheduler ?? this.options.clock ?? { now: () => Date.now() };
    let evaluationTime = this.evaluationTimestamp(clock.now()) + this.intervalMs;
    let iteration = 0;
    const schedule = () => {
      if (this.stopped) return;
      const delayMs = Math.max(0, evaluationTime - clock.now());
      if (scheduler !== undefined) {
        this.timer = scheduler.schedule(delayMs, tick);
      } else {
        const timer = setTimeout(tick, delayMs);
        this.timer = { cancel: () => clearTimeout(timer) };
      }
    };
    const tick = () => {
      this.timer = null;
      if (this.stopped) return;
      const now = clock.now();
      const missed = iteration === 0 ? 0 : Math.max(0, Math.floor((now - evaluationTime) / this.intervalMs));
      if (missed > 0) {
        this.counters.iterationsMissed += missed;
        this.counters.iterations += missed;
        evaluationTime += missed * this.intervalMs;
      }
      this.running = this.iterate(evaluationTime).then(async () => {
        iteration++;
        if (iteration === 2 && this.shouldRestore && !this.stopped) await this.restoreForState(clock.now());
        evaluationTime += this.intervalMs;
        this.running = null;
        schedule();
      });
    };
    schedule();
  }

  /** One scheduled iteration: the evaluation plus its bookkeeping (Prometheus's DefaultEvalIterationFunc). */
  async iterate(evaluationTime: number): Promise<void> {
    this.counters.iterations++;
    const startedWall = this.options.clock?.now() ?? Date.now();
    const started = performance.now();
    await this.evaluate(evaluationTime);
    this.evaluationSeconds = (performance.now() - started) / 1000;
    this.lastEvaluation = startedWall;
    this.lastEvaluationTimestamp = evaluationTime;
  }

  /** Sum of the rules' last evaluation times, seconds. */
  ruleEvaluationSecondsSum(): number {
    return this.rules.reduce((sum, rule) => sum + rule.evaluationSeconds, 0);
  }

  /** Stops evaluating; resolves when an evaluation in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.running;
  }

  /** Resolves when no evaluation is in progress (and the next one is scheduled); for tests driving a fake scheduler. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /**
   * Marks every series the group wrote stale (its rules were removed). Prometheus waits two
   * intervals first, so a renamed rule's new group can write its series before the old ones go.
   */
  async markAllStale(time: number): Promise<void> {
    for (const series of this.seriesInPreviousEvaluation) this.staleSeries.push(...series.values());
    this.seriesInPreviousEvaluation = this.rules.map(() => new Map());
    const appender = this.options.storage.appender();
    const sample: Sample = { kind: 'float', timestamp: time, value: staleNaN() };
    for (const labels of this.staleSeries) appender.append(0, labels, sample);
    this.staleSeries = [];
    await appender.commit();
  }
}

export function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}

function recordKey(record: Record<string, string>): string {
  return Object.keys(record)
    .sort()
    .map((name) => `${name}\xff${record[name]}`)
    .join('\xff');
}

/** Prometheus's SendAlerts: startsAt is when it fired, endsAt when it resolved or until when it is valid. */
function toPostableAlert(alert: RuleAlert, generatorURL: string): PostableAlert {
  return {
    labels: labelsToRecord(alert.labels),
    annotations: { ...alert.annotations },
    startsAt: alert.firedAt ?? 0,
    endsAt: alert.resolvedAt ?? alert.validUntil ?? 0,
    generatorURL,
  };
}

/** strutil.TableLinkForExpression: the expression in the graph page's table tab. */
export function tableLinkForExpression(expression: string): string {
  return `/graph?g0.expr=${goQueryEscape(expression)}&g0.tab=1`;
}

/** Go's url.QueryEscape: everything but letters, digits and `-_.~` escaped, spaces as `+`. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
