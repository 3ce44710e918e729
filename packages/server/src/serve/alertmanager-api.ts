/**
 * Alertmanager's API v2 (`/api/v2/*`), in the shapes of its OpenAPI spec, so Prometheus can send
 * alerts to Vigil and `amtool` can manage it. What the API needs from the in-process notifier is the
 * plain interface `AlertmanagerApiSource` below; the notifier facade implements it.
 */
import type { Alert, LabelSet, PostableAlert } from '../alerting/types.ts';
import type { Silences } from '../alerting/silences/index.ts';

/** Alertmanager's alert states: `unprocessed` until the pipeline saw it, then `active` or `suppressed`. */
export type AlertState = 'unprocessed' | 'active' | 'suppressed';

/** An alert's status as Alertmanager's marker holds it. */
export interface AlertStatus {
  state: AlertState;
  /** Ids of the active silences that mute it. */
  silencedBy: readonly string[];
  /** Fingerprints of the alerts that inhibit it. */
  inhibitedBy: readonly string[];
  /** Names of the time intervals that mute it (Alertmanager ≥ 0.28); empty when none. */
  mutedBy: readonly string[];
}

/** One alert as the API lists it. */
export interface AlertView {
  alert: Alert;
  fingerprint: string;
  status: AlertStatus;
  /** Receivers of the routes the alert matches, in routing order. */
  receivers: readonly string[];
}

/** One aggregation group as `/api/v2/alerts/groups` lists it. */
export interface AlertGroupView {
  /** The group's labels (its `group_by` values). */
  labels: LabelSet;
  /** The route's own equality matchers as labels (Alertmanager ≥ 0.28 `routeLabels`). */
  routeLabels: LabelSet;
  receiver: string;
  /** Alertmanager's route ID and group key. */
  routeId: string;
  groupKey: string;
  /** Names of the time intervals muting the whole group now; empty when not muted. */
  mutedBy: readonly string[];
  alerts: readonly AlertView[];
}

/** A configured receiver. */
export interface ReceiverView {
  name: string;
  /** Receiver labels (Alertmanager ≥ 0.29 `labels:`); empty when none. */
  labels: LabelSet;
}

export interface VersionInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}

/** A history entry (Vigil's extension): an alert transition or a delivery attempt. */
export type HistoryEntry =
  | {
      kind: 'alert';
      time: number;
      fingerprint: string;
      labels: LabelSet;
      /** What happened: received, firing, resolved, silenced, inhibited, unmuted… */
      event: string;
      /** Silence ids or inhibiting fingerprints, when the event is about muting. */
      by?: readonly string[];
    }
  | {
      kind: 'notification';
      time: number;
      receiver: string;
      /** Integration as `kind[index]`, e.g. `webhook[0]`. */
      integration: string;
      groupKey: string;
      fingerprints: readonly string[];
      attempt: number;
      durationMs: number;
      ok: boolean;
      error?: string;
      retryable?: boolean;
    };

export interface HistoryQuery {
  /** Inclusive range in ms; unbounded when absent. */
  from?: number;
  to?: number;
  /** Only alert entries whose labels match all matchers, and notifications carrying such an alert. */
  matchers: readonly { name: string; matches(value: string): boolean }[];
  receiver?: string;
  kind?: HistoryEntry['kind'];
  /** Newest entries first, at most this many. */
  limit: number;
}

/** What the API needs from the notifier, as plain functions. */
export interface AlertmanagerApiSource {
  /**
   * Stores the valid alerts (defaults for startsAt/endsAt from `resolve_timeout`, empty labels removed,
   * merged with the alerts already held) and answers one message per invalid alert, in Alertmanager's
   * words; the API joins them into its 400 answer.
   */
  putAlerts(alerts: readonly PostableAlert[]): Promise<{ errors: readonly string[] }> | { errors: readonly string[] };
  /** Every alert held (resolved ones too, until collected), with its current status and receivers. */
  alerts(): Iterable<AlertView>;
  /** The aggregation groups with their alerts. */
  alertGroups(): Iterable<AlertGroupView>;
  receivers(): readonly ReceiverView[];
  /** The running config as Alertmanager's `/api/v2/status` shows it (`config.original`). */
  configText(): string;
  /** When the notifier started (ms). */
  startTime: number;
  versionInfo: VersionInfo;
  silences: Silences;
  /** The history of alert transitions and deliveries; absent when history is off. */
  history?: (query: HistoryQuery) => Promise<readonly HistoryEntry[]> | readonly HistoryEntry[];
  /** The clock for filters (resolved alerts) and silence validation; the system clock when absent. */
  now?: () => number;
}
