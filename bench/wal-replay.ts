/**
 * Restart time (WAL replay), Vigil vs Prometheus 2.42:
 *   node --import tsx bench/wal-replay.ts [--quick] [--only=vigil|prometheus] [--series=N] [--steps=T] [--server-series=M]
 *
 * A. Vigil in-process (the target): a child process writes N series (250k, a quarter of the 1M target
 *    size, by default; 50k with --quick) × T scrapes
 *    (480 = 2 h of 15 s) with the Tsdb API — scrape-major order, one commit per 10,000 samples, the
 *    workload's 10-label series and values — and closes without cutting a block (it all stays in one
 *    head). A fresh child then times `Tsdb.open` (WAL replay) and checks the series and sample counts.
 * B. Side by side through the servers: M series (20k; 5k with --quick) × 480 scrapes are pushed over
 *    remote write (1,000 series × 10 samples per request) into each server, which is stopped (SIGTERM)
 *    and started again on the same data dir; reported are the time from spawn to /-/ready and the
 *    replay duration the server logs. Prometheus replays its WAL plus memory-mapped head chunks
 *    (chunks_head/), as it does in production.
 * Child modes (internal): --child=write|open --dir=D.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tsdb } from '../packages/server/src/store/tsdb/index.ts';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench, trackChild } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { sendAll } from './lib/remote-write.ts';
import { RequestBuilder, alignedStart } from './lib/requests.ts';
import { EMPTY_CONFIG, REPO_ROOT, startServer, stopServer } from './lib/servers.ts';
import type { RunningServer, SystemName } from './lib/servers.ts';
import { ValueGenerator, seriesLabels } from './lib/workload.ts';

const args = parseArgs();
// 1M × 480 (the target's size) takes over 15 min here (≈ 7 min to write, ≈ 5 min to replay), so the
// default is scaled to 250k series; pass --series=1000000 for the full size.
const SERIES = numberFlag(args, 'series', args.quick ? 50_000 : 250_000);
const STEPS = numberFlag(args, 'steps', 480);
const SERVER_SERIES = numberFlag(args, 'server-series', args.quick ? 5_000 : 20_000);
const INTERVAL = 15_000;
const COMMIT_EVERY = 10_000;
const CHILD_HEAP_MIB = 16_384;

// ---- children ------------------------------------------------------------------------------------

async function childWrite(dir: string, series: number, steps: number): Promise<void> {
  const started = performance.now();
  const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
  const values = new ValueGenerator(series);
  const refs = new Int32Array(series);
  const t0 = alignedStart(steps);
  let app = db.appender();
  let pending = 0;
  for (let step = 0; step < steps; step++) {
    const t = t0 + step * INTERVAL;
    for (let i = 0; i < series; i++) {
      const ref = app.append(refs[i], refs[i] === 0 ? seriesLabels(i).flat() : null, { kind: 'float', timestamp: t, value: values.valueAt(i, step) });
      if (ref <= 0) throw new Error(`append of series ${i} at step ${step} returned ${ref}`);
      refs[i] = ref;
      if (++pending === COMMIT_EVERY) {
        await app.commit();
        app = db.appender();
        pending = 0;
      }
    }
    if (step % 48 === 47) console.error(`write: step ${step + 1} / ${steps}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await app.commit();
  const writeSeconds = (performance.now() - started) / 1000;
  const samples = db.head.counters.samplesAppended + db.head.counters.samplesRestored;
  const heapUsed = process.memoryUsage().heapUsed;
  await db.close();
  console.log(JSON.stringify({ writeSeconds, samples, series: db.head.numSeries, heapUsed, blocks: db.listBlocks().length }));
}

async function childOpen(dir: string): Promise<void> {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
  const openSeconds = (performance.now() - started) / 1000;
  const result = {
    openSeconds,
    walReplaySeconds: db.counters.walReplaySeconds,
    records: db.counters.walReplayedRecords,
    series: db.head.numSeries,
    samples: db.head.counters.samplesAppended + db.head.counters.samplesRestored,
    rssDelta: process.memoryUsage().rss - before,
  };
  await db.close();
  console.log(JSON.stringify(result));
}

function runChild(mode: string, extra: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MIB}`, '--import', 'tsx', join(REPO_ROOT, 'bench', 'wal-replay.ts'), `--child=${mode}`, ...extra], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    trackChild(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${mode} child exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, number>);
      } catch (error) {
        reject(new Error(`${mode} child printed no result: ${(error as Error).message}: ${out.slice(-500)}`));
      }
    });
  });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    const info = statSync(join(dir, file));
    if (info.isFile()) total += info.size;
  }
  return total;
}

/** The replay duration a server logged on its last start, in seconds. */
function loggedReplaySeconds(server: RunningServer): number | null {
  const text = readFileSync(server.logFile, 'utf8');
  if (server.system === 'prometheus') {
    const lines = text.split('\n').filter((l) => l.includes('WAL replay completed'));
    const match = /total_replay_duration=([0-9.]+)(ms|s|µs|m)/.exec(lines[lines.length - 1] ?? '');
    if (!match) return null;
    const n = Number(match[1]);
    return match[2] === 'ms' ? n / 1000 : match[2] === 'µs' ? n / 1e6 : match[2] === 'm' ? n * 60 : n;
  }
  const lines = text.split('\n').filter((l) => l.includes('WAL replay completed'));
  try {
    const entry = JSON.parse(lines[lines.length - 1] ?? '') as { seconds?: number };
    return typeof entry.seconds === 'number' ? entry.seconds : null;
  } catch {
    return null;
  }
}

// ---- main ----------------------------------------------------------------------------------------

interface ServerMeasured {
  system: SystemName;
  pushSeconds: number;
  dataBytes: number;
  readyMs: number;
  replaySeconds: number | null;
  failed: number;
}

const childMode = args.extra.get('child');
if (childMode === 'write') {
  await childWrite(args.extra.get('dir') ?? '', SERIES, STEPS);
} else if (childMode === 'open') {
  await childOpen(args.extra.get('dir') ?? '');
} else {
  await runBench('wal-replay', 15 * 60_000, async () => {
    const started = Date.now();
    const notes: string[] = [];
    const rows: (string | number)[][] = [];
    let vigilOpen: number | null = null;
    const expected = SERIES * STEPS;

    if (args.only !== 'prometheus') {
      const root = makeTempDir('replay-tsdb');
      const dir = join(root, 'data');
      log(`A: writing ${SERIES} series × ${STEPS} samples with the Tsdb API …`);
      const w = await runChild('write', [`--dir=${dir}`, `--series=${SERIES}`, `--steps=${STEPS}`]);
      const walBytes = dirBytes(join(dir, 'wal'));
      log(`A: wrote ${w.samples} samples in ${w.writeSeconds.toFixed(1)} s, WAL ${(walBytes / 2 ** 30).toFixed(2)} GiB; reopening …`);
      const o = await runChild('open', [`--dir=${dir}`]);
      log(`A: Tsdb.open took ${o.openSeconds.toFixed(2)} s (${o.series} series, ${o.samples} samples)`);
      vigilOpen = o.openSeconds;
      if (w.blocks !== 0) notes.push(`A: the writer cut ${w.blocks} blocks; the head was expected to stay whole`);
      if (o.series !== SERIES || o.samples !== expected) notes.push(`A: after replay the head has ${o.series} series and ${o.samples} samples; expected ${SERIES} and ${expected}`);
      rows.push([
        'vigil Tsdb.open (in-process)',
        SERIES,
        o.samples,
        walBytes / 2 ** 20,
        w.writeSeconds,
        o.openSeconds,
        o.samples / o.openSeconds / 1e6,
        o.rssDelta / 2 ** 20,
      ]);
      notes.push(`A: Vigil WAL is ${(walBytes / expected).toFixed(2)} bytes per sample; replay RSS growth ${(o.rssDelta / 2 ** 20).toFixed(0)} MiB`);
    }

    const serverResults: ServerMeasured[] = [];
    const systems: SystemName[] = args.only === null ? ['prometheus', 'vigil'] : [args.only];
    const builder = () => new RequestBuilder(SERVER_SERIES, 1000, 10, alignedStart(STEPS));
    for (const system of systems) {
      const root = makeTempDir(`replay-${system}`);
      const dataDir = join(root, 'data');
      const logFile = join(root, 'server.log');
      let server = await startServer({ system, dataDir, config: EMPTY_CONFIG, logFile, heapMiB: 8192 });
      let pushSeconds = 0;
      let failed = 0;
      try {
        const b = builder();
        const total = b.chunks * (STEPS / 10);
        log(`B: ${system}: pushing ${SERVER_SERIES} series × ${STEPS} samples (${total} requests) …`);
        const t = performance.now();
        const sent = await sendAll(`${server.base}/api/v1/write`, total, (k) => b.build(k), 2, Date.now() + 10 * 60_000, b.chunks);
        pushSeconds = (performance.now() - t) / 1000;
        failed = sent.failed;
        if (sent.requests < total) throw new Error(`${system}: only ${sent.requests} of ${total} requests sent in time`);
        if (sent.failed > 0) notes.push(`B: ${system}: ${sent.failed} requests failed: ${sent.errors.join(' | ')}`);
      } finally {
        await stopServer(server, 120_000);
      }
      const dataBytes = dirBytes(dataDir);
      log(`B: ${system}: pushed in ${pushSeconds.toFixed(1)} s, data dir ${(dataBytes / 2 ** 20).toFixed(0)} MiB; restarting …`);
      server = await startServer({ system, dataDir, config: EMPTY_CONFIG, logFile, heapMiB: 8192, readyTimeoutMs: 600_000 });
      const replaySeconds = loggedReplaySeconds(server);
      await stopServer(server, 120_000);
      serverResults.push({ system, pushSeconds, dataBytes, readyMs: server.readyMs, replaySeconds, failed });
      rows.push([`${system} server restart`, SERVER_SERIES, SERVER_SERIES * STEPS, dataBytes / 2 ** 20, pushSeconds, server.readyMs / 1000, replaySeconds === null ? '—' : (SERVER_SERIES * STEPS) / replaySeconds / 1e6, '—']);
    }

    const sv = serverResults.find((r) => r.system === 'vigil');
    const sp = serverResults.find((r) => r.system === 'prometheus');
    for (const r of serverResults) notes.push(`B: ${r.system}: logged replay ${r.replaySeconds === null ? 'not found in the log' : `${r.replaySeconds.toFixed(2)} s`}, ready ${(r.readyMs / 1000).toFixed(2)} s after spawn`);
    const headline: Headline[] = [
      { metric: `Vigil Tsdb.open, ${SERIES.toLocaleString('en-US')} series × ${STEPS} samples`, unit: 's', vigil: vigilOpen, prometheus: null, target: SERIES >= 1_000_000 && STEPS >= 480 ? '< 30' : `< 30 at 1M × 480 (scaled: < ${((30 * expected) / 480e6).toFixed(1)})`, met: vigilOpen === null ? null : vigilOpen < (30 * expected) / 480e6 },
      { metric: `restart to ready, ${SERVER_SERIES.toLocaleString('en-US')} series × ${STEPS} samples`, unit: 's', vigil: sv ? sv.readyMs / 1000 : null, prometheus: sp ? sp.readyMs / 1000 : null, target: '—', met: null },
      { metric: `logged WAL replay, ${SERVER_SERIES.toLocaleString('en-US')} series × ${STEPS} samples`, unit: 's', vigil: sv?.replaySeconds ?? null, prometheus: sp?.replaySeconds ?? null, target: '—', met: null },
    ];
    const result: BenchResult = {
      bench: 'wal-replay',
      title: 'Restart (WAL replay)',
      quick: args.quick,
      command: commandLine('wal-replay', args),
      workload: `A: ${SERIES.toLocaleString('en-US')} series (10 labels) × ${STEPS} samples 15 s apart (${expected.toLocaleString('en-US')} samples, ${((STEPS * INTERVAL) / 3600_000).toFixed(1)} h) written with the Tsdb API in one head, closed, reopened in a fresh process. B: ${SERVER_SERIES.toLocaleString('en-US')} series × ${STEPS} samples pushed over remote write into each server, SIGTERM, restart on the same data dir.`,
      columns: ['run', 'series', 'samples', 'data MiB', 'write/push s', 'open/ready s', 'replay M samples/s', 'replay RSS MiB'],
      rows,
      headline,
      notes,
      startedAt: new Date(started).toISOString(),
      seconds: (Date.now() - started) / 1000,
    };
    finish(args, result);
  });
}
