/**
 * The fixed cost of one query request, Vigil vs Prometheus 2.42, over the same backfilled data:
 *   node --import tsx bench/request-overhead.ts [--quick] [--only=vigil|prometheus] [--requests=N]
 *        [--series=N] [--seeds=DIR] [--query-seconds=S]
 *
 * Queries that evaluate almost nothing show what every request costs besides evaluation (HTTP
 * parsing, routing, middleware, parameter parsing, query setup, encoding, writing the answer):
 * `vector(1)` and `up` as instant queries, `vector(1)` as a 6 h range query at 15 s (1,441 points,
 * a compressed answer), and the two smallest seed-guide queries of bench/promql-queries.ts as the
 * same 6 h range queries over the same generated series (bench/lib/promql-workload.ts; 10,000 series,
 * 1,000 with --quick). Each query is sent --requests times (2,000; 300 with --quick) one after the
 * other over one keep-alive connection, as form POSTs with `fetch` (as promql-queries.ts sends them),
 * after 50 warm-up requests, and stops early after --query-seconds (30) so a slow system cannot hold
 * the run. Per query: the median and 90th percentile latency from request to the last byte, and the
 * server's CPU time per request (user + system, all threads, /proc), which other work on the machine
 * disturbs less than latency. Each query gets a freshly started server, and its first requests are
 * timed apart (one, then the median of the next 5): with few requests, code not yet optimised by the
 * JIT shows, which thousands of requests hide.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { seedExpressions } from './lib/promql-seeds.ts';
import { INTERVAL, seedWorkload, writeSeedWorkload } from './lib/promql-workload.ts';
import { EMPTY_CONFIG, REPO_ROOT, cpuSeconds, startServer, stopServer } from './lib/servers.ts';
import type { RunningServer, SystemName } from './lib/servers.ts';

const run = promisify(execFile);
const args = parseArgs();
const REQUESTS = numberFlag(args, 'requests', args.quick ? 300 : 2_000);
const WARM_UP = 50;
/** The first requests on a fresh server: one, then the median of this many. */
const COLD_RUNS = 5;
const SERIES = numberFlag(args, 'series', args.quick ? 1_000 : 10_000);
const QUERY_SECONDS = numberFlag(args, 'query-seconds', 30);
const QUERY_HOURS = 6;
/** One hour of data before the queried range, as promql-queries.ts has. */
const DATA_HOURS = QUERY_HOURS + 1;
const SEEDS_DIR = args.extra.get('seeds') ?? join(REPO_ROOT, '..', 'shared', 'seeds');
const TWO_HOURS = 2 * 3600_000;
/** The two seed queries that were slower on Vigil in promql-queries.ts: the smallest ones. */
const SEED_QUERIES = ['up{job="metamask-integration"} == 0', 'bridge_conductor_circuit_breaker_state == 1'];

interface Probe {
  name: string;
  path: '/api/v1/query' | '/api/v1/query_range';
  params: Record<string, string>;
}

interface Measurement {
  /** Median of requests 2 to 1 + COLD_RUNS on a fresh server. */
  coldMedianMs: number;
  requests: number;
  medianMs: number;
  p90Ms: number;
  cpuMsPerRequest: number;
  /** The first answer's status and size, to show both systems answered alike. */
  status: number;
  bytes: number;
  error: string;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

async function send(base: string, probe: Probe): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${base}${probe.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(probe.params).toString(),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, bytes: body.byteLength };
}

async function measure(server: RunningServer, probe: Probe): Promise<Measurement> {
  let first: { status: number; bytes: number } | null = null;
  try {
    first = await send(server.base, probe);
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) cold.push((await send(server.base, probe)).ms);
    cold.sort((a, b) => a - b);
    for (let i = 0; i < WARM_UP; i++) {
      const answer = await send(server.base, probe);
      first ??= answer;
    }
    const times: number[] = [];
    const cpuBefore = cpuSeconds(server.pid);
    const stopAt = performance.now() + QUERY_SECONDS * 1000;
    while (times.length < REQUESTS && performance.now() < stopAt) times.push((await send(server.base, probe)).ms);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    times.sort((a, b) => a - b);
    return {
      coldMedianMs: quantile(cold, 0.5),
      requests: times.length,
      medianMs: quantile(times, 0.5),
      p90Ms: quantile(times, 0.9),
      cpuMsPerRequest: (cpu * 1000) / times.length,
      status: first?.status ?? 0,
      bytes: first?.bytes ?? 0,
      error: '',
    };
  } catch (error) {
    return { coldMedianMs: NaN, requests: 0, medianMs: NaN, p90Ms: NaN, cpuMsPerRequest: NaN, status: first?.status ?? 0, bytes: first?.bytes ?? 0, error: (error as Error).message };
  }
}

async function backfill(system: SystemName, file: string, dir: string): Promise<void> {
  if (system === 'prometheus') {
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dir], { maxBuffer: 64 << 20, timeout: 20 * 60_000 });
  } else {
    await run(process.execPath, [join(REPO_ROOT, 'bin', 'vigil.js'), 'import', '--quiet', `--storage.tsdb.path=${dir}`, file], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 20 * 60_000 });
  }
}

await runBench('request-overhead', (args.quick ? 10 : 30) * 60_000, async () => {
  const started = Date.now();
  const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
  const root = makeTempDir('request-overhead');
  const expressions = seedExpressions(SEEDS_DIR);
  for (const query of SEED_QUERIES) {
    if (!expressions.some((e) => e.expr === query)) throw new Error(`${SEEDS_DIR} has no seed expression ${query}`);
  }
  // The same generated series as promql-queries.ts: every family the seed expressions select.
  const workload = seedWorkload(
    expressions.map((e) => e.expr),
    SERIES,
  );
  const dataStart = Math.floor((Date.now() - (DATA_HOURS + 1) * 3600_000) / TWO_HOURS) * TWO_HOURS;
  const file = join(root, 'seeds.om.txt');
  log(`writing ${workload.series} series × ${DATA_HOURS} h …`);
  const data = writeSeedWorkload(file, workload, dataStart, DATA_HOURS);
  log(`${data.samples} samples; backfilling …`);
  const dataDir = (system: SystemName) => join(root, system, 'data');
  await Promise.all(
    systems.map(async (system) => {
      mkdirSync(dataDir(system), { recursive: true });
      await backfill(system, file, dataDir(system));
    }),
  );

  const queryStart = Math.round((dataStart + 3600_000) / 1000);
  const range = { start: String(queryStart), end: String(queryStart + QUERY_HOURS * 3600), step: String(INTERVAL / 1000) };
  const instantTime = String(queryStart + QUERY_HOURS * 3600);
  const probes: Probe[] = [
    { name: 'vector(1) instant', path: '/api/v1/query', params: { query: 'vector(1)', time: instantTime } },
    { name: 'up instant', path: '/api/v1/query', params: { query: 'up', time: instantTime } },
    { name: 'vector(1) range', path: '/api/v1/query_range', params: { query: 'vector(1)', ...range } },
    ...SEED_QUERIES.map((query): Probe => ({ name: `${query} range`, path: '/api/v1/query_range', params: { query, ...range } })),
  ];

  const results = new Map<SystemName, Measurement[]>();
  const loadAverages: string[] = [];
  for (const system of systems) {
    loadAverages.push(`${system} ${loadavg()[0].toFixed(2)}`);
    const measured: Measurement[] = [];
    for (const probe of probes) {
      // A fresh server per query, so the first requests of each are as cold as the first ever.
      const server = await startServer({ system, dataDir: dataDir(system), config: EMPTY_CONFIG, logFile: join(root, `${system}.log`), heapMiB: 4096, readyTimeoutMs: 300_000 });
      try {
        const m = await measure(server, probe);
        log(
          `${system}: ${probe.name}: first ${COLD_RUNS} after one: median ${m.coldMedianMs.toFixed(3)} ms; ${m.requests} requests: median ${m.medianMs.toFixed(3)} ms, p90 ${m.p90Ms.toFixed(3)} ms, ${m.cpuMsPerRequest.toFixed(3)} CPU ms/request${m.error === '' ? '' : `, FAILED: ${m.error}`}`,
        );
        measured.push(m);
      } finally {
        await stopServer(server);
      }
    }
    results.set(system, measured);
  }

  const prometheus = results.get('prometheus');
  const vigil = results.get('vigil');
  const cellOf = (m: Measurement | undefined, key: 'coldMedianMs' | 'medianMs' | 'p90Ms' | 'cpuMsPerRequest') => (m === undefined || m.error !== '' ? '—' : m[key]);
  const rows = probes.map((probe, i) => {
    const p = prometheus?.[i];
    const v = vigil?.[i];
    const ratio = p !== undefined && v !== undefined && p.medianMs > 0 ? `${(v.medianMs / p.medianMs).toFixed(2)}×` : '—';
    return [probe.name, cellOf(p, 'medianMs'), cellOf(v, 'medianMs'), ratio, cellOf(p, 'p90Ms'), cellOf(v, 'p90Ms'), cellOf(p, 'cpuMsPerRequest'), cellOf(v, 'cpuMsPerRequest'), cellOf(p, 'coldMedianMs'), cellOf(v, 'coldMedianMs')];
  });
  const figure = (list: Measurement[] | undefined, i: number, key: 'medianMs' | 'cpuMsPerRequest') => {
    const m = list?.[i];
    return m === undefined || m.error !== '' ? null : m[key];
  };
  const noSlower = (i: number) => {
    const v = figure(vigil, i, 'medianMs');
    const p = figure(prometheus, i, 'medianMs');
    return v === null || p === null ? null : v <= p;
  };
  const headline: Headline[] = [
    { metric: 'fixed cost per request: vector(1) instant, median latency', unit: 'ms', vigil: figure(vigil, 0, 'medianMs'), prometheus: figure(prometheus, 0, 'medianMs'), target: '≤ Prometheus', met: noSlower(0) },
    { metric: 'server CPU per vector(1) instant request', unit: 'ms', vigil: figure(vigil, 0, 'cpuMsPerRequest'), prometheus: figure(prometheus, 0, 'cpuMsPerRequest'), target: '—', met: null },
  ];
  const notes: string[] = [];
  for (const [i, probe] of probes.entries()) {
    const p = prometheus?.[i];
    const v = vigil?.[i];
    const describe = (system: string, m: Measurement | undefined) => (m === undefined ? '' : `${system} ${m.requests} requests, first answer HTTP ${m.status} of ${m.bytes} B${m.error === '' ? '' : `, FAILED: ${m.error}`}`);
    notes.push(`${probe.name}: ${[describe('Prometheus', p), describe('Vigil', v)].filter(Boolean).join('; ')}`);
  }
  notes.push(`1-minute load average (2 CPUs) when each server started: ${loadAverages.join(', ')}`);
  const result: BenchResult = {
    bench: 'request-overhead',
    title: 'Per-request fixed cost of the query API',
    quick: args.quick,
    command: `${commandLine('request-overhead', args)}${args.extra.size > 0 ? ` ${[...args.extra].map(([k, v]) => `--${k}=${v}`).join(' ')}` : ''}`,
    workload: `Trivial queries (vector(1) and up as instant queries; vector(1) as a ${QUERY_HOURS} h range query at 15 s) and the two smallest seed queries (${SEED_QUERIES.join(', ')}) as ${QUERY_HOURS} h range queries at 15 s, on ${workload.series.toLocaleString('en-US')} generated series × ${DATA_HOURS} h (${data.samples.toLocaleString('en-US')} samples, the promql-queries workload), backfilled into both systems from one OpenMetrics file. Each query on a freshly started server: one request, then ${COLD_RUNS} timed ("first ${COLD_RUNS}", their median, as promql-queries times each query), ${WARM_UP} more, then ${REQUESTS.toLocaleString('en-US')} timed (at most ${QUERY_SECONDS} s), one after the other as form POSTs over one keep-alive connection on 127.0.0.1; latency from request to the last byte; server CPU (user + system, /proc) per request. Other work on the 2-core machine shows in latency more than in CPU.`,
    columns: [
      'query',
      'Prometheus median ms',
      'Vigil median ms',
      'Vigil / Prometheus',
      'Prometheus p90 ms',
      'Vigil p90 ms',
      'Prometheus CPU ms/request',
      'Vigil CPU ms/request',
      `Prometheus first ${COLD_RUNS} ms`,
      `Vigil first ${COLD_RUNS} ms`,
    ],
    rows,
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  finish(args, result);
  for (const [i, probe] of probes.entries()) {
    if (i >= 3 && noSlower(i) === false) log(`Vigil slower than Prometheus on ${probe.name}`);
  }
});
