/**
 * The rule manager (Prometheus's rules/manager.go): loads the groups of the config's rule files,
 * runs them, swaps them on reload (everything is built first; a bad file keeps the old rules) with
 * the state of unchanged rules carried over, sends their alerts to the sinks, and counts.
 */
import type { PostableAlert } from '../alerting/types.ts';
import type { Scheduler } from '../alerting/index.ts';
import { ConfigError } from '../config/index.ts';
import type { Clock } from '../model/index.ts';
import { labelsFromRecord, labelsToRecord, systemClock } from '../model/index.ts';
import type { RelabelConfig } from '../model/relabel.ts';
import { relabel } from '../model/relabel.ts';
import { AlertingRule } from './alerting.ts';
import { loadRuleFiles } from './file.ts';
import type { RuleGroupDefinition } from './file.ts';
import { RuleGroup } from './group.ts';
import type { Rule, RuleGroupOptions, RuleLogger, RuleStorage } from './group.ts';
import type { RuleQueryFunction } from './query.ts';
import { RecordingRule } from './recording.ts';

/** A receiver of alerts after external labels and `alert_relabel_configs` (an Alertmanager sender, Vigil's own notifier). */
export type AlertSink = (alerts: PostableAlert[]) => void;

/** What the manager needs from prometheus.yml; `update` takes it on every (re)load. */
export interface RuleManagerConfig {
  /** Absolute `rule_files` globs. */
  ruleFiles: readonly string[];
  /** `global.evaluation_interval`, ms. */
  evaluationIntervalMs: number;
  /** `global.rule_query_offset`, ms. */
  ruleQueryOffsetMs: number;
  externalLabels: Readonly<Record<string, string>>;
  /** `alerting.alert_relabel_configs`. */
  alertRelabelConfigs: readonly RelabelConfig[];
}

export interface RuleManagerOptions {
  query: RuleQueryFunction;
  storage: RuleStorage;
  clock?: Clock;
  /** Time and timers of the groups' schedules (a fake one in tests); when given it is also the clock. */
  scheduler?: Scheduler;
  /** `--web.external-url`: generator URLs and `$externalURL`. */
  externalURL?: string;
  /** `--rules.alert.resend-delay`, ms (default 1m). */
  resendDelayMs?: number;
  /** `--rules.alert.for-outage-tolerance`, ms (default 1h). */
  outageToleranceMs?: number;
  /** `--rules.alert.for-grace-period`, ms (default 10m). */
  forGracePeriodMs?: number;
  /** Where alerts go; more can be added with `addSink`. */
  sinks?: AlertSink[];
  log?: RuleLogger;
  /** Rule names and labels as Prometheus 3 (`utf8`, default) or 2 (`legacy`) validate them. */
  nameValidation?: 'legacy' | 'utf8';
}

/** A metric the manager exposes, in the shape Vigil's self-metrics registry reads. */
export interface RuleMetricSource {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames?: string[];
  read: () => number | { labels: Record<string, string>; value: number }[];
}

export class RuleManager {
  private groups = new Map<string, RuleGroup>();
  private config: RuleManagerConfig | null = null;
  private running = false;
  private stopped = false;
  /** Whether the first load happened: groups loaded later do not restore (Prometheus's `restored`). */
  private loadedOnce = false;
  private readonly sinks: AlertSink[];
  private readonly clock: Clock;
  private readonly log: RuleLogger;
  /** Groups removed by a reload, marked stale after two of their intervals. */
  private readonly staleTimers = new Set<NodeJS.Timeout>();
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly options: RuleManagerOptions) {
    this.sinks = [...(options.sinks ?? [])];
    this.clock = options.scheduler ?? options.clock ?? systemClock;
    this.log = options.log ?? (() => {});
  }

  /** Adds a receiver of alerts (e.g. Vigil's in-process notifier). */
  addSink(sink: AlertSink): void {
    this.sinks.push(sink);
  }

  /**
   * Loads the config's rule files and replaces the running groups. Throws a ConfigError naming
   * every problem (file:line:col) and keeps the previous rules when any file is bad.
   */
  update(config: RuleManagerConfig): Promise<void> {
    const next = this.updating.then(() => this.applyUpdate(config));
    this.updating = next.catch(() => {});
    return next;
  }

  private async applyUpdate(config: RuleManagerConfig): Promise<void> {
    if (this.stopped) return;
    const loaded = await loadRuleFiles(config.ruleFiles, { nameValidation: this.options.nameValidation });
    if (loaded.errors.length > 0) throw new ConfigError(loaded.errors);
    const shouldRestore = !this.loadedOnce;
    const built = new Map<string, RuleGroup>();
    for (const definition of loaded.groups) {
      const group = this.buildGroup(definition, config, shouldRestore);
      built.set(group.key, group);
    }
    this.config = config;
    this.loadedOnce = true;
    const previous = this.groups;
    const result = new Map<string, RuleGroup>();
    for (const [key, group] of built) {
      const old = previous.get(key);
      previous.delete(key);
      if (old !== undefined && old.equals(group)) {
        result.set(key, old);
        continue;
      }
      if (old !== undefined) {
        await old.stop();
        group.copyStateFrom(old);
      }
      result.set(key, group);
      if (this.running) group.start();
    }
    for (const old of previous.values()) {
      await old.stop();
      const timer = setTimeout(() => {
        this.staleTimers.delete(timer);
        old.markAllStale(this.clock.now() - old.queryOffsetMs()).catch((error: unknown) => this.log('warn', 'marking series of removed rule group stale failed', { group: old.name, err: (error as Error).message }));
      }, 2 * old.intervalMs);
      timer.unref();
      this.staleTimers.add(timer);
    }
    this.groups = result;
  }

  /** Builds one group from its definition (exported for tests and `vigil test rules`). */
  buildGroup(definition: RuleGroupDefinition, config: RuleManagerConfig, shouldRestore: boolean): RuleGroup {
    return buildRuleGroup(definition, {
      query: this.options.query,
      storage: this.options.storage,
      evaluationIntervalMs: config.evaluationIntervalMs,
      defaultQueryOffsetMs: () => this.config?.ruleQueryOffsetMs ?? config.ruleQueryOffsetMs,
      externalLabels: config.externalLabels,
      externalURL: this.options.externalURL ?? '',
      sendAlerts: (alerts) => this.dispatch(alerts),
      resendDelayMs: this.options.resendDelayMs,
      outageToleranceMs: this.options.outageToleranceMs,
      forGracePeriodMs: this.options.forGracePeriodMs,
      shouldRestore,
      clock: this.clock,
      scheduler: this.options.scheduler,
      log: this.log,
    });
  }

  /** Adds external labels (where the alert has none of that name), applies alert relabeling, fans out. */
  private dispatch(alerts: PostableAlert[]): void {
    const config = this.config;
    if (config === null || this.sinks.length === 0) return;
    const out = relabelAlerts(alerts, config.externalLabels, config.alertRelabelConfigs);
    if (out.length === 0) return;
    for (const sink of this.sinks) {
      try {
        sink(out);
      } catch (error) {
        this.log('error', 'alert sink failed', { err: (error as Error).message });
      }
    }
  }

  /** Starts evaluating (Prometheus's Run: groups loaded before wait for it, so storage is ready first). */
  run(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    for (const group of this.groups.values()) group.start();
  }

  /** Stops every group, waiting for evaluations in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    for (const timer of this.staleTimers) clearTimeout(timer);
    this.staleTimers.clear();
    await this.updating;
    await Promise.all([...this.groups.values()].map((group) => group.stop()));
  }

  /** Resolves when no group is evaluating (tests driving a fake scheduler wait on it between steps). */
  async idle(): Promise<void> {
    await this.updating;
    await Promise.all([...this.groups.values()].map((group) => group.idle()));
  }

  /** The running groups, sorted by file then name (as the rules API lists them). */
  ruleGroups(): RuleGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  alertingRules(): AlertingRule[] {
    return this.ruleGroups().flatMap((group) => group.alertingRules());
  }

  /** Prometheus's rule-manager metrics, read from the groups' plain counters when scraped. */
  metricSources(): RuleMetricSource[] {
    const perGroup = (read: (group: RuleGroup) => number) => () => this.ruleGroups().map((group) => ({ labels: { rule_group: group.key }, value: read(group) }));
    const labelNames = ['rule_group'];
    return [
      { name: 'prometheus_rule_evaluations_total', help: 'The total number of rule evaluations.', type: 'counter', labelNames, read: perGroup((g) => g.counters.evaluations) },
      { name: 'prometheus_rule_evaluation_failures_total', help: 'The total number of rule evaluation failures.', type: 'counter', labelNames, read: perGroup((g) => g.counters.evaluationFailures) },
      { name: 'prometheus_rule_group_iterations_total', help: 'The total number of scheduled rule group evaluations, whether executed or missed.', type: 'counter', labelNames, read: perGroup((g) => g.counters.iterations) },
      { name: 'prometheus_rule_group_iterations_missed_total', help: 'The total number of rule group evaluations missed due to slow rule group evaluation.', type: 'counter', labelNames, read: perGroup((g) => g.counters.iterationsMissed) },
      { name: 'prometheus_rule_group_interval_seconds', help: 'The interval of a rule group.', type: 'gauge', labelNames, read: perGroup((g) => g.intervalMs / 1000) },
      { name: 'prometheus_rule_group_last_duration_seconds', help: 'The duration of the last rule group evaluation.', type: 'gauge', labelNames, read: perGroup((g) => g.evaluationSeconds) },
      { name: 'prometheus_rule_group_last_rule_duration_sum_seconds', help: 'The sum of time in seconds it took to evaluate each rule in the group regardless of concurrency.', type: 'gauge', labelNames, read: perGroup((g) => g.ruleEvaluationSecondsSum()) },
      { name: 'prometheus_rule_group_last_evaluation_timestamp_seconds', help: 'The timestamp of the last rule group evaluation in seconds.', type: 'gauge', labelNames, read: perGroup((g) => (g.lastEvaluation ?? 0) / 1000) },
      { name: 'prometheus_rule_group_last_evaluation_samples', help: 'The number of samples returned during the last rule group evaluation.', type: 'gauge', labelNames, read: perGroup((g) => g.counters.lastSamples) },
      { name: 'prometheus_rule_group_last_restore_duration_seconds', help: 'The duration of the last alert rules alerts restoration using the `ALERTS_FOR_STATE` series.', type: 'gauge', labelNames, read: perGroup((g) => g.counters.lastRestoreSeconds) },
      { name: 'prometheus_rule_group_rules', help: 'The number of rules.', type: 'gauge', labelNames, read: perGroup((g) => g.rules.length) },
    ];
  }
}

/**
 * Everything a group needs besides its definition: the group's own runtime options (documented on
 * RuleGroupOptions), plus the global evaluation interval and the external labels its alerts carry.
 * `shouldRestore` defaults to false here: alerting rules then count as restored.
 */
export type BuildRuleGroupOptions = Pick<
  RuleGroupOptions,
  | 'query'
  | 'storage'
  | 'defaultQueryOffsetMs'
  | 'externalURL'
  | 'sendAlerts'
  | 'resendDelayMs'
  | 'outageToleranceMs'
  | 'forGracePeriodMs'
  | 'shouldRestore'
  | 'clock'
  | 'scheduler'
  | 'log'
> & {
  /** Used when the group sets no `interval`, ms. */
  evaluationIntervalMs: number;
  externalLabels?: Readonly<Record<string, string>>;
};

/** Builds a runnable group from a checked definition (group labels merged under each rule's own). */
export function buildRuleGroup(definition: RuleGroupDefinition, options: BuildRuleGroupOptions): RuleGroup {
  const shouldRestore = options.shouldRestore ?? false;
  const rules: Rule[] = definition.rules.map((rule) => {
    const labels = { ...definition.labels, ...rule.labels };
    if (rule.kind === 'alert') {
      return new AlertingRule({
        name: rule.name,
        query: rule.query,
        holdDurationMs: rule.forMs,
        keepFiringForMs: rule.keepFiringForMs,
        labels,
        annotations: rule.annotations,
        externalLabels: { ...options.externalLabels },
        externalURL: options.externalURL ?? '',
        restored: !shouldRestore,
      });
    }
    return new RecordingRule({ name: rule.name, query: rule.query, labels });
  });
  return new RuleGroup({
    name: definition.name,
    file: definition.file,
    intervalMs: definition.intervalMs > 0 ? definition.intervalMs : options.evaluationIntervalMs,
    limit: definition.limit,
    queryOffsetMs: definition.queryOffsetMs,
    defaultQueryOffsetMs: options.defaultQueryOffsetMs,
    rules,
    query: options.query,
    storage: options.storage,
    sendAlerts: options.sendAlerts,
    externalURL: options.externalURL,
    resendDelayMs: options.resendDelayMs,
    outageToleranceMs: options.outageToleranceMs,
    forGracePeriodMs: options.forGracePeriodMs,
    shouldRestore,
    clock: options.clock,
    scheduler: options.scheduler,
    log: options.log,
  });
}

/** Prometheus's relabelAlerts: external labels fill in missing names, then the relabel configs; dropped alerts vanish. */
export function relabelAlerts(alerts: readonly PostableAlert[], externalLabels: Readonly<Record<string, string>>, configs: readonly RelabelConfig[]): PostableAlert[] {
  const out: PostableAlert[] = [];
  for (const alert of alerts) {
    const record: Record<string, string> = { ...alert.labels };
    for (const [name, value] of Object.entries(externalLabels)) if ((record[name] ?? '') === '') record[name] = value;
    const labels = relabel(labelsFromRecord(record), configs);
    if (labels === null) continue;
    out.push({ ...alert, labels: labelsToRecord(labels) });
  }
  return out;
}

