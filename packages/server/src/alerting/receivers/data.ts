/**
 * What every notifier derives from one notification the same way Alertmanager does: the alerts as
 * the user sees them (status, end hidden while firing), the group's status, the common labels and
 * annotations, the group key's hash, and rune/byte truncation with Alertmanager's marker.
 */
import { createHash } from 'node:crypto';
import { fingerprint, isResolved } from '../types.ts';
import type { Alert, NotifyContext } from '../types.ts';
import type { NotificationAlert, NotificationData } from '../../template/index.ts';

/** One alert as notifications show it (Alertmanager's template.Alert). */
export interface PresentedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** 0 while the alert fires: an end that has not passed is not shown (types.Alerts). */
  endsAt: number;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's template.Data as plain values, for JSON payloads and for the template data. */
export interface PresentedNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: PresentedAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

export function presentAlert(alert: Alert, now: number): PresentedAlert {
  const resolved = isResolved(alert, now);
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: alert.startsAt,
    endsAt: resolved ? alert.endsAt : 0,
    generatorURL: alert.generatorURL,
    fingerprint: fingerprint(alert.labels),
  };
}

/** The group is resolved only when every alert in it is (model.Alerts.Status). */
export function groupStatus(alerts: readonly PresentedAlert[]): 'firing' | 'resolved' {
  return alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved';
}

function commonPairs(records: readonly Record<string, string>[]): Record<string, string> {
  if (records.length === 0) return {};
  const common: Record<string, string> = { ...records[0] };
  for (const record of records.slice(1)) {
    for (const [name, value] of Object.entries(common)) {
      if (record[name] !== value) delete common[name];
    }
  }
  return common;
}

/** Template data for `alerts` (template.Data): note the receiver is not yet QuoteMeta'd here. */
export function presentNotification(context: NotifyContext, alerts: readonly Alert[]): PresentedNotification {
  const presented = alerts.map((alert) => presentAlert(alert, context.now));
  return {
    receiver: context.receiver,
    status: groupStatus(presented),
    alerts: presented,
    groupLabels: { ...context.groupLabels },
    commonLabels: commonPairs(presented.map((alert) => alert.labels)),
    commonAnnotations: commonPairs(presented.map((alert) => alert.annotations)),
    externalURL: context.externalURL,
  };
}

/** The input of template/'s notificationData. */
export function notificationInput(notification: PresentedNotification): NotificationData {
  const alerts: NotificationAlert[] = notification.alerts.map((alert) => ({ ...alert }));
  return { ...notification, alerts };
}

/** notify.Key.Hash: the SHA-256 of the group key in hex, for integrations that limit key length. */
export function groupKeyHash(groupKey: string): string {
  return createHash('sha256').update(groupKey, 'utf8').digest('hex');
}

const truncationMarker = '…';

/** notify.TruncateInRunes: at most `limit` code points, the last one replaced by `…` when cut. */
export function truncateInRunes(text: string, limit: number): { text: string; truncated: boolean } {
  const runes = Array.from(text);
  if (runes.length <= limit) return { text, truncated: false };
  if (limit <= 3) return { text: runes.slice(0, limit).join(''), truncated: true };
  return { text: runes.slice(0, limit - 1).join('') + truncationMarker, truncated: true };
}

/** notify.TruncateInBytes: at most `limit` UTF-8 bytes, never splitting a character, ending in `…` when cut. */
export function truncateInBytes(text: string, limit: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= limit) return { text, truncated: false };
  if (limit <= 3) return { text: limit === 3 ? truncationMarker : '.'.repeat(limit), truncated: true };
  const target = limit - 3;
  let kept = '';
  let size = 0;
  for (const rune of text) {
    const runeSize = Buffer.byteLength(rune, 'utf8');
    if (size + runeSize > target) break;
    kept += rune;
    size += runeSize;
  }
  return { text: kept + truncationMarker, truncated: true };
}
