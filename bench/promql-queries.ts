/**
 * PromQL query latency, Vigil vs Prometheus 2.42, over the same backfilled data:
 *   node --import tsx bench/promql-queries.ts [--quick] [--only=vigil|prometheus] [--series=N]
 *        [--heavy-series=N] [--heavy-hours=H] [--heavy-day] [--heavy-only] [--heavy-heap-mib=N] [--runs=N] [--warmup-passes=N] [--seeds=DIR] [--import-heap-mib=N]
 *
 * (a) Every PromQL expression of the seed guides (`../shared/seeds/*.txt` beside the repository: rule-file `expr:` lines,
 *     dashboard `"expr"` fields, ```promql blocks; Grafana variables replaced by concrete values,
 *     bench/lib/promql-seeds.ts) as a 6-hour range query at a 15 s step, over ≥ 10,000 generated
 *     series (1,000 and 1 hour with --quick) that carry the metric names and labels those
 *     expressions select (bench/lib/promql-workload.ts). Per query: the median of --runs passes (15; 3
 *     with --quick) over the whole list, each pass in its own shuffled order, after one pass that times each query's first answer on the
 *     fresh server and --warmup-passes untimed passes (2; 1 with --quick), each timed from request
 *     to the last byte of the answer, and
 *     whether both answers agree (test/support/promql-answers.ts: same series, timestamps, values
 *     within 1e-6).
 * (b) `sum by (job) (rate(heavy_requests_total[5m]))` over --heavy-series counters (100,000; 10,000
 *     with --quick) × --heavy-hours (6; 1 with --quick) as a range query over the whole span at
 *     about 240 steps: whether it finishes, its median time, and the server's peak RSS while it runs
 *     (VmRSS polled every 20 ms) next to its RSS before.
 * Both data sets are written once as OpenMetrics and backfilled into each system (`promtool tsdb
 * create-blocks-from openmetrics` and `vigil import`; the heavy set as one file per 2 h block
 * range, which both tools take in one pass each); each server then runs alone on 127.0.0.1.
 * --heavy-day: the heavy set is 24 h (unless --heavy-hours says otherwise) and built range by range
 * (bench/lib/heavy-day.ts): Vigil's blocks written in-process by its block writer, Prometheus's by
 * promtool from one 2 h OpenMetrics file at a time, two at once, each generated while the previous
 * ones are backfilled and deleted when done — the same samples, in about a quarter of the time.
 * --heavy-only: only (b), without writing bench/results/ (unless --json says where). --heavy-heap-mib: Vigil's V8 heap limit for (b) (12,288 by default; a
 * small one shows the query's memory is bounded by the engine's limits, not by a lazy collector).
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compareAnswers } from '../test/support/promql-answers.ts';
import type { ApiAnswer } from '../test/support/promql-answers.ts';
import { commandLine, finish, fmt, log, makeTempDir, numberFlag, parseArgs, runBench, sleep } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { seedExpressions } from './lib/promql-seeds.ts';
import type { SeedExpression } from './lib/promql-seeds.ts';
import { backfillHeavyPrometheus, writeHeavyVigilBlocks } from './lib/heavy-day.ts';
import { HEAVY_JOBS, HEAVY_METRIC, INTERVAL, seedWorkload, writeHeavyWorkload, writeSeedWorkload } from './lib/promql-workload.ts';
import { hash32 } from './lib/workload.ts';
import { EMPTY_CONFIG, REPO_ROOT, peakRssBytes, rssBytes, startServer, stopServer } from './lib/servers.ts';
import type { RunningServer, SystemName } from './lib/servers.ts';

const run = promisify(execFile);
const args = parseArgs();
const SEED_SERIES = numberFlag(args, 'series', args.quick ? 1_000 : 10_000);
const QUERY_HOURS = args.quick ? 1 : 6;
/** One hour of data before the queried range, for the range selectors' windows. */
const SEED_DATA_HOURS = QUERY_HOURS + 1;
const HEAVY_SERIES = numberFlag(args, 'heavy-series', args.quick ? 10_000 : 100_000);
const HEAVY_DAY = args.extra.get('heavy-day') === 'true';
const HEAVY_ONLY = args.extra.get('heavy-only') === 'true';
const HEAVY_HEAP_MIB = numberFlag(args, 'heavy-heap-mib', 12_288);
const HEAVY_HOURS = numberFlag(args, 'heavy-hours', HEAVY_DAY ? 24 : args.quick ? 1 : 6);
const RUNS = numberFlag(args, 'runs', args.quick ? 3 : 15);
const WARMUP_PASSES = numberFlag(args, 'warmup-passes', args.quick ? 1 : 2);
const HEAVY_RUNS = args.quick ? 2 : 3;
/** `vigil import`'s V8 heap: at 8 GiB it ran out on 100,000 series × 6 h (144 M samples). */
const IMPORT_HEAP_MIB = numberFlag(args, 'import-heap-mib', 12_288);
const SEEDS_DIR = args.extra.get('seeds') ?? join(REPO_ROOT, '..', 'shared', 'seeds');
const QUERY_TIMEOUT_MS = 10 * 60_000;
const TWO_HOURS = 2 * 3600_000;
const HEAVY_QUERY = `sum by (job) (rate(${HEAVY_METRIC}[5m]))`;

interface Timed {
  ms: number;
  answer: ApiAnswer;
}

/** One query over HTTP, timed from sending to the last byte of the body (JSON decoding excluded). */
async function timedQuery(base: string, params: Record<string, string>): Promise<Timed> {
  const started = performance.now();
  let text: string;
  try {
    const response = await fetch(`${base}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return { ms: performance.now() - started, answer: { status: 'error', transportError: (error as Error).message } };
  }
  const ms = performance.now() - started;
  try {
    return { ms, answer: JSON.parse(text) as ApiAnswer };
  } catch {
    return { ms, answer: { status: 'error', transportError: `not JSON: ${text.slice(0, 200)}` } };
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seriesCount(answer: ApiAnswer): number | string {
  if (answer.status !== 'success') return answer.transportError !== undefined ? 'failed' : `error: ${answer.errorType}`;
  return Array.isArray(answer.data?.result) ? (answer.data.result as unknown[]).length : 1;
}

interface SeedMeasurement {
  /** Median of the timed passes, after the warm-up passes. */
  medianMs: number;
  /** The first answer on a fresh server (before any warm-up). */
  firstMs: number;
  answer: ApiAnswer;
}

interface HeavyMeasurement {
  finished: boolean;
  error: string;
  medianMs: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  hwmMiB: number;
  resultSeries: number | string;
  /** The last run's answer, compared between the systems. */
  answer: ApiAnswer | null;
}

/** A deterministic shuffle of 0…n-1 for timed pass `pass` (Fisher–Yates on the workload's hash). */
function passOrder(n: number, pass: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = hash32(pass + 1, i) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function measureSeeds(server: RunningServer, expressions: readonly SeedExpression[], range: Record<string, string>): Promise<SeedMeasurement[]> {
  // Pass 0 answers every query once on the fresh server (its time is the cold "first answer");
  // WARMUP_PASSES more passes let both runtimes reach their steady state (V8's optimising compiler
  // needs a few calls of a query shape; a dashboard refreshes the same queries all day); then RUNS
  // timed passes over the whole list, so a disturbance on the machine spreads over all queries
  // instead of landing on a few.
  const out: SeedMeasurement[] = [];
  for (const { expr } of expressions) {
    const first = await timedQuery(server.base, { query: expr, ...range });
    out.push({ medianMs: NaN, firstMs: first.ms, answer: first.answer });
  }
  for (let pass = 0; pass < WARMUP_PASSES; pass++) {
    for (const { expr } of expressions) await timedQuery(server.base, { query: expr, ...range });
  }
  // Each timed pass takes the queries in its own order (the same orders for both systems): identical
  // passes would land a periodic pause, such as a collection every so many allocations, on the same
  // query every time.
  const times: number[][] = expressions.map(() => []);
  for (let pass = 0; pass < RUNS; pass++) {
    for (const i of passOrder(expressions.length, pass)) times[i].push((await timedQuery(server.base, { query: expressions[i].expr, ...range })).ms);
  }
  times.forEach((list, i) => (out[i].medianMs = median(list)));
  return out;
}

async function measureHeavy(server: RunningServer, range: Record<string, string>): Promise<HeavyMeasurement> {
  const mib = (bytes: number) => bytes / 2 ** 20;
  await sleep(2000);
  const rssBefore = rssBytes(server.pid);
  let peak = rssBefore;
  const poll = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(server.pid));
    } catch {
      // The process is gone; the query result says why.
    }
  }, 20);
  const times: number[] = [];
  let last: Timed | null = null;
  try {
    for (let r = 0; r < HEAVY_RUNS; r++) {
      last = await timedQuery(server.base, { query: HEAVY_QUERY, ...range });
      log(`${server.system}: heavy query run ${r + 1}: ${(last.ms / 1000).toFixed(2)} s, ${String(seriesCount(last.answer))} series`);
      if (last.answer.status !== 'success') break;
      times.push(last.ms);
    }
  } finally {
    clearInterval(poll);
  }
  const finished = last !== null && last.answer.status === 'success';
  let hwm = NaN;
  try {
    hwm = peakRssBytes(server.pid);
  } catch {
    // Gone.
  }
  return {
    finished,
    error: finished || last === null ? '' : (last.answer.transportError ?? `${last.answer.errorType}: ${last.answer.error}`),
    medianMs: times.length > 0 ? median(times) : NaN,
    rssBeforeMiB: mib(rssBefore),
    peakRssMiB: mib(peak),
    hwmMiB: mib(hwm),
    resultSeries: last === null ? '—' : seriesCount(last.answer),
    answer: last === null ? null : last.answer,
  };
}

async function backfill(system: SystemName, file: string, dir: string): Promise<number> {
  const started = performance.now();
  if (system === 'prometheus') {
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dir], { maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  } else {
    await run(process.execPath, [`--max-old-space-size=${IMPORT_HEAP_MIB}`, join(REPO_ROOT, 'bin', 'vigil.js'), 'import', '--quiet', `--storage.tsdb.path=${dir}`, file], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  }
  return (performance.now() - started) / 1000;
}

function markdownTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => (typeof value === 'number' ? fmt(value) : value.replaceAll('|', '\\|'));
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

await runBench('promql-queries', (args.quick ? 20 : 60) * 60_000, async () => {
  const started = Date.now();
  const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
  const root = makeTempDir('promql');
  const expressions = seedExpressions(SEEDS_DIR);
  if (expressions.length === 0) throw new Error(`no PromQL expressions found in ${SEEDS_DIR}`);
  const workload = seedWorkload(
    expressions.map((e) => e.expr),
    SEED_SERIES,
  );
  // Data ends at least an hour before now, on a 2 h boundary start, so nothing is in the future.
  const seedStart = Math.floor((Date.now() - (SEED_DATA_HOURS + 1) * 3600_000) / TWO_HOURS) * TWO_HOURS;
  const heavyStart = Math.floor((Date.now() - (HEAVY_HOURS + 1) * 3600_000) / TWO_HOURS) * TWO_HOURS;
  const seedFile = join(root, 'seeds.om.txt');
  const heavyPrefix = join(root, 'heavy');
  log(`${expressions.length} seed expressions; writing ${workload.series} series × ${SEED_DATA_HOURS} h (${workload.families.length} families, ${workload.instances} instances per job) …`);
  const seedData = HEAVY_ONLY ? { samples: 0, bytes: 0 } : writeSeedWorkload(seedFile, workload, seedStart, SEED_DATA_HOURS);
  let heavyData: { files: string[]; bytes: number; samples: number } = { files: [], bytes: 0, samples: 0 };
  if (!HEAVY_DAY) {
    log(`seeds: ${seedData.samples} samples, ${(seedData.bytes / 2 ** 20).toFixed(0)} MiB; writing the heavy set: ${HEAVY_SERIES} series × ${HEAVY_HOURS} h …`);
    heavyData = writeHeavyWorkload(heavyPrefix, HEAVY_SERIES, heavyStart, HEAVY_HOURS);
    log(`heavy: ${heavyData.samples} samples, ${(heavyData.bytes / 2 ** 20).toFixed(0)} MiB in ${heavyData.files.length} files (one per 2 h); backfilling …`);
  } else {
    log(`seeds: ${seedData.samples} samples, ${(seedData.bytes / 2 ** 20).toFixed(0)} MiB; backfilling (the heavy set, ${HEAVY_SERIES} series × ${HEAVY_HOURS} h, range by range) …`);
  }

  const dirs = (system: SystemName, set: 'seeds' | 'heavy') => join(root, `${set}-${system}`, 'data');
  const backfillSeconds = new Map<string, number>();
  const backfillFailures = new Map<string, string>();
  // One chain per system, the two in parallel (each is mostly one core). A failed backfill is
  // reported and that system skips that data set.
  await Promise.all(
    systems.map(async (system) => {
      for (const [set, files] of [['seeds', [seedFile]], ['heavy', heavyData.files]] as const) {
        if (set === 'seeds' && HEAVY_ONLY) continue;
        mkdirSync(dirs(system, set), { recursive: true });
        try {
          let seconds = 0;
          if (set === 'heavy' && HEAVY_DAY) {
            const built =
              system === 'vigil'
                ? await writeHeavyVigilBlocks(dirs(system, set), HEAVY_SERIES, heavyStart, HEAVY_HOURS)
                : await backfillHeavyPrometheus(heavyPrefix, HEAVY_SERIES, heavyStart, HEAVY_HOURS, 2, (file) => backfill(system, file, dirs(system, set)));
            heavyData.samples = built.samples;
            seconds = built.seconds;
          }
          for (const file of files) seconds += await backfill(system, file, dirs(system, set));
          backfillSeconds.set(`${system} ${set}`, seconds);
          log(`${system}: ${set} backfilled in ${seconds.toFixed(1)} s`);
        } catch (error) {
          const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message);
          const reason = /heap out of memory/.test(stderr) ? 'ran out of JS heap' : stderr.trim().split('\n').slice(-2).join(' / ').slice(0, 300);
          backfillFailures.set(`${system} ${set}`, reason);
          log(`${system}: ${set} backfill FAILED: ${reason}`);
        }
      }
    }),
  );

  const queryStart = Math.round((seedStart + 3600_000) / 1000);
  const seedRange = { start: String(queryStart), end: String(queryStart + QUERY_HOURS * 3600), step: String(INTERVAL / 1000) };
  const heavySpan = HEAVY_HOURS * 3600;
  const heavyStep = Math.max(15, Math.ceil(heavySpan / 240 / 15) * 15);
  const heavyFirst = Math.round(heavyStart / 1000) + 300;
  const heavyRange = { start: String(heavyFirst), end: String(heavyFirst + Math.floor((heavySpan - 300) / heavyStep) * heavyStep), step: String(heavyStep) };

  const loadAverages: string[] = [];
  const seedResults = new Map<SystemName, SeedMeasurement[]>();
  const heavyResults = new Map<SystemName, HeavyMeasurement>();
  for (const system of systems) {
    if (backfillFailures.has(`${system} seeds`)) continue;
    if (!HEAVY_ONLY) {
      // Other work on the machine shows up in latencies; keep the 1-minute load next to them.
      loadAverages.push(`${system} seed queries ${loadavg()[0].toFixed(2)}`);
      const seedServer = await startServer({ system, dataDir: dirs(system, 'seeds'), config: EMPTY_CONFIG, logFile: join(root, `seeds-${system}.log`), heapMiB: 8192, readyTimeoutMs: 300_000 });
      try {
        log(`${system}: ${expressions.length} seed queries × (1 + ${WARMUP_PASSES} + ${RUNS}) passes …`);
        seedResults.set(system, await measureSeeds(seedServer, expressions, seedRange));
      } finally {
        await stopServer(seedServer);
      }
    }
    if (backfillFailures.has(`${system} heavy`)) continue;
    loadAverages.push(`${system} heavy query ${loadavg()[0].toFixed(2)}`);
    const heavyServer = await startServer({ system, dataDir: dirs(system, 'heavy'), config: EMPTY_CONFIG, logFile: join(root, `heavy-${system}.log`), heapMiB: HEAVY_HEAP_MIB, readyTimeoutMs: 600_000 });
    try {
      log(`${system}: heavy query ${HEAVY_QUERY} …`);
      heavyResults.set(system, await measureHeavy(heavyServer, heavyRange));
    } finally {
      await stopServer(heavyServer);
    }
  }

  const prometheusSeeds = seedResults.get('prometheus');
  const vigilSeeds = seedResults.get('vigil');
  const rows: (string | number)[][] = [];
  let agreeing = 0;
  const ratios: number[] = [];
  expressions.forEach((expression, i) => {
    const p = prometheusSeeds?.[i];
    const v = vigilSeeds?.[i];
    let agreement = '—';
    if (p !== undefined && v !== undefined) {
      const difference = compareAnswers(p.answer, v.answer);
      agreement = difference === null ? 'yes' : `NO: ${difference.slice(0, 120)}`;
      if (difference === null) agreeing++;
      if (v.answer.status === 'success' && p.answer.status === 'success') ratios.push(v.medianMs / p.medianMs);
    }
    rows.push([
      `\`${expression.expr}\``,
      expression.source,
      p !== undefined ? seriesCount(p.answer) : v !== undefined ? seriesCount(v.answer) : '—',
      p?.medianMs ?? '—',
      v?.medianMs ?? '—',
      p !== undefined && v !== undefined ? `${(v.medianMs / p.medianMs).toFixed(2)}×` : '—',
      p?.firstMs ?? '—',
      v?.firstMs ?? '—',
      agreement,
    ]);
  });
  const sumOf = (list: SeedMeasurement[] | undefined) => (list === undefined ? null : list.reduce((s, m) => s + m.medianMs, 0));
  const heavyP = heavyResults.get('prometheus');
  const heavyV = heavyResults.get('vigil');
  const heavyRows = systems.map((system) => {
    const h = heavyResults.get(system);
    if (h === undefined) return [system, `NO: backfill failed (${backfillFailures.get(`${system} heavy`) ?? 'not run'})`, '—', '—', '—', '—', '—'];
    return [system, h.finished ? 'yes' : `NO: ${h.error.slice(0, 160)}`, h.medianMs / 1000, h.rssBeforeMiB, h.peakRssMiB, h.hwmMiB, h.resultSeries];
  });
  const heavyColumns = ['system', 'finished', 'median s', 'RSS before MiB', 'peak RSS during query MiB', 'VmHWM after MiB', 'result series'];
  // The target is per query: count the seed queries whose median is no slower than Prometheus's.
  const compared = vigilSeeds && prometheusSeeds ? vigilSeeds.filter((_, i) => prometheusSeeds[i] !== undefined) : [];
  const noSlower = vigilSeeds && prometheusSeeds ? vigilSeeds.filter((v, i) => prometheusSeeds[i] !== undefined && v.medianMs <= prometheusSeeds[i].medianMs).length : null;
  const headline: Headline[] = [
    {
      metric: `seed queries no slower than Prometheus (of ${compared.length})`,
      unit: 'queries',
      vigil: noSlower,
      prometheus: null,
      target: `all ${compared.length}`,
      met: noSlower === null ? null : noSlower === compared.length,
    },
    {
      metric: `seed queries whose first answer on a fresh server is no slower (of ${compared.length})`,
      unit: 'queries',
      vigil: vigilSeeds && prometheusSeeds ? vigilSeeds.filter((v, i) => prometheusSeeds[i] !== undefined && v.firstMs <= prometheusSeeds[i].firstMs).length : null,
      prometheus: null,
      target: '—',
      met: null,
    },
    { metric: `seed queries: sum of per-query medians (${expressions.length} queries, ${QUERY_HOURS} h at 15 s)`, unit: 'ms', vigil: sumOf(vigilSeeds), prometheus: sumOf(prometheusSeeds), target: '—', met: null },
    {
      metric: `heavy ${HEAVY_QUERY}`,
      unit: 's',
      vigil: heavyV?.finished ? heavyV.medianMs / 1000 : null,
      prometheus: heavyP?.finished ? heavyP.medianMs / 1000 : null,
      target: 'finishes',
      met: heavyV !== undefined ? heavyV.finished : backfillFailures.has('vigil heavy') ? false : null,
    },
    { metric: 'heavy query peak RSS', unit: 'MiB', vigil: heavyV?.peakRssMiB ?? null, prometheus: heavyP?.peakRssMiB ?? null, target: '—', met: null },
  ];
  const notes: string[] = [];
  if (prometheusSeeds && vigilSeeds) notes.push(`answers agree on ${agreeing} of ${expressions.length} seed queries (same series, timestamps, values within 1e-6)`);
  if (ratios.length > 0) notes.push(`median of per-query Vigil / Prometheus latency ratios: ${median(ratios).toFixed(2)}× (best ${Math.min(...ratios).toFixed(2)}×, worst ${Math.max(...ratios).toFixed(2)}×)`);
  for (const [key, seconds] of backfillSeconds) notes.push(`backfill ${key}: ${seconds.toFixed(1)} s`);
  for (const [key, reason] of backfillFailures) notes.push(`backfill ${key} FAILED: ${reason}`);
  notes.push(`1-minute load average (2 CPUs) when each phase started: ${loadAverages.join(', ')}`);
  if (heavyP?.answer && heavyV?.answer) {
    const difference = compareAnswers(heavyP.answer, heavyV.answer);
    notes.push(`heavy query answers agree: ${difference === null ? 'yes' : `NO: ${difference.slice(0, 200)}`}`);
  }
  if (HEAVY_HEAP_MIB !== 12_288) notes.push(`Vigil's V8 heap limit for the heavy query: ${HEAVY_HEAP_MIB} MiB (--heavy-heap-mib)`);
  notes.push(`heavy query: ${HEAVY_SERIES.toLocaleString('en-US')} series × ${HEAVY_HOURS} h (${heavyData.samples.toLocaleString('en-US')} samples, ${HEAVY_JOBS} jobs), range ${heavyRange.start}…${heavyRange.end} step ${heavyStep} s; ${HEAVY_RUNS} runs, median`);
  for (const system of systems) notes.push(`heavy ${heavyColumns.map((c, i) => `${c}: ${typeof heavyRows[systems.indexOf(system)][i] === 'number' ? fmt(heavyRows[systems.indexOf(system)][i] as number) : heavyRows[systems.indexOf(system)][i]}`).join(', ')}`);
  if (HEAVY_DAY) {
    notes.push(`the heavy set was built range by range (--heavy-day): Vigil's blocks written in-process by its block writer (one per 2 h, the samples vigil import would store; "backfill vigil heavy" is that time), Prometheus's by promtool from one 2 h OpenMetrics file at a time, two at once, each file generated while the previous ones were backfilled`);
  }
  if (!args.quick && (HEAVY_SERIES < 100_000 || HEAVY_HOURS < 24)) {
    notes.push(`the heavy set is ${HEAVY_SERIES.toLocaleString('en-US')} series × ${HEAVY_HOURS} h rather than 100,000 × 24 h: 576 M samples (about 40 GB of OpenMetrics text) would take about 7 minutes to write and 14–18 minutes per system to backfill on this machine (promtool ~0.7 M and vigil import ~0.55 M samples/s, measured on the 2 h set), beyond the ~10 minutes allowed. The heavy data is written and backfilled as one file per 2 h block range (--heavy-day builds the 24 h set range by range instead).`);
  }
  const result: BenchResult = {
    bench: 'promql-queries',
    title: 'PromQL query latency',
    quick: args.quick,
    command: `${commandLine('promql-queries', args)}${args.extra.size > 0 ? ` ${[...args.extra].map(([k, v]) => `--${k}=${v}`).join(' ')}` : ''}`,
    workload: `${expressions.length} PromQL expressions from the seed guides (../shared/seeds) as range queries over ${QUERY_HOURS} h at a 15 s step (${QUERY_HOURS * 240 + 1} points), on ${workload.series.toLocaleString('en-US')} generated series × ${SEED_DATA_HOURS} h (${seedData.samples.toLocaleString('en-US')} samples; ${workload.families.length} metric families with the labels the expressions select, ${workload.instances} instances per job). Latency = median of ${RUNS} timed passes over the whole list, each in its own shuffled order, after ${WARMUP_PASSES} untimed ones (steady state), from request to the last byte of the answer, with each query's first answer on the fresh server in its own columns; over HTTP on 127.0.0.1; both systems backfilled from the same OpenMetrics file, one server at a time. Plus ${HEAVY_QUERY} over ${HEAVY_SERIES.toLocaleString('en-US')} series × ${HEAVY_HOURS} h.`,
    columns: ['query', 'source', 'series', 'Prometheus ms', 'Vigil ms', 'Vigil / Prometheus', 'first answer: Prometheus ms', 'first answer: Vigil ms', 'answers agree'],
    rows,
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  // A --heavy-only run is partial: it writes a results file only when --json names one.
  const jsonFile = args.json ?? (HEAVY_ONLY ? null : join(REPO_ROOT, 'bench', 'results', `promql-queries${args.quick ? '.quick' : ''}.json`));
  if (jsonFile !== null && args.json === null) mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  finish({ ...args, json: jsonFile }, result);
  console.log('\n### Markdown\n');
  console.log(markdownTable(result.columns, rows));
  console.log('');
  console.log(markdownTable(heavyColumns, heavyRows));
});
