/**
 * Alerting rules (Prometheus's rules/alerting.go): each evaluation turns the expression's samples
 * into alerts that move inactive → pending → firing → resolved, expands their labels and
 * annotations, and yields the `ALERTS` and `ALERTS_FOR_STATE` samples to store.
 */
import type { Labels } from '../model/index.ts';
import { METRIC_NAME, formatLabels, labelsFromRecord, labelsKey, labelsToRecord } from '../model/index.ts';
import type { Expr } from '../query/promql/ast.ts';
import { formatExpr } from '../query/promql/parser/index.ts';
import { expandAlertTemplate } from '../template/index.ts';
import type { RuleQueryFunction, RuleSample } from './query.ts';
import { templateQueryFunction } from './query.ts';

export const ALERT_METRIC_NAME = 'ALERTS';
export const ALERT_FOR_STATE_METRIC_NAME = 'ALERTS_FOR_STATE';
export const ALERT_STATE_LABEL = 'alertstate';
export const ALERT_NAME_LABEL = 'alertname';
/** How long a resolved alert is kept (and re-sent), as Prometheus's resolvedRetention. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export type AlertState = 'inactive' | 'pending' | 'firing';
/** `ok` and `err` after an evaluation; `unknown` before the first. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** One alert of an alerting rule. Times are ms since the epoch; null is "not set" (Go's zero time). */
export interface RuleAlert {
  state: AlertState;
  /** The sample's labels without `__name__`, plus the rule's (expanded) labels and `alertname`. */
  labels: Labels;
  /** Expanded annotations, by name (sorted). */
  annotations: Record<string, string>;
  /** The expression's value at the last evaluation. */
  value: number;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  lastSentAt: number | null;
  validUntil: number | null;
  keepFiringSince: number | null;
}

/** What every rule evaluation receives from its group. */
export interface RuleEvaluationContext {
  /** The group's evaluation time, ms. */
  time: number;
  /** The query runs at `time - queryOffsetMs`; written samples carry that time too. */
  queryOffsetMs: number;
  query: RuleQueryFunction;
  /** Most alerts (or series) a rule may produce; 0 for no limit. */
  limit: number;
  /** Where a failing template is reported (the text also becomes the label or annotation). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

export interface AlertingRuleOptions {
  name: string;
  query: Expr;
  /** `for`, ms. */
  holdDurationMs?: number;
  keepFiringForMs?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /**
   * Whether the `for` state is already restored (or need not be). Until it is, the rule writes no
   * `ALERTS`/`ALERTS_FOR_STATE` samples, as Prometheus does, so a restart does not record a gap.
   */
  restored?: boolean;
}

export class AlertingRule {
  readonly kind = 'alert' as const;
  readonly name: string;
  readonly query: Expr;
  /** The expression in canonical form (what is queried and shown). */
  readonly expression: string;
  readonly holdDurationMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  restored: boolean;
  health: RuleHealth = 'unknown';
  lastError: string | null = null;
  /** Wall-clock time the last evaluation started, ms; null before the first. */
  lastEvaluation: number | null = null;
  /** How long the last evaluation took, seconds. */
  evaluationSeconds = 0;
  /** Active alerts by label-set key, in the order they appeared. */
  private active = new Map<string, RuleAlert>();

  constructor(options: AlertingRuleOptions) {
    this.name = options.name;
    this.query = options.query;
    this.expression = formatExpr(options.query);
    this.holdDurationMs = options.holdDurationMs ?? 0;
    this.keepFiringForMs = options.keepFiringForMs ?? 0;
    this.labels = sortedRecord(options.labels ?? {});
    this.annotations = sortedRecord(options.annotations ?? {});
    this.externalLabels = options.externalLabels ?? {};
    this.externalURL = options.externalURL ?? '';
    this.restored = options.restored ?? true;
  }

  /** Evaluates the rule at `context.time` and returns the `ALERTS`/`ALERTS_FOR_STATE` samples to write. */
  async evaluate(context: RuleEvaluationContext): Promise<RuleSample[]> {
    const { time, queryOffsetMs } = context;
    const result = await context.query(this.query, time - queryOffsetMs);
    const templateQuery = templateQueryFunction(context.query, time);
    const fresh = new Map<string, RuleAlert>();
    for (const sample of result) {
      const templateLabels = labelsToRecord(sample.labels);
      const expand = async (text: string): Promise<string> => {
        const expanded = await expandAlertTemplate(
          text,
          { labels: templateLabels, externalLabels: { ...this.externalLabels }, externalURL: this.externalURL, value: sample.value },
          { alertName: this.name, timestampMilliseconds: time, query: templateQuery, externalURL: this.externalURL },
        );
        if (expanded.startsWith('<error expanding template: ')) context.warn?.('expanding alert template failed', { alert: this.name, error: expanded });
        return expanded;
      };
      const labels: Record<string, string> = { ...templateLabels };
      delete labels[METRIC_NAME];
      for (const [name, text] of Object.entries(this.labels)) labels[name] = await expand(text);
      labels[ALERT_NAME_LABEL] = this.name;
      const annotations: Record<string, string> = {};
      for (const [name, text] of Object.entries(this.annotations)) annotations[name] = await expand(text);
      const canonical = labelsFromRecord(labels);
      const key = labelsKey(canonical);
      if (fresh.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      fresh.set(key, {
        state: 'pending',
        labels: canonical,
        annotations,
        value: sample.value,
        activeAt: time,
        firedAt: null,
        resolvedAt: null,
        lastSentAt: null,
        validUntil: null,
        keepFiringSince: null,
      });
    }

    for (const [key, alert] of fresh) {
      const existing = this.active.get(key);
      if (existing !== undefined && existing.state !== 'inactive') {
        existing.value = alert.value;
        existing.annotations = alert.annotations;
        continue;
      }
      this.active.set(key, alert);
    }

    const output: RuleSample[] = [];
    let activeOrPending = 0;
    for (const [key, alert] of this.active) {
      if (!fresh.has(key)) {
        // The condition no longer holds: keep firing for `keep_firing_for`, else resolve.
        let keepFiring = false;
        if (alert.state === 'firing' && this.keepFiringForMs > 0) {
          if (alert.keepFiringSince === null) alert.keepFiringSince = time;
          if (time - alert.keepFiringSince < this.keepFiringForMs) keepFiring = true;
        }
        // Resolved alerts stay for the retention period, so their resolution keeps being sent.
        if (alert.state === 'pending' || (alert.resolvedAt !== null && time - alert.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (alert.state !== 'inactive' && !keepFiring) {
          alert.state = 'inactive';
          alert.resolvedAt = time;
        }
        if (!keepFiring) continue;
      } else {
        alert.keepFiringSince = null;
      }
      activeOrPending++;
      if (alert.state === 'pending' && time - alert.activeAt >= this.holdDurationMs) {
        alert.state = 'firing';
        alert.firedAt = time;
      }
      // A longer `for` after a reload can send a firing alert back to pending.
      if (alert.state === 'firing' && time - alert.activeAt < this.holdDurationMs) {
        alert.state = 'pending';
        alert.firedAt = null;
        alert.lastSentAt = null;
        alert.keepFiringSince = null;
      }
      if (this.restored) {
        output.push({ labels: this.alertsSeriesLabels(alert), timestamp: time - queryOffsetMs, value: 1 });
        output.push({ labels: this.forStateSeriesLabels(alert), timestamp: time - queryOffsetMs, value: Math.floor(alert.activeAt / 1000) });
      }
    }
    if (context.limit > 0 && activeOrPending > context.limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${context.limit} with ${activeOrPending} alerts`);
    }
    return output;
  }

  /** `ALERTS{…, alertstate}`: the rule's labels as written, overridden by the alert's. */
  alertsSeriesLabels(alert: RuleAlert): Labels {
    return labelsFromRecord({ ...this.labels, ...labelsToRecord(alert.labels), [METRIC_NAME]: ALERT_METRIC_NAME, [ALERT_NAME_LABEL]: this.name, [ALERT_STATE_LABEL]: alert.state });
  }

  /** `ALERTS_FOR_STATE{…}`; without an alert, the labels every such series of this rule shares. */
  forStateSeriesLabels(alert: RuleAlert | null): Labels {
    return labelsFromRecord({ ...this.labels, ...(alert === null ? {} : labelsToRecord(alert.labels)), [METRIC_NAME]: ALERT_FOR_STATE_METRIC_NAME, [ALERT_NAME_LABEL]: this.name });
  }

  /** The highest state among the alerts; `unknown` before the first evaluation (Prometheus's State()). */
  state(): AlertState | 'unknown' {
    if (this.lastEvaluation === null) return 'unknown';
    let state: AlertState = 'inactive';
    for (const alert of this.active.values()) {
      if (alert.state === 'firing') return 'firing';
      if (alert.state === 'pending') state = 'pending';
    }
    return state;
  }

  /** Pending and firing alerts (copies). */
  activeAlerts(): RuleAlert[] {
    return this.currentAlerts().filter((alert) => alert.resolvedAt === null);
  }

  /** Every alert held, resolved ones (kept for 15 minutes) included (copies). */
  currentAlerts(): RuleAlert[] {
    return [...this.active.values()].map((alert) => ({ ...alert }));
  }

  /** The live alerts, for restoring state; callers may change `activeAt`. */
  liveAlerts(): Iterable<RuleAlert> {
    return this.active.values();
  }

  /**
   * The alerts to send at `time` (Prometheus's sendAlerts): firing ones every `resendDelay`,
   * resolved ones again after they resolved; each valid for 4 × max(interval, resendDelay).
   */
  alertsToSend(time: number, resendDelayMs: number, intervalMs: number): RuleAlert[] {
    const out: RuleAlert[] = [];
    for (const alert of this.active.values()) {
      if (alert.state === 'pending') continue;
      const resolvedSinceSent = alert.resolvedAt !== null && (alert.lastSentAt === null || alert.resolvedAt > alert.lastSentAt);
      if (!resolvedSinceSent && alert.lastSentAt !== null && !(alert.lastSentAt + resendDelayMs < time)) continue;
      alert.lastSentAt = time;
      alert.validUntil = time + 4 * Math.max(intervalMs, resendDelayMs);
      out.push({ ...alert });
    }
    return out;
  }

  /** Takes over the alerts of the same rule from before a reload. */
  copyAlertsFrom(other: AlertingRule): void {
    for (const [key, alert] of other.active) this.active.set(key, alert);
  }

  /** Name plus labels: how a reload matches a rule with its predecessor (Prometheus's nameAndLabels). */
  identity(): string {
    return `${this.name}${formatLabels(labelsFromRecord(this.labels))}`;
  }

  /** Everything that defines the rule; two rules with the same text are the same rule. */
  definitionText(): string {
    return JSON.stringify(['alert', this.name, this.expression, this.holdDurationMs, this.keepFiringForMs, this.labels, this.annotations, this.externalLabels, this.externalURL]);
  }
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}
