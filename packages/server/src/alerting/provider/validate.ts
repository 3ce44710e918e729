import type { Alert, LabelSet, PostableAlert } from '../types.ts';

/** Posted alerts turned into stored ones, and why the others were refused. */
export interface PreparedAlerts {
  alerts: Alert[];
  /** One message per refused alert, Alertmanager's wording (the API answers them with 400). */
  errors: string[];
  /** How many of the posted alerts were firing / resolved when received (`alertmanager_alerts_received_total`). */
  firing: number;
  resolved: number;
}

/**
 * What Alertmanager's `POST /api/v2/alerts` does before storing: stamps `updatedAt`, defaults a missing
 * start to now (or to the end when only the end is given) and a missing end to now + `resolve_timeout`
 * (marking it as a timeout, so a later real end wins in merges), drops labels with empty values and
 * validates what is left. Valid alerts are kept even when others in the same request are refused.
 */
export function prepareAlerts(posted: readonly PostableAlert[], now: number, resolveTimeoutMs: number): PreparedAlerts {
  const result: PreparedAlerts = { alerts: [], errors: [], firing: 0, resolved: 0 };
  for (const input of posted) {
    let startsAt = input.startsAt;
    let endsAt = input.endsAt;
    let timeout = false;
    if (startsAt === 0) startsAt = endsAt === 0 ? now : endsAt;
    if (endsAt === 0) {
      timeout = true;
      endsAt = now + resolveTimeoutMs;
    }
    if (endsAt > now) result.firing++;
    else result.resolved++;
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.labels)) if (value !== '') labels[name] = value;
    const alert: Alert = { labels, annotations: { ...input.annotations }, startsAt, endsAt, generatorURL: input.generatorURL, updatedAt: now, timeout };
    const problem = validateAlert(alert);
    if (problem === null) result.alerts.push(alert);
    else result.errors.push(problem);
  }
  return result;
}

/** Alertmanager's `Alert.Validate`: null when valid, else the reason. */
export function validateAlert(alert: Pick<Alert, 'labels' | 'annotations' | 'startsAt' | 'endsAt'>): string | null {
  if (alert.startsAt === 0) return 'start time missing';
  if (alert.endsAt !== 0 && alert.endsAt < alert.startsAt) return 'start time must be before end time';
  if (Object.keys(alert.labels).length === 0) return 'at least one label pair required';
  const labelProblem = validateLabelSet(alert.labels);
  if (labelProblem !== null) return `invalid label set: ${labelProblem}`;
  const annotationProblem = validateLabelSet(alert.annotations);
  if (annotationProblem !== null) return `invalid annotations: ${annotationProblem}`;
  return null;
}

/**
 * Names are valid when non-empty UTF-8, as current Alertmanager accepts them by default (0.25 and
 * `--enable-feature=classic-mode` allow only `[a-zA-Z_][a-zA-Z0-9_]*`); values when valid UTF-8.
 */
function validateLabelSet(labels: LabelSet): string | null {
  for (const [name, value] of Object.entries(labels)) {
    if (name === '' || !isWellFormed(name)) return `invalid name ${goQuoted(name)}`;
    if (typeof value !== 'string' || !isWellFormed(value)) return `invalid value ${goQuoted(String(value))}`;
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Valid UTF-8 once encoded: no unpaired surrogate. */
function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function goQuoted(text: string): string {
  return JSON.stringify(text);
}
