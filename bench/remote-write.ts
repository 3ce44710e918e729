/**
 * Remote-write receive benchmark: `node --import tsx bench/remote-write.ts [seconds-per-phase]`.
 *
 * Builds requests shaped like Prometheus's (2,000 series × 1 sample each, ~20 labels per series, 20,000
 * distinct series spread over 10 requests per scrape round, timestamps advancing each round), then
 * measures the CPU seconds (user + system, all threads, so snappy on the libuv pool counts) spent per
 * million samples in three phases:
 *   decode      snappy + protobuf decode into a visitor that does nothing
 *   null store  the full handler into a store whose appender accepts everything for free
 *   memory      the full handler into MemoryStorage (decode + append + commit)
 * Each phase stops after its time budget (default 5 s) or when the prepared requests run out.
 */
import { uncompressSync } from 'snappy';
import { decodeWriteRequest } from '../packages/server/src/ingest/remotewrite/decoder.ts';
import type { WriteRequestVisitor } from '../packages/server/src/ingest/remotewrite/decoder.ts';
import { createRemoteWriteMetrics, handleRemoteWrite } from '../packages/server/src/ingest/remotewrite/handler.ts';
import { encodeRequest, snappy } from '../packages/server/src/ingest/remotewrite/test-fixtures.ts';
import type { SeriesSpec } from '../packages/server/src/ingest/remotewrite/test-fixtures.ts';
import { labelsFromPairs } from '../packages/server/src/model/index.ts';
import { MemoryStorage } from '../packages/server/src/store/memory/memory-storage.ts';
import type { Appender, Storage } from '../packages/server/src/store/types.ts';

const SERIES_PER_REQUEST = 2000;
const REQUESTS_PER_ROUND = 10;
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const BUDGET_MS = Number(process.argv[2] ?? 5) * 1000;

function seriesLabels(i: number): [string, string][] {
  const pod = `api-server-${(i % 997).toString(16).padStart(5, '0')}-${(i * 7919) % 100_000}`;
  const labels: [string, string][] = [
    ['__name__', ['http_requests_total', 'http_request_duration_seconds_bucket', 'process_cpu_seconds_total', 'go_goroutines'][i % 4]],
    ['cluster', 'prod-eu-west-1'],
    ['container', 'api'],
    ['endpoint', 'http-metrics'],
    ['env', 'production'],
    ['instance', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`],
    ['job', 'kubernetes-pods'],
    ['le', ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'][i % 10]],
    ['method', ['GET', 'POST', 'PUT', 'DELETE'][(i >> 2) % 4]],
    ['namespace', `team-${i % 13}`],
    ['node', `ip-10-0-${i % 50}-${i % 200}.eu-west-1.compute.internal`],
    ['pod', pod],
    ['pod_template_hash', (i % 997).toString(36)],
    ['prometheus', 'monitoring/k8s'],
    ['prometheus_replica', 'prometheus-k8s-0'],
    ['region', 'eu-west-1'],
    ['route', `/api/v1/resource/${i % 40}`],
    ['service', 'api-server'],
    ['status', ['200', '201', '404', '500'][(i >> 4) % 4]],
    ['zone', `eu-west-1${'abc'[i % 3]}`],
  ];
  return labels;
}

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

console.log(`preparing ${ROUNDS} rounds × ${REQUESTS_PER_ROUND} requests × ${SERIES_PER_REQUEST} series …`);
const labelSets = Array.from({ length: SERIES_PER_REQUEST * REQUESTS_PER_ROUND }, (_, i) => seriesLabels(i));
const bodies: Buffer[] = [];
let rawBytes = 0;
const t0 = 1_700_000_000_000;
for (let round = 0; round < ROUNDS; round++) {
  for (let r = 0; r < REQUESTS_PER_ROUND; r++) {
    const timeseries: SeriesSpec[] = [];
    for (let s = 0; s < SERIES_PER_REQUEST; s++) {
      const i = r * SERIES_PER_REQUEST + s;
      timeseries.push({ labels: labelSets[i], samples: [{ value: round * 1.5 + i, timestamp: t0 + round * 15_000 + (i % 1000) }] });
    }
    const raw = encodeRequest({ timeseries });
    rawBytes += raw.byteLength;
    bodies.push(snappy(raw));
  }
}
const compressed = bodies.reduce((n, b) => n + b.byteLength, 0);
console.log(
  `${bodies.length} requests, ${(rawBytes / bodies.length / 1024).toFixed(0)} KiB raw / ${(compressed / bodies.length / 1024).toFixed(0)} KiB snappy per request`,
);

interface PhaseResult {
  name: string;
  requests: number;
  samples: number;
  cpu: number;
  wall: number;
}

const results: PhaseResult[] = [];

async function phase(name: string, run: (body: Buffer) => Promise<number> | number): Promise<void> {
  // Warm up on a few requests that are not measured (JIT), then measure.
  let samples = 0;
  let requests = 0;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (const body of bodies) {
    samples += await run(body);
    requests++;
    if (performance.now() - wallStart > BUDGET_MS) break;
  }
  const cpu = cpuSeconds(cpuStart);
  const wall = (performance.now() - wallStart) / 1000;
  results.push({ name, requests, samples, cpu, wall });
}

const noop: WriteRequestVisitor = { series() {}, sample() {}, exemplar() {}, metadata() {} };
await phase('decode (snappy + protobuf, no-op visitor)', (body) => decodeWriteRequest(uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer, noop).samples);

const limits = { maxBodyBytes: 64 << 20 };
const headers = { contentEncoding: 'snappy', contentType: 'application/x-protobuf', remoteWriteVersion: '0.1.0' };

let nextRef = 1;
const nullStorage: Storage = {
  appender(): Appender {
    return { append: () => nextRef++, commit: async () => {}, rollback() {} };
  },
  querier: () => {
    throw new Error('not supported');
  },
  stats: () => {
    throw new Error('not supported');
  },
  close: async () => {},
};
{
  const metrics = createRemoteWriteMetrics();
  await phase('handler → null store', async (body) => {
    const result = await handleRemoteWrite(nullStorage, body, headers, limits, metrics);
    if (result.status !== 204) throw new Error(`${result.status} ${result.body}`);
    return SERIES_PER_REQUEST;
  });
}
{
  // Create the series outside the measurement, one per commit: MemoryStorage's appender scans its
  // pending samples for every new series, which makes a first 2,000-new-series request take seconds.
  // The steady state (every series known, as with a sender that has been running) is what is measured.
  const storage = new MemoryStorage();
  for (const labels of labelSets) {
    const app = storage.appender();
    app.append(0, labelsFromPairs(labels.flat()), { kind: 'float', timestamp: t0 - 60_000, value: 0 });
    await app.commit();
  }
  const metrics = createRemoteWriteMetrics();
  await phase('handler → MemoryStorage', async (body) => {
    const result = await handleRemoteWrite(storage, body, headers, limits, metrics);
    if (result.status !== 204) throw new Error(`${result.status} ${result.body}`);
    return SERIES_PER_REQUEST;
  });
}

console.log('');
console.log('phase                                       requests   samples   wall s   CPU s   CPU s / 1M samples   samples/s (1 core)');
for (const r of results) {
  console.log(
    `${r.name.padEnd(44)}${String(r.requests).padStart(8)}${String(r.samples).padStart(10)}${r.wall.toFixed(2).padStart(9)}${r.cpu.toFixed(2).padStart(8)}` +
      `${((r.cpu / r.samples) * 1e6).toFixed(3).padStart(21)}${Math.round(r.samples / r.cpu).toLocaleString('en-US').padStart(21)}`,
  );
}
