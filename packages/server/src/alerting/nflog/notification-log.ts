/** Which integration of which receiver a notification went to (Alertmanager's nflogpb.Receiver). */
export interface ReceiverKey {
  /** The receiver's name. */
  receiver: string;
  /** The integration kind, e.g. `webhook`. */
  integration: string;
  /** Its position among the receiver's integrations of that kind. */
  index: number;
}

/** The last notification of one aggregation group to one integration (Alertmanager's nflogpb.Entry). */
export interface NotificationLogEntry {
  receiver: ReceiverKey;
  groupKey: string;
  /** When it was sent (ms). */
  timestamp: number;
  /** Fingerprints of the alerts that were firing / resolved in it. */
  firingAlerts: string[];
  resolvedAlerts: string[];
  /** When the entry may be forgotten (ms). */
  expiresAt: number;
}

export interface NotificationLogCounters {
  queries: number;
  queryErrors: number;
  gcRuns: number;
  gcRemoved: number;
  /** Seconds the last GC and snapshot took, and the snapshot's size. */
  lastGcSeconds: number;
  lastSnapshotSeconds: number;
  lastSnapshotBytes: number;
  maintenance: number;
  maintenanceErrors: number;
}

function entryKey(groupKey: string, receiver: ReceiverKey): string {
  return `${groupKey}:${receiver.receiver}/${receiver.integration}/${receiver.index}`;
}

/**
 * What was last notified per (aggregation group, receiver integration), so the dedup stage sends only
 * when something changed or `repeat_interval` passed — and, being persisted, nothing is sent twice
 * after a restart. Entries expire after `retention` (`--alertmanager.data.retention`), or after twice
 * the repeat interval when that is shorter, as in Alertmanager.
 */
export class NotificationLog {
  private readonly entries = new Map<string, NotificationLogEntry>();
  readonly counters: NotificationLogCounters = { queries: 0, queryErrors: 0, gcRuns: 0, gcRemoved: 0, lastGcSeconds: 0, lastSnapshotSeconds: 0, lastSnapshotBytes: 0, maintenance: 0, maintenanceErrors: 0 };

  constructor(private readonly retentionMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  query(groupKey: string, receiver: ReceiverKey): NotificationLogEntry | undefined {
    this.counters.queries++;
    return this.entries.get(entryKey(groupKey, receiver));
  }

  /** Records a notification sent at `now`; `expiryMs` is twice the route's repeat interval. */
  log(receiver: ReceiverKey, groupKey: string, firingAlerts: readonly string[], resolvedAlerts: readonly string[], now: number, expiryMs: number): void {
    const key = entryKey(groupKey, receiver);
    const previous = this.entries.get(key);
    // An entry from the future (a clock that went back) is kept, as Alertmanager does.
    if (previous !== undefined && previous.timestamp > now) return;
    let expiresAt = now + this.retentionMs;
    if (expiryMs > 0 && this.retentionMs > expiryMs) expiresAt = now + expiryMs;
    this.entries.set(key, { receiver: { ...receiver }, groupKey, timestamp: now, firingAlerts: [...firingAlerts], resolvedAlerts: [...resolvedAlerts], expiresAt });
  }

  /** Forgets expired entries; returns how many. */
  gc(now: number): number {
    const started = performance.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        removed++;
      }
    }
    this.counters.gcRuns++;
    this.counters.gcRemoved += removed;
    this.counters.lastGcSeconds = (performance.now() - started) / 1000;
    return removed;
  }

  /** All entries, for snapshots and inspection. */
  list(): NotificationLogEntry[] {
    return [...this.entries.values()];
  }

  /** Loads entries from a snapshot, skipping expired ones; returns the problems of malformed entries. */
  restore(entries: readonly unknown[], now: number): string[] {
    const problems: string[] = [];
    entries.forEach((raw, index) => {
      const entry = parseEntry(raw);
      if (entry === null) problems.push(`entry ${index} is malformed`);
      else if (entry.expiresAt > now) this.entries.set(entryKey(entry.groupKey, entry.receiver), entry);
    });
    return problems;
  }
}

/** Whether every fingerprint in `alerts` was notified as firing in `entry` (Alertmanager's IsFiringSubset). */
export function isFiringSubset(entry: NotificationLogEntry, alerts: ReadonlySet<string>): boolean {
  return isSubset(new Set(entry.firingAlerts), alerts);
}

/** Whether every fingerprint in `alerts` was notified as resolved in `entry` (IsResolvedSubset). */
export function isResolvedSubset(entry: NotificationLogEntry, alerts: ReadonlySet<string>): boolean {
  return isSubset(new Set(entry.resolvedAlerts), alerts);
}

function isSubset(set: ReadonlySet<string>, subset: ReadonlySet<string>): boolean {
  for (const item of subset) if (!set.has(item)) return false;
  return true;
}

function parseEntry(raw: unknown): NotificationLogEntry | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Record<string, unknown>;
  const receiver = value.receiver as Record<string, unknown> | undefined;
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (
    typeof receiver !== 'object' ||
    receiver === null ||
    typeof receiver.receiver !== 'string' ||
    typeof receiver.integration !== 'string' ||
    typeof receiver.index !== 'number' ||
    typeof value.groupKey !== 'string' ||
    typeof value.timestamp !== 'number' ||
    typeof value.expiresAt !== 'number' ||
    !strings(value.firingAlerts) ||
    !strings(value.resolvedAlerts)
  ) {
    return null;
  }
  return {
    receiver: { receiver: receiver.receiver, integration: receiver.integration, index: receiver.index },
    groupKey: value.groupKey,
    timestamp: value.timestamp,
    firingAlerts: value.firingAlerts,
    resolvedAlerts: value.resolvedAlerts,
    expiresAt: value.expiresAt,
  };
}
