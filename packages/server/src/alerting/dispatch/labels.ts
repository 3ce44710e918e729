import { goQuote, isValidLabelName } from '../../model/index.ts';
import type { Alert, LabelSet } from '../types.ts';

/** Go's byte-wise string order (UTF-8), which differs from UTF-16 order only above U+FFFF. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.codePointAt(index) as number;
    const y = b.codePointAt(index) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) index++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * A label set as prometheus/common's `LabelSet.String()` prints it, the form group keys use:
 * `{alertname="X", severity="critical"}`, names sorted, values Go-quoted (names too when not classic).
 */
export function formatLabelSet(labels: LabelSet): string {
  const names = Object.keys(labels).sort(compareBytes);
  return `{${names.map((name) => `${isValidLabelName(name) ? name : goQuote(name)}=${goQuote(labels[name])}`).join(', ')}}`;
}

/** prometheus/common's `LabelSet.Before`: fewer labels first, then the first differing name or value. */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const aNames = Object.keys(a);
  const bNames = Object.keys(b);
  if (aNames.length !== bNames.length) return aNames.length < bNames.length;
  const names = [...aNames, ...bNames].sort(compareBytes);
  for (const name of names) {
    const aValue = a[name];
    if (aValue === undefined) return true;
    const bValue = b[name];
    if (bValue === undefined) return false;
    const order = compareBytes(aValue, bValue);
    if (order !== 0) return order < 0;
  }
  return false;
}

/** The order of alerts in a notification (Alertmanager's AlertSlice): by `job`, then `instance`, then labels. */
export function compareAlerts(a: Pick<Alert, 'labels'>, b: Pick<Alert, 'labels'>): number {
  for (const key of ['job', 'instance']) {
    const aValue = a.labels[key];
    const bValue = b.labels[key];
    if (aValue === undefined && bValue === undefined) continue;
    if (aValue === undefined) return 1;
    if (bValue === undefined) return -1;
    if (aValue !== bValue) return compareBytes(aValue, bValue);
  }
  if (labelSetBefore(a.labels, b.labels)) return -1;
  if (labelSetBefore(b.labels, a.labels)) return 1;
  return 0;
}
