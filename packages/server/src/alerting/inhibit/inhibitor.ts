/**
 * Inhibition with Alertmanager's semantics (inhibit/inhibit.go): an alert matching a rule's target
 * matchers is muted while an unresolved alert matching its source matchers has the same values for
 * the rule's `equal` labels. An alert that matches both sides of a rule is not inhibited by source
 * alerts that also match both sides, so such alerts cannot silence each other.
 */
import { fingerprint, isResolved } from '../types.ts';
import type { Alert, LabelSet } from '../types.ts';
import { systemClock } from '../../model/index.ts';
import type { Clock } from '../../model/index.ts';

/** A matcher as the inhibitor needs it (Alertmanager's matcher and `model/` LabelMatcher both fit). */
export interface InhibitMatcher {
  readonly name: string;
  matches(value: string): boolean;
}

/** An inhibit rule as resolved from `inhibit_rules` (legacy `source_match(_re)` already converted). */
export interface InhibitRule {
  sourceMatchers: readonly InhibitMatcher[];
  targetMatchers: readonly InhibitMatcher[];
  equal: readonly string[];
}

/**
 * Where the inhibitor reads alerts from: the current alerts and every alert stored afterwards (the
 * notifier's alert store; a stored alert replaces the one with the same fingerprint).
 */
export interface InhibitorAlertSource {
  subscribe(listener: (alert: Alert, alertFingerprint: string) => void): { alerts: Iterable<readonly [string, Alert]>; unsubscribe: () => void };
}

export interface InhibitorOptions {
  rules: readonly InhibitRule[];
  alerts: InhibitorAlertSource;
  clock?: Clock;
}

function matchesAll(matchers: readonly InhibitMatcher[], labels: LabelSet): boolean {
  for (const matcher of matchers) if (!matcher.matches(Object.hasOwn(labels, matcher.name) ? labels[matcher.name] : '')) return false;
  return true;
}

/** One rule with its cache of source alerts, indexed by the values of the `equal` labels. */
class RuleState {
  /** Equal-label key → source alert fingerprint → alert, in arrival order. */
  private readonly sources = new Map<string, Map<string, Alert>>();
  /** Source fingerprint → its equal-label key, to move or drop an alert. */
  private readonly keyOf = new Map<string, string>();

  constructor(readonly rule: InhibitRule) {}

  /** The `equal` labels' values as one key; absent labels are the empty string, as Alertmanager compares them. */
  equalKey(labels: LabelSet): string {
    return JSON.stringify(this.rule.equal.map((name) => (Object.hasOwn(labels, name) ? labels[name] : '')));
  }

  observe(alert: Alert, alertFingerprint: string): void {
    const previousKey = this.keyOf.get(alertFingerprint);
    if (previousKey !== undefined) {
      this.sources.get(previousKey)?.delete(alertFingerprint);
      if (this.sources.get(previousKey)?.size === 0) this.sources.delete(previousKey);
      this.keyOf.delete(alertFingerprint);
    }
    if (!matchesAll(this.rule.sourceMatchers, alert.labels)) return;
    const key = this.equalKey(alert.labels);
    let bucket = this.sources.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.sources.set(key, bucket);
    }
    bucket.set(alertFingerprint, alert);
    this.keyOf.set(alertFingerprint, key);
  }

  /** The fingerprint of an unresolved source alert inhibiting `labels`, or null. */
  inhibitingSource(labels: LabelSet, excludeTwoSided: boolean, now: number): string | null {
    const bucket = this.sources.get(this.equalKey(labels));
    if (bucket === undefined) return null;
    for (const [sourceFingerprint, source] of bucket) {
      if (isResolved(source, now)) continue;
      if (excludeTwoSided && matchesAll(this.rule.targetMatchers, source.labels)) continue;
      return sourceFingerprint;
    }
    return null;
  }

  /** Drops resolved source alerts (Alertmanager collects its source caches every 15 minutes). */
  collect(now: number): void {
    for (const [key, bucket] of this.sources) {
      for (const [sourceFingerprint, source] of bucket) {
        if (!isResolved(source, now)) continue;
        bucket.delete(sourceFingerprint);
        this.keyOf.delete(sourceFingerprint);
      }
      if (bucket.size === 0) this.sources.delete(key);
    }
  }
}

export class Inhibitor {
  private readonly rules: RuleState[];
  private readonly clock: Clock;
  private readonly unsubscribe: () => void;

  constructor(options: InhibitorOptions) {
    this.clock = options.clock ?? systemClock;
    this.rules = options.rules.map((rule) => new RuleState(rule));
    const { alerts, unsubscribe } = options.alerts.subscribe((alert, alertFingerprint) => this.observe(alert, alertFingerprint));
    this.unsubscribe = unsubscribe;
    for (const [alertFingerprint, alert] of alerts) this.observe(alert, alertFingerprint);
  }

  /**
   * The fingerprints of the source alerts inhibiting `labels` now: empty when not inhibited. As
   * Alertmanager, the first rule that inhibits decides and one source is named.
   */
  mutes(labels: LabelSet, now: number = this.clock.now()): string[] {
    for (const state of this.rules) {
      if (!matchesAll(state.rule.targetMatchers, labels)) continue;
      const source = state.inhibitingSource(labels, matchesAll(state.rule.sourceMatchers, labels), now);
      if (source !== null) return [source];
    }
    return [];
  }

  /** Forgets resolved source alerts. */
  collect(now: number = this.clock.now()): void {
    for (const state of this.rules) state.collect(now);
  }

  /** Stops listening to the alert source (on reload a new inhibitor is built from the new rules). */
  stop(): void {
    this.unsubscribe();
  }

  private observe(alert: Alert, alertFingerprint: string = fingerprint(alert.labels)): void {
    for (const state of this.rules) state.observe(alert, alertFingerprint);
  }
}
