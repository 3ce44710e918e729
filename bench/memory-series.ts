/**
 * Resident memory per active series, Vigil vs Prometheus 2.42:
 *   node --import tsx bench/memory-series.ts [--quick] [--only=vigil|prometheus] [--series=N]
 *
 * Starts each server in turn on a fresh data dir, reads a settled baseline RSS, pushes N series (1M;
 * 100k with --quick) of 10 labels over remote write (2,000 series per request, 3 rounds 15 s apart, so
 * 3 samples per series), then forces GC and waits until RSS stops shrinking (Prometheus:
 * /debug/pprof/heap?gc=1; Vigil: global.gc() on SIGUSR2 via bench/lib/gc-on-signal.mjs) and reports
 * (RSS after − RSS baseline) / series, plus the peak RSS (VmHWM).
 */
import { join } from 'node:path';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench, sleep } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { sendAll } from './lib/remote-write.ts';
import { RequestBuilder, alignedStart } from './lib/requests.ts';
import { seriesLabels } from './lib/workload.ts';
import { EMPTY_CONFIG, headSeries, peakRssBytes, settledRss, startServer, stopServer } from './lib/servers.ts';
import type { SystemName } from './lib/servers.ts';

const args = parseArgs();
const SERIES = numberFlag(args, 'series', args.quick ? 100_000 : 1_000_000);
const ROUNDS = 3;
const PER_REQUEST = 2000;
const CONCURRENCY = 2;

function labelBytes(): number {
  let total = 0;
  for (let i = 0; i < 1000; i++) for (const [n, v] of seriesLabels(i * 997)) total += n.length + v.length;
  return Math.round(total / 1000);
}

interface Measured {
  system: SystemName;
  baseline: number;
  after: number;
  peak: number;
  series: number;
  sendSeconds: number;
  failed: number;
  errors: string[];
}

await runBench('memory-series', 15 * 60_000, async () => {
  const started = Date.now();
  const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
  const results: Measured[] = [];
  const t0 = alignedStart(ROUNDS);
  for (const system of systems) {
    const root = makeTempDir(`mem-${system}`);
    const server = await startServer({ system, dataDir: join(root, 'data'), config: EMPTY_CONFIG, logFile: join(root, 'server.log'), heapMiB: 12_288 });
    try {
      await sleep(3000);
      const baseline = await settledRss(server, 2000, 20_000);
      log(`${system}: baseline RSS ${(baseline / 2 ** 20).toFixed(1)} MiB; pushing ${SERIES} series × ${ROUNDS} samples …`);
      const builder = new RequestBuilder(SERIES, PER_REQUEST, 1, t0, false);
      const total = builder.chunks * ROUNDS;
      const sendStart = performance.now();
      let lastLog = Date.now();
      const sent = await sendAll(
        `${server.base}/api/v1/write`,
        total,
        (k) => {
          if (Date.now() - lastLog > 15_000) {
            lastLog = Date.now();
            log(`${system}: request ${k} / ${total}`);
          }
          return builder.build(k);
        },
        CONCURRENCY,
        Date.now() + 8 * 60_000,
        builder.chunks,
      );
      const sendSeconds = (performance.now() - sendStart) / 1000;
      if (sent.requests < total) throw new Error(`${system}: only ${sent.requests} of ${total} requests sent before the time limit`);
      log(`${system}: pushed in ${sendSeconds.toFixed(1)} s (${sent.failed} failed); settling …`);
      const after = await settledRss(server, 5000, 90_000);
      const series = await headSeries(server);
      const peak = peakRssBytes(server.pid);
      log(`${system}: RSS ${(after / 2 ** 20).toFixed(1)} MiB, head series ${series}`);
      results.push({ system, baseline, after, peak, series, sendSeconds, failed: sent.failed, errors: sent.errors });
    } finally {
      await stopServer(server);
    }
  }

  const perSeries = (r: Measured | undefined) => (r === undefined ? null : (r.after - r.baseline) / SERIES);
  const v = perSeries(results.find((r) => r.system === 'vigil'));
  const p = perSeries(results.find((r) => r.system === 'prometheus'));
  const headline: Headline[] = [
    { metric: `RSS per active series at ${SERIES.toLocaleString('en-US')} series`, unit: 'bytes', vigil: v, prometheus: p, target: '≤ 1,536 (1.5 KiB)', met: v === null ? null : v <= 1536 },
  ];
  const notes: string[] = [];
  for (const r of results) {
    if (r.failed > 0) notes.push(`${r.system}: ${r.failed} requests failed: ${r.errors.join(' | ')}`);
    if (r.series !== SERIES) notes.push(`${r.system}: head reports ${r.series} series, expected ${SERIES}`);
  }
  const mib = (b: number) => b / 2 ** 20;
  const result: BenchResult = {
    bench: 'memory-series',
    title: 'Memory per active series',
    quick: args.quick,
    command: commandLine('memory-series', args),
    workload: `${SERIES.toLocaleString('en-US')} series × 10 labels (~${labelBytes()} bytes of label names + values each) pushed over remote write, ${PER_REQUEST} series per request, ${ROUNDS} samples per series (rounds 15 s apart), ${CONCURRENCY} requests in flight. RSS = VmRSS from /proc/PID/status after a forced GC and waiting until it stops shrinking; baseline measured the same way right after start. Vigil runs with --max-old-space-size=12288.`,
    columns: ['system', 'head series', 'baseline RSS MiB', 'RSS after MiB', 'peak RSS MiB', 'RSS delta / series (bytes)', 'push time s'],
    rows: results.map((r) => [r.system, r.series, mib(r.baseline), mib(r.after), mib(r.peak), (r.after - r.baseline) / SERIES, r.sendSeconds]),
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  finish(args, result);
});
