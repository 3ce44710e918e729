/**
 * The alerting area's shared vocabulary: what an alert is, how a receiver integration is called and
 * what the routing tree answers. Config (alerting/config), routing (alerting/routes), receivers
 * (alerting/receivers) and the dispatcher meet here, so none of them imports another's internals.
 * Times are milliseconds since the epoch; 0 stands for Go's zero time (unset).
 */

/** A label set as Alertmanager keeps it: a plain name → value record (no duplicate names). */
export type LabelSet = Readonly<Record<string, string>>;

/** An alert as clients post it (`POST /api/v2/alerts`, rule evaluation). */
export interface PostableAlert {
  labels: LabelSet;
  annotations: LabelSet;
  /** 0: "now" when received. */
  startsAt: number;
  /** 0: not given (the alert resolves after `resolve_timeout` unless posted again). */
  endsAt: number;
  generatorURL: string;
}

/** An alert as the notifier holds it (Alertmanager's types.Alert). */
export interface Alert {
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: number;
  endsAt: number;
  generatorURL: string;
  /** When the notifier last received or changed this alert: the authoritative timestamp for merges. */
  updatedAt: number;
  /** `endsAt` was set from `resolve_timeout`, not by the sender. */
  timeout: boolean;
}

/** Whether `alert` is resolved at `now`: it has an end and the end has passed. */
export function isResolved(alert: Pick<Alert, 'endsAt'>, now: number): boolean {
  return alert.endsAt !== 0 && alert.endsAt <= now;
}

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR_BYTE = 0xffn;
const encoder = new TextEncoder();

function fnvAdd(hash: bigint, text: string): bigint {
  for (const byte of encoder.encode(text)) hash = ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  return hash;
}

/**
 * The label set's fingerprint as Alertmanager shows it (prometheus/common model.Fingerprint, FNV-1a
 * 64 over the sorted names and values, each followed by a 0xff byte), as 16 lowercase hex digits.
 */
export function fingerprint(labels: LabelSet): string {
  let hash = FNV_OFFSET_64;
  for (const name of Object.keys(labels).sort()) {
    hash = ((fnvAdd(hash, name) ^ SEPARATOR_BYTE) * FNV_PRIME_64) & MASK_64;
    hash = ((fnvAdd(hash, labels[name]) ^ SEPARATOR_BYTE) * FNV_PRIME_64) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

/** What the dispatcher hands a receiver integration along with the alerts of one notification. */
export interface NotifyContext {
  /** The receiver's name as configured. */
  receiver: string;
  /** The aggregation group's key, e.g. `{}/{severity="critical"}:{alertname="HighErrorRate"}`. */
  groupKey: string;
  /** The labels the group is formed by (`group_by` values of its alerts). */
  groupLabels: LabelSet;
  /** The notifier's external URL (`ExternalURL` in templates, links back to the UI). */
  externalURL: string;
  /** Time of this notification attempt. */
  now: number;
  /** Aborted when the attempt times out or Vigil shuts down. */
  signal: AbortSignal;
}

/** A notifier's answer. A failure says whether trying again could help (Alertmanager's `(retry bool, err)`). */
export type NotifyResult = { ok: true } | { ok: false; retryable: boolean; error: string };

/** One receiver integration: sends one notification for a group of alerts. */
export interface Notifier {
  notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult>;
}

/** The kinds of receiver integrations Vigil delivers to, named as in `alertmanager.yml` (without `_configs`). */
export type IntegrationKind = 'webhook' | 'email' | 'slack' | 'pagerduty' | 'opsgenie' | 'msteams' | 'discord' | 'telegram';

/** A configured integration of a receiver (Alertmanager's notify.Integration). */
export interface Integration {
  kind: IntegrationKind;
  /** Position among the receiver's integrations of this kind (`slack[1]`). */
  index: number;
  /** `send_resolved`: whether resolved alerts are notified. */
  sendResolved: boolean;
  notifier: Notifier;
}

/** The timing and receiver of a route, after inheriting from its parents (Alertmanager's RouteOpts). */
export interface RouteOptions {
  receiver: string;
  /** Label names alerts are grouped by; `all` for `group_by: ['...']`. */
  groupBy: readonly string[] | 'all';
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  muteTimeIntervals: readonly string[];
  activeTimeIntervals: readonly string[];
}

/** A route an alert matched, as the dispatcher needs it. */
export interface MatchedRoute {
  /** Alertmanager's route ID (its matchers path plus the index among siblings). */
  id: string;
  /** Alertmanager's route key: the matchers from the root to this route, e.g. `{}/{severity="critical"}`. */
  key: string;
  options: RouteOptions;
}
