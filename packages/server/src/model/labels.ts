/**
 * A label set in canonical form: a flat array `[name0, value0, name1, value1, …]` sorted by name, with
 * no empty values (Prometheus treats an empty value as an absent label). Flat arrays cost one object
 * per set instead of one per pair.
 */
export type Labels = readonly string[];

export const METRIC_NAME = '__name__';

/** Builds canonical labels from a record, dropping empty values. */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  const names = Object.keys(record).filter((name) => record[name] !== '').sort(compareStrings);
  const out: string[] = new Array(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    out[i * 2] = names[i];
    out[i * 2 + 1] = record[names[i]];
  }
  return out;
}

/** Builds canonical labels from unsorted pairs (last occurrence of a name wins), dropping empty values. */
export function labelsFromPairs(pairs: readonly string[]): Labels {
  const n = pairs.length >> 1;
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  order.sort((a, b) => compareStrings(pairs[a * 2], pairs[b * 2]) || a - b);
  const out: string[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const name = pairs[i * 2];
    const value = pairs[i * 2 + 1];
    if (out.length > 0 && out[out.length - 2] === name) {
      out.length -= 2;
    }
    if (value !== '') out.push(name, value);
  }
  return out;
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < labels.length; i += 2) out[labels[i]] = labels[i + 1];
  return out;
}

/** The value of label `name`, or '' when absent. */
export function getLabel(labels: Labels, name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return '';
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Orders label sets as Prometheus does: pair by pair, name before value. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** A string key unique to the label set (names and values cannot contain \xff in valid UTF-8 text). */
export function labelsKey(labels: Labels): string {
  return labels.join('\xff');
}

/** Formats labels as Prometheus prints them: `name{a="1", b="2"}`. */
export function formatLabels(labels: Labels): string {
  let name = '';
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === METRIC_NAME) name = labels[i + 1];
    else parts.push(`${labels[i]}=${JSON.stringify(labels[i + 1])}`);
  }
  return parts.length === 0 && name !== '' ? name : `${name}{${parts.join(', ')}}`;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Legacy (pre-UTF-8) label name check, as Prometheus 2.x validates it. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}
