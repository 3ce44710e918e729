import type { Hono } from 'hono';
import { METRIC_NAME, compareLabels, compareStrings, isStaleNaN, isValidLabelName, isValidMetricName } from '../model/index.ts';
import type { LabelMatcher, Labels } from '../model/index.ts';
import type { Storage } from '../store/index.ts';
import { readParams } from './params.ts';
import { parseSelector } from '../query/index.ts';

export interface FederationOptions {
  storage: Storage;
  /** `global.external_labels` of the running config (read on every request: reloads apply). */
  externalLabels: () => Readonly<Record<string, string>>;
  /** How far back the latest sample of a series may be (the engine's lookback delta), ms. */
  lookbackDelta: number;
  now?: () => number;
}

export const FEDERATION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * `/federate`: the latest sample of every series matching a `match[]` selector (within the lookback
 * delta), in the text exposition format, as Prometheus writes it — families in metric-name order,
 * untyped, with the external labels attached (and `instance=""` when the config has none), stale
 * series left out.
 */
export function mountFederation(app: Hono, options: FederationOptions): void {
  const now = options.now ?? Date.now;
  const handler = async (request: Request) => {
    const params = await readParams(request);
    const selectors: LabelMatcher[][] = [];
    for (const text of params.getAll('match[]')) {
      try {
        selectors.push(parseSelector(text));
      } catch (error) {
        return plain(`${(error as Error).message}\n`, 400);
      }
    }
    const maxt = now();
    const mint = maxt - options.lookbackDelta;
    const latest = latestSamples(options.storage, selectors, mint, maxt);
    return new Response(formatFederation(latest, options.externalLabels()), { status: 200, headers: { 'content-type': FEDERATION_CONTENT_TYPE } });
  };
  app.get('/federate', (c) => handler(c.req.raw));
  app.post('/federate', (c) => handler(c.req.raw));
}

export interface LatestSamples {
  labels: Labels[];
  timestamps: Float64Array;
  values: Float64Array;
}

const scratchTimestamps = new Float64Array(256);
const scratchValues = new Float64Array(256);

/** The newest sample in [mint, maxt] of each series matching any selector, stale ones left out. */
export function latestSamples(storage: Storage, selectors: readonly LabelMatcher[][], mint: number, maxt: number): LatestSamples {
  const querier = storage.querier(mint, maxt);
  try {
    const byKey = new Map<string, Labels>();
    const found: { labels: Labels; timestamp: number; value: number }[] = [];
    for (const matchers of selectors) {
      for (const series of querier.select(matchers)) {
        const key = series.labels.join('\xff');
        if (byKey.has(key)) continue;
        byKey.set(key, series.labels);
        // Read in bulk; the last sample copied stays the iterator's current one.
        const iterator = series.iterator();
        let copied = 0;
        for (;;) {
          const read = iterator.readInto(maxt, scratchTimestamps, scratchValues, 0);
          copied += read;
          if (read < scratchTimestamps.length) break;
        }
        if (copied === 0) continue;
        const timestamp = iterator.timestamp;
        const value = iterator.value;
        if (isStaleNaN(value)) continue;
        found.push({ labels: series.labels, timestamp, value });
      }
    }
    // Series in label order, then (stably) by metric name, as Prometheus orders the federation vector.
    found.sort((a, b) => compareLabels(a.labels, b.labels));
    found.sort((a, b) => compareStrings(metricName(a.labels), metricName(b.labels)));
    const out: LatestSamples = { labels: [], timestamps: new Float64Array(found.length), values: new Float64Array(found.length) };
    for (let i = 0; i < found.length; i++) {
      out.labels.push(found[i].labels);
      out.timestamps[i] = found[i].timestamp;
      out.values[i] = found[i].value;
    }
    return out;
  } finally {
    querier.close();
  }
}

function metricName(labels: Labels): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === METRIC_NAME) return labels[i + 1];
  return '';
}

/** The text exposition of federated samples: `# TYPE name untyped` per family, then its samples. */
export function formatFederation(samples: LatestSamples, externalLabels: Readonly<Record<string, string>>): string {
  const external: Record<string, string> = { instance: '', ...externalLabels };
  const externalNames = Object.keys(external).sort(compareStrings);
  let out = '';
  let lastName: string | null = null;
  for (let i = 0; i < samples.labels.length; i++) {
    const labels = samples.labels[i];
    const name = metricName(labels);
    // Nameless series cannot be exposed.
    if (name === '') continue;
    if (name !== lastName) {
      out += `# TYPE ${formatName(name)} untyped\n`;
      lastName = name;
    }
    const pairs: string[] = [];
    const used = new Set<string>();
    for (let j = 0; j < labels.length; j += 2) {
      const labelName = labels[j];
      // Empty values mean "unset"; the name is written before the braces.
      if (labelName === METRIC_NAME || labels[j + 1] === '') continue;
      pairs.push(formatPair(labelName, labels[j + 1]));
      used.add(labelName);
    }
    for (const labelName of externalNames) if (!used.has(labelName)) pairs.push(formatPair(labelName, external[labelName]));
    const nameText = isValidMetricName(name) ? name : '';
    if (nameText === '') pairs.unshift(quote(name));
    out += `${nameText}{${pairs.join(',')}} ${formatExpositionValue(samples.values[i])} ${samples.timestamps[i]}\n`;
  }
  return out;
}

function formatName(name: string): string {
  return isValidMetricName(name) ? name : quote(name);
}

function formatPair(name: string, value: string): string {
  return `${isValidLabelName(name) ? name : quote(name)}=${quote(value)}`;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`;
}

/** A value as the text exposition format writes it: Go's `%g` with the shortest digits, `+Inf`, `-Inf`, `NaN`. */
export function formatExpositionValue(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  // expfmt writes any zero as "0".
  if (value === 0) return '0';
  const exponential = value.toExponential();
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  // Go's shortest %g switches to exponent notation below 1e-4 and from 1e6, with two exponent digits at least.
  if (exponent < -4 || exponent >= 6) {
    const mantissa = exponential.slice(0, e);
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

function plain(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}
