import type { LabelSet } from '../types.ts';

/** What happened to an alert. */
export type AlertEvent = 'received' | 'firing' | 'resolved' | 'silenced' | 'inhibited' | 'unmuted';

/** An alert's transition. */
export interface AlertRecord {
  kind: 'alert';
  /** When it happened (ms); for a resolution, the alert's end. */
  time: number;
  fingerprint: string;
  labels: LabelSet;
  event: AlertEvent;
  /** Silence ids (silenced) or inhibiting alert fingerprints (inhibited). */
  by?: readonly string[];
  /** The alert's start and end as held when the event was recorded (ms, 0: none). */
  startsAt?: number;
  endsAt?: number;
}

/** One call of a receiver integration. */
export interface NotificationRecord {
  kind: 'notification';
  /** When the attempt started (ms). */
  time: number;
  receiver: string;
  /** Integration as `kind[index]`, e.g. `webhook[0]`. */
  integration: string;
  groupKey: string;
  fingerprints: readonly string[];
  /** The alerts sent, with their state in this notification. */
  alerts: readonly { fingerprint: string; labels: LabelSet; status: 'firing' | 'resolved' }[];
  /** 1 for the first try of a flush, then counting retries. */
  attempt: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  retryable?: boolean;
}

export type HistoryRecord = AlertRecord | NotificationRecord;

/** A query of the history; everything optional narrows nothing. */
export interface HistoryFilter {
  /** Inclusive range (ms). */
  from?: number;
  to?: number;
  /** Alert records whose labels match all, and notifications carrying at least one alert that does. */
  matchers: readonly { name: string; matches(value: string): boolean }[];
  receiver?: string;
  kind?: HistoryRecord['kind'];
  /** Newest first, at most this many. */
  limit: number;
}

function labelsMatch(matchers: HistoryFilter['matchers'], labels: LabelSet): boolean {
  for (const matcher of matchers) if (!matcher.matches(Object.hasOwn(labels, matcher.name) ? labels[matcher.name] : '')) return false;
  return true;
}

/** Whether a record passes the filter (the time range aside). */
export function recordMatches(record: HistoryRecord, filter: HistoryFilter): boolean {
  if (filter.kind !== undefined && record.kind !== filter.kind) return false;
  if (filter.receiver !== undefined && (record.kind !== 'notification' || record.receiver !== filter.receiver)) return false;
  if (filter.matchers.length === 0) return true;
  if (record.kind === 'alert') return labelsMatch(filter.matchers, record.labels);
  return record.alerts.some((alert) => labelsMatch(filter.matchers, alert.labels));
}

/** A record read back from disk, or null when the line is not one (a torn write, a foreign line). */
export function parseRecord(line: string): HistoryRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Partial<HistoryRecord>;
  if (typeof record.time !== 'number') return null;
  if (record.kind === 'alert') return typeof record.fingerprint === 'string' && typeof record.labels === 'object' && typeof record.event === 'string' ? (record as AlertRecord) : null;
  if (record.kind === 'notification') return typeof record.receiver === 'string' && Array.isArray(record.alerts) && typeof record.ok === 'boolean' ? (record as NotificationRecord) : null;
  return null;
}
