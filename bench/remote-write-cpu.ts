/**
 * Remote-write ingest CPU, Vigil vs Prometheus 2.42:
 *   node --import tsx bench/remote-write-cpu.ts [--quick] [--only=vigil|prometheus]
 *
 * Pre-builds the same snappy WriteRequests for both (S series of 10 labels, 2,000 series × 1 sample per
 * request, rounds of all S series with timestamps advancing 15 s), starts each server in turn on a
 * fresh data dir, sends round 0 (series creation, not measured), then sends the remaining rounds with
 * 4 requests in flight and reads the server's utime+stime from /proc/PID/stat before and after.
 * Reports CPU seconds per million samples and the samples the server says it appended.
 */
import { join } from 'node:path';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { sendAll } from './lib/remote-write.ts';
import { RequestBuilder, alignedStart } from './lib/requests.ts';
import { EMPTY_CONFIG, cpuSeconds, metricSum, startServer, stopServer } from './lib/servers.ts';
import type { SystemName } from './lib/servers.ts';

const args = parseArgs();
const SERIES = numberFlag(args, 'series', args.quick ? 10_000 : 20_000);
const ROUNDS = numberFlag(args, 'rounds', args.quick ? 41 : 151);
const PER_REQUEST = 2000;
const CONCURRENCY = numberFlag(args, 'concurrency', 4);

interface Measured {
  system: SystemName;
  samples: number;
  appendedDelta: number;
  cpu: number;
  wall: number;
  failed: number;
  errors: string[];
}

await runBench('remote-write-cpu', 15 * 60_000, async () => {
  const started = Date.now();
  const builder = new RequestBuilder(SERIES, PER_REQUEST, 1, alignedStart(ROUNDS));
  const total = builder.chunks * ROUNDS;
  log(`building ${total} requests (${SERIES} series × ${ROUNDS} rounds, ${PER_REQUEST} series per request) …`);
  const requests: Buffer[] = [];
  let bytes = 0;
  for (let k = 0; k < total; k++) {
    requests.push(builder.build(k));
    bytes += requests[k].length;
  }
  log(`built ${total} requests, ${(bytes / 2 ** 20).toFixed(1)} MiB compressed`);
  const warmup = builder.chunks;
  const measuredSamples = (total - warmup) * PER_REQUEST;

  const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
  const results: Measured[] = [];
  for (const system of systems) {
    const root = makeTempDir(`rw-${system}`);
    const server = await startServer({ system, dataDir: join(root, 'data'), config: EMPTY_CONFIG, logFile: join(root, 'server.log'), heapMiB: 4096 });
    try {
      const url = `${server.base}/api/v1/write`;
      const warm = await sendAll(url, warmup, (k) => requests[k], CONCURRENCY, Date.now() + 120_000, builder.chunks);
      if (warm.failed > 0) throw new Error(`${system}: warm-up requests failed: ${warm.errors.join('; ')}`);
      await new Promise((r) => setTimeout(r, 2000));
      const appended0 = await metricSum(server, 'prometheus_tsdb_head_samples_appended_total');
      const cpu0 = cpuSeconds(server.pid);
      const t0 = performance.now();
      const sent = await sendAll(url, total - warmup, (k) => requests[warmup + k], CONCURRENCY, Date.now() + 8 * 60_000, builder.chunks);
      const wall = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(server.pid) - cpu0;
      const appended = (await metricSum(server, 'prometheus_tsdb_head_samples_appended_total')) - appended0;
      const samples = sent.requests * PER_REQUEST;
      log(`${system}: ${sent.requests} requests in ${wall.toFixed(1)} s, cpu ${cpu.toFixed(2)} s, appended ${appended}, failed ${sent.failed}`);
      results.push({ system, samples, appendedDelta: appended, cpu, wall, failed: sent.failed, errors: sent.errors });
    } finally {
      await stopServer(server);
    }
  }

  const by = (s: SystemName) => results.find((r) => r.system === s) ?? null;
  const perMillion = (r: Measured | null) => (r === null ? null : r.cpu / (r.samples / 1e6));
  const v = perMillion(by('vigil'));
  const p = perMillion(by('prometheus'));
  const headline: Headline[] = [
    { metric: 'remote-write CPU per million samples', unit: 'CPU s', vigil: v, prometheus: p, target: '≤ Prometheus', met: v === null || p === null ? null : v <= p },
  ];
  const notes: string[] = [];
  for (const r of results) {
    if (r.failed > 0) notes.push(`${r.system}: ${r.failed} requests failed: ${r.errors.join(' | ')}`);
    if (Math.abs(r.appendedDelta - r.samples) > r.samples * 0.001) notes.push(`${r.system}: sent ${r.samples} samples but prometheus_tsdb_head_samples_appended_total rose by ${r.appendedDelta}`);
  }
  const result: BenchResult = {
    bench: 'remote-write-cpu',
    title: 'Remote-write ingest CPU',
    quick: args.quick,
    command: commandLine('remote-write-cpu', args),
    workload: `${SERIES.toLocaleString('en-US')} series × 10 labels, ${PER_REQUEST} series × 1 sample per request (snappy, pre-built, ${(bytes / total / 1024).toFixed(0)} KiB each), ${ROUNDS} rounds 15 s apart; round 0 (series creation) is not measured; ${measuredSamples.toLocaleString('en-US')} samples measured, ${CONCURRENCY} requests in flight. CPU = utime+stime of the server process (all threads) from /proc/PID/stat.`,
    columns: ['system', 'samples sent', 'samples appended (server counter)', 'wall s', 'samples/s', 'CPU s', 'CPU s per 1M samples', 'failed requests'],
    rows: results.map((r) => [r.system, r.samples, r.appendedDelta, r.wall, r.samples / r.wall, r.cpu, r.cpu / (r.samples / 1e6), r.failed]),
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  finish(args, result);
});
