import type { Labels } from '../model/index.ts';
import type { QueryValue } from '../query/promql/value.ts';
import { goJson } from './response.ts';

/**
 * Query results as Prometheus's API writes them, byte for byte: sample values as strings in Go's
 * shortest formatting (`"1"`, `"0.1"`, `"NaN"`, `"+Inf"`, `"1e-07"`), sample timestamps as seconds
 * with the milliseconds always written out (`1435781451.781`, `1.500`), labels in their sorted order.
 */

/** A sample value as Prometheus's JSON encoder writes it (Go `'f'` format, `'e'` below 1e-6 and from 1e21). */
export function formatSampleValue(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // JavaScript switches to exponent notation at the same bounds as Go's encoder; Go writes at
  // least two exponent digits.
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A value as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it (scalars, the text printer): never an exponent. */
export function formatFloat(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // Expand the shortest digits JavaScript found into plain decimal notation.
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** A sample timestamp (ms) as Prometheus writes it: seconds, and `.mmm` whenever the ms are not 0. */
export function formatTimestamp(ms: number): string {
  let t = Math.trunc(ms);
  let sign = '';
  if (t < 0) {
    sign = '-';
    t = -t;
  }
  const fraction = t % 1000;
  const seconds = (t - fraction) / 1000;
  return fraction === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(fraction).padStart(3, '0')}`;
}

/** A timestamp of a scalar or string result: Go's encoding of float64(t)/1000. */
function formatPlainTimestamp(ms: number): string {
  return JSON.stringify(ms / 1000);
}

export function labelsJson(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ',';
    out += `${JSON.stringify(labels[i])}:${JSON.stringify(labels[i + 1])}`;
  }
  return out + '}';
}

/** `{"resultType":…,"result":…}` for a query's value. */
export function queryDataJson(value: QueryValue): string {
  return goJson(`{"resultType":"${value.type}","result":${resultJson(value)}}`);
}

function resultJson(value: QueryValue): string {
  switch (value.type) {
    case 'scalar':
      return `[${formatPlainTimestamp(value.timestamp)},"${formatFloat(value.value)}"]`;
    case 'string':
      return `[${formatPlainTimestamp(value.timestamp)},${JSON.stringify(value.value)}]`;
    case 'vector': {
      const parts: string[] = [];
      for (const sample of value.samples) {
        parts.push(`{"metric":${labelsJson(sample.labels)},"value":[${formatTimestamp(sample.timestamp)},"${formatSampleValue(sample.value)}"]}`);
      }
      return `[${parts.join(',')}]`;
    }
    case 'matrix': {
      const parts: string[] = [];
      for (const series of value.series) {
        const points: string[] = new Array(series.timestamps.length);
        for (let i = 0; i < series.timestamps.length; i++) points[i] = `[${formatTimestamp(series.timestamps[i])},"${formatSampleValue(series.values[i])}"]`;
        // Go omits an empty `values` (omitempty), leaving only the metric.
        parts.push(points.length === 0 ? `{"metric":${labelsJson(series.labels)}}` : `{"metric":${labelsJson(series.labels)},"values":[${points.join(',')}]}`);
      }
      return `[${parts.join(',')}]`;
    }
  }
}
