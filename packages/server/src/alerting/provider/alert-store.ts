import { fingerprint, isResolved } from '../types.ts';
import type { Alert } from '../types.ts';

/** Told about every alert stored, after any merge (the dispatcher, the history). */
export type AlertListener = (alert: Alert, fingerprint: string, previous: Alert | undefined) => void;

/**
 * The notifier's alerts, one per label-set fingerprint (Alertmanager's provider/mem). An alert posted
 * again merges with the stored one when their active periods overlap, as Alertmanager's `Merge` does;
 * otherwise it replaces it (a new firing of a resolved alert). Resolved alerts stay until `gc`.
 */
export class AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private readonly listeners = new Set<AlertListener>();

  get size(): number {
    return this.alerts.size;
  }

  get(alertFingerprint: string): Alert | undefined {
    return this.alerts.get(alertFingerprint);
  }

  /** Every stored alert with its fingerprint. */
  *entries(): IterableIterator<[string, Alert]> {
    yield* this.alerts.entries();
  }

  list(): Alert[] {
    return [...this.alerts.values()];
  }

  /** Stores `alerts` (already validated) at `now` and tells the listeners, in order. */
  put(alerts: readonly Alert[], now: number): void {
    for (const incoming of alerts) {
      const key = fingerprint(incoming.labels);
      const previous = this.alerts.get(key);
      let stored = incoming;
      if (previous !== undefined && overlaps(previous, incoming)) stored = mergeAlerts(previous, incoming, now);
      this.alerts.set(key, stored);
      for (const listener of this.listeners) listener(stored, key, previous);
    }
  }

  /**
   * Listens to every alert put from now on; the current alerts are returned so nothing falls between
   * reading them and listening (Alertmanager's SlurpAndSubscribe).
   */
  subscribe(listener: AlertListener): { alerts: [string, Alert][]; unsubscribe: () => void } {
    this.listeners.add(listener);
    return { alerts: [...this.alerts.entries()], unsubscribe: () => this.listeners.delete(listener) };
  }

  /** Drops alerts resolved at `now`; returns them with their fingerprints. */
  gc(now: number): [string, Alert][] {
    const removed: [string, Alert][] = [];
    for (const [key, alert] of this.alerts) {
      if (isResolved(alert, now)) {
        this.alerts.delete(key);
        removed.push([key, alert]);
      }
    }
    return removed;
  }

  /** Replaces the contents with restored alerts, without telling listeners (used before anyone subscribes). */
  restore(alerts: readonly Alert[]): void {
    this.alerts.clear();
    for (const alert of alerts) this.alerts.set(fingerprint(alert.labels), alert);
  }
}

/** Alertmanager's test for merging: the new alert starts or ends within the stored one's active period. */
function overlaps(previous: Alert, incoming: Alert): boolean {
  return (incoming.endsAt > previous.startsAt && incoming.endsAt < previous.endsAt) || (incoming.startsAt > previous.startsAt && incoming.startsAt < previous.endsAt);
}

/**
 * Alertmanager's `Alert.Merge`: the most recently updated alert wins, keeping the earliest start and,
 * unless the newer one is resolved earlier on purpose, the latest end that is not a mere timeout.
 */
export function mergeAlerts(a: Alert, b: Alert, now: number): Alert {
  if (b.updatedAt < a.updatedAt) return mergeAlerts(b, a, now);
  const result: Alert = { ...b };
  if (a.startsAt < b.startsAt) result.startsAt = a.startsAt;
  if (isResolved(b, now)) {
    if (isResolved(a, now) && a.endsAt > b.endsAt) result.endsAt = a.endsAt;
  } else if (a.endsAt > b.endsAt && !a.timeout) {
    result.endsAt = a.endsAt;
  }
  return result;
}
