/**
 * The data set of the PromQL differential test (test/interop/promql-differential.test.ts): a few
 * hundred series over five hours, written as one OpenMetrics file that both `promtool tsdb
 * create-blocks-from openmetrics` and `vigil import` read. Deterministic: every value comes from a
 * seeded generator, and the time base is fixed.
 *
 * Shape, chosen so that Prometheus 2.42 and a Prometheus 3.x engine must agree (see the exclusions
 * in the test for the reasons):
 * - 4 jobs, 11 instances (`api-0:8080` …); each instance is scraped every 15 s with ±1 s jitter, and
 *   every sample timestamp has a sub-second part of 125…875 ms (exact in binary, so `ts * 1000`
 *   gives the same integer in Go and JS). Queries evaluate at whole seconds, so no range or
 *   lookback boundary ever falls on a sample: 2.42's closed `[t-r, t]` and 3.x's left-open
 *   `(t-r, t]` then select the same samples, subquery steps included.
 * - gaps: 2 % of scrapes are missing (only `up` is written, as 0); `db-1` has a 10-minute outage
 *   (longer than the 5-minute lookback); `batch-0` starts 90 minutes late; `batch-1` stops
 *   90 minutes before the end.
 * - counters with resets: `api` and `db` instances restart once. Counters that rate() reads never
 *   get near zero — a restart drops them to 30–60 % of their value — because 2.42 and 3.x
 *   extrapolate differently towards zero (Prometheus #13725). `errors_zero_reset_total` does start
 *   at 0 and reset to 0, for the functions that do not extrapolate (resets, changes, irate, idelta,
 *   *_over_time).
 * - gauges with negative values (`temperature_celsius`), large (`memory_bytes`, 1e9–1e12) and tiny
 *   (`ratio_tiny`, 1e-6–1e-5) magnitudes, small integers with many ties (`queue_length`), and a
 *   constant info-style gauge (`build_info{version}`) to join on.
 * - a classic histogram `http_request_duration_seconds` (`_bucket` with `le`, `_sum`, `_count`)
 *   whose `le` values are written the way 3.x normalizes them (`1.0`, not `1`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** 2026-09-30 20:00 UTC: a 2-hour boundary; five hours later crosses into October (time functions). */
export const DIFFERENTIAL_START = Date.UTC(2026, 8, 30, 20, 0, 0);
export const DIFFERENTIAL_HOURS = 5;
export const SCRAPE_INTERVAL = 15_000;
export const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '10.0', '+Inf'];

export interface DifferentialInstance {
  job: string;
  instance: string;
  /** First and last scheduled scrape (ms), inclusive. */
  firstScrape: number;
  lastScrape: number;
}

export interface DifferentialDataset {
  start: number;
  end: number;
  series: number;
  samples: number;
  bytes: number;
  instances: DifferentialInstance[];
  /** Interesting times (ms, whole seconds) for instant queries. */
  lateStart: number;
  stop: number;
  outageStart: number;
  outageEnd: number;
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JOBS: { job: string; instances: number; restarts: boolean }[] = [
  { job: 'api', instances: 4, restarts: true },
  { job: 'db', instances: 3, restarts: true },
  { job: 'cache', instances: 2, restarts: false },
  { job: 'batch', instances: 2, restarts: false },
];

interface InstanceSchedule {
  info: DifferentialInstance;
  labels: string;
  /** Per scheduled scrape: its timestamp (ms) and whether it succeeded (0 = missing). */
  timestamps: Float64Array;
  scraped: Uint8Array;
  /** Index of the scrape at which the process restarted (-1: never). */
  restartAt: number;
  random: () => number;
  version: string;
}

interface OutputSeries {
  family: string;
  labels: string;
  /** NaN where the series has no sample at that scrape. */
  values: Float64Array;
  schedule: InstanceSchedule;
}

function poisson(random: () => number, mean: number): number {
  // Knuth for small means, a normal approximation above.
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function schedules(seed: number, scrapes: number): InstanceSchedule[] {
  const out: InstanceSchedule[] = [];
  const hour = 3600_000;
  for (const { job, instances, restarts } of JOBS) {
    for (let i = 0; i < instances; i++) {
      const random = seededRandom(seed * 1000 + out.length + 1);
      const instance = `${job}-${i}:8080`;
      const fractionMs = 125 * (1 + Math.floor(random() * 7));
      const timestamps = new Float64Array(scrapes);
      const scraped = new Uint8Array(scrapes);
      let first = 0;
      let last = scrapes - 1;
      if (instance === 'batch-0:8080') first = (1.5 * hour) / SCRAPE_INTERVAL;
      if (instance === 'batch-1:8080') last = scrapes - 1 - (1.5 * hour) / SCRAPE_INTERVAL;
      for (let k = 0; k < scrapes; k++) {
        const r = random();
        const jitterSeconds = r < 0.1 ? -1 : r > 0.9 ? 1 : 0;
        timestamps[k] = DIFFERENTIAL_START + k * SCRAPE_INTERVAL + jitterSeconds * 1000 + fractionMs;
        if (k < first || k > last) continue;
        const t = DIFFERENTIAL_START + k * SCRAPE_INTERVAL;
        const inOutage = instance === 'db-1:8080' && t >= DIFFERENTIAL_START + 2 * hour && t < DIFFERENTIAL_START + 2 * hour + 10 * 60_000;
        scraped[k] = inOutage || random() < 0.02 ? 2 : 1; // 2 = scheduled but failed (up = 0 only)
      }
      out.push({
        info: { job, instance, firstScrape: timestamps[first], lastScrape: timestamps[last] },
        labels: `instance="${instance}",job="${job}"`,
        timestamps,
        scraped,
        restartAt: restarts ? Math.floor(scrapes * (0.2 + 0.7 * random())) : -1,
        random,
        version: i % 2 === 0 ? '1.4.2' : '1.5.0',
      });
    }
  }
  return out;
}

/** Fills one series' values scrape by scrape; `next(k, previous)` gives the value at scrape k. */
function generate(schedule: InstanceSchedule, scrapes: number, next: (k: number, previous: number, restarted: boolean) => number): Float64Array {
  const values = new Float64Array(scrapes).fill(NaN);
  let previous = NaN;
  for (let k = 0; k < scrapes; k++) {
    if (schedule.scraped[k] === 0) continue;
    // The value moves on even when the scrape fails: the process keeps counting.
    previous = next(k, previous, k === schedule.restartAt);
    if (schedule.scraped[k] === 1) values[k] = previous;
  }
  return values;
}

function counterFamilies(schedule: InstanceSchedule, scrapes: number): OutputSeries[] {
  const out: OutputSeries[] = [];
  const random = schedule.random;
  for (const method of ['GET', 'POST']) {
    for (const code of ['200', '404', '500']) {
      const mean = code === '200' ? (method === 'GET' ? 50 + random() * 150 : 5 + random() * 20) : code === '404' ? 1 + random() * 4 : random() * 1.5;
      const initial = Math.floor(1e5 + random() * 1e6);
      out.push({
        family: 'http_requests_total',
        labels: `code="${code}",${schedule.labels},method="${method}"`,
        schedule,
        values: generate(schedule, scrapes, (_k, previous, restarted) => {
          if (Number.isNaN(previous)) return initial;
          if (restarted) return Math.floor(previous * (0.3 + 0.3 * random()));
          return previous + poisson(random, mean);
        }),
      });
    }
  }
  const utilisation = 0.05 + random() * 0.6;
  const cpuInitial = Math.floor(1e6 + random() * 1e6);
  let cents = 0;
  out.push({
    family: 'process_cpu_seconds_total',
    labels: schedule.labels,
    schedule,
    values: generate(schedule, scrapes, (_k, previous, restarted) => {
      if (Number.isNaN(previous)) cents = cpuInitial;
      else if (restarted) cents = Math.floor(cents * (0.3 + 0.3 * random()));
      else cents += Math.round(1500 * utilisation * (0.5 + random()));
      return cents / 100;
    }),
  });
  const errorMean = 0.2 + random() * 2;
  out.push({
    family: 'errors_zero_reset_total',
    labels: schedule.labels,
    schedule,
    values: generate(schedule, scrapes, (_k, previous, restarted) => (Number.isNaN(previous) || restarted ? 0 : previous + poisson(random, errorMean))),
  });
  return out;
}

function histogramFamily(schedule: InstanceSchedule, scrapes: number): OutputSeries[] {
  const out: OutputSeries[] = [];
  const random = schedule.random;
  const bounds = BUCKETS.map(Number);
  for (const handler of ['/api/items', '/healthz']) {
    // Observations are log-normal around a per-series median latency.
    const median = handler === '/healthz' ? 0.003 + random() * 0.01 : 0.05 + random() * 0.3;
    const mean = handler === '/healthz' ? 3 + random() * 3 : 15 + random() * 30;
    const observe = () => median * Math.exp(0.9 * gaussian(random));
    // A large starting total in every bucket (see the file comment: counters stay far from zero):
    // 10,000 fast observations below the first bound, then 200,000 drawn from the distribution.
    const counts = new Float64Array(bounds.length).fill(10_000);
    let sum = 10;
    for (let n = 0; n < 2000; n++) {
      const v = observe();
      for (let b = 0; b < bounds.length; b++) if (v <= bounds[b]) counts[b] += 100;
      sum += v * 100;
    }
    const bucketValues = bounds.map(() => new Float64Array(scrapes).fill(NaN));
    const sumValues = new Float64Array(scrapes).fill(NaN);
    const countValues = new Float64Array(scrapes).fill(NaN);
    for (let k = 0; k < scrapes; k++) {
      if (schedule.scraped[k] === 0) continue;
      if (k === schedule.restartAt) {
        const factor = 0.3 + 0.3 * random();
        for (let b = 0; b < bounds.length; b++) counts[b] = Math.floor(counts[b] * factor);
        sum = Math.round(sum * factor * 1000) / 1000;
      } else {
        const n = poisson(random, mean);
        for (let o = 0; o < n; o++) {
          const v = observe();
          for (let b = 0; b < bounds.length; b++) if (v <= bounds[b]) counts[b]++;
          sum += v;
        }
        // Keep sums at millisecond precision, like most client libraries' decimal output.
        sum = Math.round(sum * 1000) / 1000;
      }
      if (schedule.scraped[k] !== 1) continue;
      for (let b = 0; b < bounds.length; b++) bucketValues[b][k] = counts[b];
      sumValues[k] = sum;
      countValues[k] = counts[bounds.length - 1];
    }
    const labels = `handler="${handler}",${schedule.labels}`;
    BUCKETS.forEach((le, b) => out.push({ family: 'http_request_duration_seconds_bucket', labels: `${labels},le="${le}"`, values: bucketValues[b], schedule }));
    out.push({ family: 'http_request_duration_seconds_count', labels, values: countValues, schedule });
    out.push({ family: 'http_request_duration_seconds_sum', labels, values: sumValues, schedule });
  }
  return out;
}

function gaugeFamilies(schedule: InstanceSchedule, scrapes: number): OutputSeries[] {
  const out: OutputSeries[] = [];
  const random = schedule.random;
  for (const sensor of ['inlet', 'outlet']) {
    let value = -20 + random() * 50;
    out.push({
      family: 'temperature_celsius',
      labels: `${schedule.labels},sensor="${sensor}"`,
      schedule,
      values: generate(schedule, scrapes, () => (value = Math.max(-45, Math.min(60, value + (random() - 0.5) * 1.5)))),
    });
  }
  for (const area of ['heap', 'rss']) {
    let value = Math.exp(Math.log(1e9) + random() * Math.log(1e3));
    out.push({
      family: 'memory_bytes',
      labels: `area="${area}",${schedule.labels}`,
      schedule,
      values: generate(schedule, scrapes, () => {
        value *= 1 + (random() - 0.5) * 0.02;
        return Math.round(value / 4096) * 4096;
      }),
    });
  }
  let tiny = 1e-6 + random() * 8e-6;
  out.push({
    family: 'ratio_tiny',
    labels: schedule.labels,
    schedule,
    values: generate(schedule, scrapes, () => (tiny = Math.min(1e-5, Math.max(1e-6, tiny * (1 + (random() - 0.5) * 0.1))))),
  });
  let queue = Math.floor(random() * 10);
  out.push({
    family: 'queue_length',
    labels: schedule.labels,
    schedule,
    values: generate(schedule, scrapes, () => (queue = Math.max(0, Math.min(20, queue + Math.floor(random() * 3) - 1)))),
  });
  out.push({ family: 'build_info', labels: `${schedule.labels},version="${schedule.version}"`, schedule, values: generate(schedule, scrapes, () => 1) });
  // `up` is written at every scheduled scrape, 0 when the scrape failed.
  const up = new Float64Array(scrapes).fill(NaN);
  for (let k = 0; k < scrapes; k++) if (schedule.scraped[k] !== 0) up[k] = schedule.scraped[k] === 1 ? 1 : 0;
  out.push({ family: 'up', labels: schedule.labels, schedule, values: up });
  return out;
}

const FAMILIES: { name: string; type: string; prefix: string[] }[] = [
  { name: 'http_requests', type: 'counter', prefix: ['http_requests_total'] },
  { name: 'process_cpu_seconds', type: 'counter', prefix: ['process_cpu_seconds_total'] },
  { name: 'errors_zero_reset', type: 'counter', prefix: ['errors_zero_reset_total'] },
  { name: 'temperature_celsius', type: 'gauge', prefix: ['temperature_celsius'] },
  { name: 'memory_bytes', type: 'gauge', prefix: ['memory_bytes'] },
  { name: 'ratio_tiny', type: 'gauge', prefix: ['ratio_tiny'] },
  { name: 'queue_length', type: 'gauge', prefix: ['queue_length'] },
  { name: 'build_info', type: 'gauge', prefix: ['build_info'] },
  { name: 'up', type: 'gauge', prefix: ['up'] },
];

function formatTimestamp(ms: number): string {
  // ms with a sub-second part that is a multiple of 125 ms: exact as a decimal of 3 digits.
  return (ms / 1000).toFixed(3);
}

/** Writes the data set as OpenMetrics to `file` and describes it. */
export function writeDifferentialData(file: string, seed = 42): DifferentialDataset {
  const scrapes = (DIFFERENTIAL_HOURS * 3600_000) / SCRAPE_INTERVAL;
  const instances = schedules(seed, scrapes);
  const series: OutputSeries[] = [];
  for (const schedule of instances) {
    series.push(...counterFamilies(schedule, scrapes), ...histogramFamily(schedule, scrapes), ...gaugeFamilies(schedule, scrapes));
  }
  const fd = openSync(file, 'w');
  let samples = 0;
  let bytes = 0;
  const write = (text: string) => {
    bytes += writeSync(fd, text);
  };
  try {
    for (const family of FAMILIES) {
      write(`# TYPE ${family.name} ${family.type}\n`);
      for (const one of series) {
        if (!family.prefix.includes(one.family)) continue;
        let out = '';
        for (let k = 0; k < scrapes; k++) {
          if (Number.isNaN(one.values[k])) continue;
          out += `${one.family}{${one.labels}} ${one.values[k]} ${formatTimestamp(one.schedule.timestamps[k])}\n`;
          samples++;
        }
        write(out);
      }
    }
    // The histogram: per instance and handler, scrape by scrape all buckets, then count and sum, so
    // each scrape's points of one histogram stay together (OpenMetrics' MetricPoint order).
    write('# TYPE http_request_duration_seconds histogram\n');
    const histogramSeries = series.filter((s) => s.family.startsWith('http_request_duration_seconds'));
    const groups = new Map<string, OutputSeries[]>();
    for (const s of histogramSeries) {
      const key = s.labels.replace(/,le="[^"]*"/, '');
      const group = groups.get(key) ?? [];
      group.push(s);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      let out = '';
      for (let k = 0; k < scrapes; k++) {
        for (const s of group) {
          if (Number.isNaN(s.values[k])) continue;
          out += `${s.family}{${s.labels}} ${s.values[k]} ${formatTimestamp(s.schedule.timestamps[k])}\n`;
          samples++;
        }
      }
      write(out);
    }
    write('# EOF\n');
  } finally {
    closeSync(fd);
  }
  const hour = 3600_000;
  return {
    start: DIFFERENTIAL_START,
    end: DIFFERENTIAL_START + DIFFERENTIAL_HOURS * hour,
    series: series.length,
    samples,
    bytes,
    instances: instances.map((s) => s.info),
    lateStart: DIFFERENTIAL_START + 1.5 * hour,
    stop: DIFFERENTIAL_START + (DIFFERENTIAL_HOURS - 1.5) * hour,
    outageStart: DIFFERENTIAL_START + 2 * hour,
    outageEnd: DIFFERENTIAL_START + 2 * hour + 10 * 60_000,
  };
}
