/**
 * The few Go formatting rules promtool's messages are made of, so `vigil test rules` prints the
 * same bytes: `time.Duration.String()`, `strconv.FormatFloat(v, 'E', -1, 64)`, `labels.Labels.String()`
 * and promtool's own list layout.
 */
import type { Labels } from '../../model/index.ts';
import { goQuote, isValidLabelName } from '../../model/index.ts';

/** Go's `time.Duration.String()` for a duration in ms: `0s`, `1m0s`, `1h30m0s`, `1.5s`, `250ms`. */
export function goDurationString(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  const negative = milliseconds < 0;
  let remaining = Math.abs(Math.round(milliseconds));
  let out: string;
  if (remaining < 1000) {
    out = `${remaining}ms`;
  } else {
    const millis = remaining % 1000;
    remaining = Math.floor(remaining / 1000);
    const seconds = remaining % 60;
    remaining = Math.floor(remaining / 60);
    const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
    out = `${seconds}${fraction}s`;
    if (remaining > 0) {
      const minutes = remaining % 60;
      const hours = Math.floor(remaining / 60);
      out = `${minutes}m${out}`;
      if (hours > 0) out = `${hours}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** Go's `strconv.FormatFloat(value, 'E', -1, 64)`: shortest digits, `5E+01`, `1.5E-07`, `+Inf`, `NaN`. */
export function formatFloatE(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e');
  const exponentSign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${sign}${mantissa}E${exponentSign}${digits}`;
}

/**
 * Prometheus's `labels.Labels.String()`: `{__name__="up", job="a"}`, every label inside the braces,
 * values quoted as Go quotes them; names outside the legacy character set quoted too (Prometheus 3).
 */
export function goLabelsString(labels: Labels): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = isValidLabelName(labels[i]) ? labels[i] : goQuote(labels[i]);
    parts.push(`${name}=${goQuote(labels[i + 1])}`);
  }
  return `{${parts.join(', ')}}`;
}

/** promtool's indentLines: every line but the first gets `indent` in front. */
export function indentLines(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}

/** A firing alert as promtool compares it: its labels and its expanded annotations. */
export interface LabelsAndAnnotations {
  labels: Labels;
  annotations: Labels;
}

/** promtool's labelsAndAnnotations.String(): `[]`, or `[\n0:\n  Labels:{…}\n  Annotations:{…},\n1:…\n]`. */
export function alertListString(alerts: readonly LabelsAndAnnotations[]): string {
  if (alerts.length === 0) return '[]';
  const items = alerts.map((alert, index) => `${index}:${indentLines(`\nLabels:${goLabelsString(alert.labels)}\nAnnotations:${goLabelsString(alert.annotations)}`, '  ')}`);
  return `[\n${items.join(',\n')}\n]`;
}

/** A sample of a `promql_expr_test`, expected or got. */
export interface ParsedSample {
  labels: Labels;
  value: number;
}

/** promtool's parsedSamplesString: `nil`, or `{…} 5E+01, {…} 1E+00`. */
export function samplesString(samples: readonly ParsedSample[]): string {
  if (samples.length === 0) return 'nil';
  return samples.map((sample) => `${goLabelsString(sample.labels)} ${formatFloatE(sample.value)}`).join(', ');
}
