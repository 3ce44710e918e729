/**
 * Generated data for bench/promql-queries.ts, as OpenMetrics files that `promtool tsdb
 * create-blocks-from openmetrics` and `vigil import` both read:
 * - the seed workload: every metric name the seed expressions select, with the labels their
 *   matchers and grouping clauses name (values that their `=` and `=~` matchers select, plus some
 *   they do not), spread over enough instances to reach the wanted number of series;
 * - the heavy workload: one counter family over many series, for `sum by (job) (rate(x[5m]))`.
 * Samples are 15 s apart; each instance scrapes at its own sub-second offset, like real targets.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { seededRandom } from '../../test/support/promql-differential-data.ts';
import { expressionShape } from './promql-seeds.ts';

export const INTERVAL = 15_000;
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '10.0', '+Inf'];

export interface FamilySpec {
  /** OpenMetrics family name (no `_total`, `_bucket` …). */
  family: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** Label name → values (besides job and instance, and `le` for histograms). */
  dimensions: [string, string[]][];
  jobs: string[];
}

export interface SeedWorkload {
  families: FamilySpec[];
  instances: number;
  series: number;
}

const POOLS: [RegExp, string[]][] = [
  [/status_code|^code$/, ['200', '201', '404', '429', '500', '503']],
  [/status/, ['200', '404', '500', '503', 'success', 'error']],
  [/^mode$/, ['idle', 'user', 'system', 'iowait']],
  [/endpoint|handler|path|route/, ['/api/v1/items', '/api/v1/users', '/health', '/login']],
  [/method/, ['GET', 'POST']],
];

function poolFor(label: string): string[] {
  for (const [pattern, values] of POOLS) if (pattern.test(label)) return values;
  return ['a', 'b', 'c'];
}

function familyOf(metric: string): { family: string; type: FamilySpec['type'] } {
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(metric);
  if (histogram) return { family: histogram[1], type: 'histogram' };
  if (metric.endsWith('_total')) return { family: metric.slice(0, -'_total'.length), type: 'counter' };
  return { family: metric, type: 'gauge' };
}

/**
 * Families for the metric names and labels of `expressions`, with as many instances per job as it
 * takes to reach `minSeries` series in total.
 */
export function seedWorkload(expressions: readonly string[], minSeries: number): SeedWorkload {
  const families = new Map<string, { type: FamilySpec['type']; equal: Map<string, Set<string>>; regex: Map<string, Set<string>>; grouping: Set<string> }>();
  for (const expr of expressions) {
    const shape = expressionShape(expr);
    for (const selector of shape.selectors) {
      const { family, type } = familyOf(selector.metric);
      let entry = families.get(family);
      if (entry === undefined) families.set(family, (entry = { type, equal: new Map(), regex: new Map(), grouping: new Set() }));
      for (const [label, values] of selector.equal) for (const v of values) (entry.equal.get(label) ?? entry.equal.set(label, new Set()).get(label)!).add(v);
      for (const [label, values] of selector.regex) for (const v of values) (entry.regex.get(label) ?? entry.regex.set(label, new Set()).get(label)!).add(v);
      for (const label of shape.groupingLabels) entry.grouping.add(label);
    }
  }
  const defaultJob = (family: string) => family.split('_')[0];
  const allJobs = new Set<string>();
  for (const [family, entry] of families) {
    for (const job of entry.equal.get('job') ?? [defaultJob(family)]) allJobs.add(job);
  }
  const specs: FamilySpec[] = [];
  for (const [family, entry] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const labels = new Set([...entry.equal.keys(), ...entry.regex.keys(), ...entry.grouping]);
    labels.delete('job');
    labels.delete('instance');
    labels.delete('le');
    labels.delete('__name__');
    const dimensions: [string, string[]][] = [];
    for (const label of [...labels].sort()) {
      const values = new Set(entry.equal.get(label) ?? []);
      const pool = poolFor(label);
      // Regex matchers (our own seed text, not user input): keep the pool values they select and
      // one they do not, so the selector still filters.
      const regexes = [...(entry.regex.get(label) ?? [])].map((r) => new RegExp(`^(?:${r})$`));
      let unmatched = 0;
      for (const value of pool) {
        const matches = regexes.length === 0 || regexes.some((r) => r.test(value));
        if (matches || unmatched++ < 1) values.add(value);
      }
      dimensions.push([label, [...values].slice(0, 8)]);
    }
    const jobs = family === 'up' ? [...allJobs].sort() : [...(entry.equal.get('job') ?? [defaultJob(family)])].sort();
    specs.push({ family, type: entry.type, dimensions, jobs });
  }
  const perInstance = specs.reduce((sum, spec) => sum + seriesPerInstance(spec), 0);
  const instances = Math.max(2, Math.ceil(minSeries / perInstance));
  return { families: specs, instances, series: perInstance * instances };
}

function seriesPerInstance(spec: FamilySpec): number {
  const labelSets = spec.dimensions.reduce((product, [, values]) => product * values.length, 1) * spec.jobs.length;
  return spec.type === 'histogram' ? labelSets * (BUCKETS.length + 2) : labelSets;
}

function combinations(dimensions: readonly [string, string[]][]): string[] {
  let out = [''];
  for (const [label, values] of dimensions) {
    const next: string[] = [];
    for (const prefix of out) for (const value of values) next.push(`${prefix}${prefix === '' ? '' : ','}${label}="${value}"`);
    out = next;
  }
  return out;
}

class FileWriter {
  private readonly fd: number;
  private buffer = '';
  bytes = 0;
  samples = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buffer === '') return;
    this.bytes += writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.write('# EOF\n');
    this.flush();
    closeSync(this.fd);
  }
}

/** Sub-second scrape offset of instance i: 125…875 ms, never a whole second. */
function offsetOf(i: number): number {
  return 125 * (1 + (i % 7));
}

function timestampText(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Writes the seed workload from `start` (ms, a 2 h boundary) for `hours`. */
export function writeSeedWorkload(file: string, workload: SeedWorkload, start: number, hours: number): { bytes: number; samples: number } {
  const out = new FileWriter(file);
  const steps = Math.round((hours * 3600_000) / INTERVAL);
  let seriesIndex = 0;
  for (const spec of workload.families) {
    out.write(`# TYPE ${spec.family} ${spec.type}\n`);
    for (const job of spec.jobs) {
      for (let instance = 0; instance < workload.instances; instance++) {
        const offset = offsetOf(instance);
        for (const combination of combinations(spec.dimensions)) {
          const base = `instance="host-${instance}:9100",job="${job}"${combination === '' ? '' : `,${combination}`}`;
          const random = seededRandom(++seriesIndex);
          if (spec.type === 'histogram') writeHistogram(out, spec.family, base, random, start, steps, offset);
          else if (spec.type === 'counter') writeCounter(out, `${spec.family}_total`, base, random, start, steps, offset);
          else writeGauge(out, spec.family, base, random, start, steps, offset);
        }
      }
    }
  }
  out.close();
  return { bytes: out.bytes, samples: out.samples };
}

function writeCounter(out: FileWriter, name: string, labels: string, random: () => number, start: number, steps: number, offset: number): void {
  const rate = random() < 0.3 ? random() * 0.5 : random() * 50;
  let value = Math.floor(1e5 + random() * 1e6);
  let text = '';
  for (let k = 0; k < steps; k++) {
    value += Math.floor(rate * (0.5 + random()) * 15);
    text += `${name}{${labels}} ${value} ${timestampText(start + k * INTERVAL + offset)}\n`;
  }
  out.samples += steps;
  out.write(text);
}

function writeGauge(out: FileWriter, name: string, labels: string, random: () => number, start: number, steps: number, offset: number): void {
  let value: number;
  let next: () => number;
  if (name === 'up') {
    value = 1;
    next = () => (random() < 0.002 ? 0 : 1);
  } else if (/bytes/.test(name)) {
    value = Math.round((1e8 + random() * 1e10) / 4096) * 4096;
    next = () => Math.max(0, value + Math.round((random() - 0.5) * 64) * 4096);
  } else if (/active|idle|size|pool|state|connections/.test(name)) {
    value = Math.floor(random() * 50);
    next = () => Math.max(0, value + Math.floor(random() * 3) - 1);
  } else {
    value = random() * 100;
    next = () => value + (random() - 0.5);
  }
  let text = '';
  for (let k = 0; k < steps; k++) {
    text += `${name}{${labels}} ${value} ${timestampText(start + k * INTERVAL + offset)}\n`;
    value = next();
  }
  out.samples += steps;
  out.write(text);
}

function writeHistogram(out: FileWriter, family: string, labels: string, random: () => number, start: number, steps: number, offset: number): void {
  const bounds = BUCKETS.map(Number);
  const median = 0.01 + random() * 0.5;
  const perScrape = 1 + random() * 30;
  const counts = new Float64Array(bounds.length).fill(1000);
  let sum = 1;
  for (let k = 0; k < steps; k++) {
    const n = Math.floor(perScrape * (0.5 + random()));
    for (let o = 0; o < n; o++) {
      const v = median * Math.exp(1.2 * (random() + random() + random() - 1.5));
      for (let b = 0; b < bounds.length; b++) if (v <= bounds[b]) counts[b]++;
      sum += v;
    }
    sum = Math.round(sum * 1000) / 1000;
    const ts = timestampText(start + k * INTERVAL + offset);
    let text = '';
    for (let b = 0; b < bounds.length; b++) text += `${family}_bucket{${labels},le="${BUCKETS[b]}"} ${counts[b]} ${ts}\n`;
    text += `${family}_count{${labels}} ${counts[bounds.length - 1]} ${ts}\n${family}_sum{${labels}} ${sum} ${ts}\n`;
    out.samples += bounds.length + 2;
    out.write(text);
  }
}

export const HEAVY_METRIC = 'heavy_requests_total';
export const HEAVY_JOBS = 20;

/**
 * `series` counters (`heavy_requests_total{job, instance}`) from `start` (a 2 h boundary) for
 * `hours`, as one OpenMetrics file per 2-hour block range (`${prefix}-0.om.txt`, …): each file is
 * backfilled on its own, which keeps `vigil import`'s memory to one block range's samples.
 */
export function writeHeavyWorkload(prefix: string, series: number, start: number, hours: number): { files: string[]; bytes: number; samples: number } {
  const stepsPerFile = (2 * 3600_000) / INTERVAL;
  const totalSteps = Math.round((hours * 3600_000) / INTERVAL);
  const files: string[] = [];
  const writers: FileWriter[] = [];
  for (let first = 0; first < totalSteps; first += stepsPerFile) {
    files.push(`${prefix}-${files.length}.om.txt`);
    const writer = new FileWriter(files[files.length - 1]);
    writer.write(`# TYPE heavy_requests counter\n`);
    writers.push(writer);
  }
  for (let i = 0; i < series; i++) {
    const random = seededRandom(i + 1);
    const labels = `${HEAVY_METRIC}{instance="10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100",job="job-${i % HEAVY_JOBS}"} `;
    const offset = offsetOf(i);
    const rate = Math.floor(random() * 100);
    let value = Math.floor(random() * 1e6);
    for (let f = 0; f < writers.length; f++) {
      const end = Math.min(totalSteps, (f + 1) * stepsPerFile);
      let text = '';
      for (let k = f * stepsPerFile; k < end; k++) {
        value += rate + (k & 3);
        text += `${labels}${value} ${timestampText(start + k * INTERVAL + offset)}\n`;
      }
      writers[f].samples += end - f * stepsPerFile;
      writers[f].write(text);
    }
  }
  let bytes = 0;
  let samples = 0;
  for (const writer of writers) {
    writer.close();
    bytes += writer.bytes;
    samples += writer.samples;
  }
  return { files, bytes, samples };
}
