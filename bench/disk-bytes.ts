/**
 * Disk bytes per sample, Vigil vs Prometheus 2.42, on two workloads:
 *   node --import tsx bench/disk-bytes.ts [--quick] [--only=vigil|prometheus] [--workload=synthetic|real|both]
 *        [--series=N] [--hours=H] [--scrapes=N] [--record-interval=SECONDS]
 *
 * synthetic  N series (10k; 1k with --quick) × H hours (4; 2 with --quick) of 15 s samples with the
 *            value model of bench/lib/workload.ts (deliberately hard: 20 % of the samples are
 *            full-precision floats), starting on a 2 h boundary, 6 labels per series.
 * real       real exporters' data (bench/lib/exporters.ts): Debian's node_exporter, Prometheus 2.42's,
 *            Alertmanager 0.25's and a Vigil server's own /metrics, each scraped --scrapes times (480,
 *            i.e. 2 h of 15 s data; 120 with --quick) every --record-interval seconds (1), read with
 *            Vigil's exposition parser, with `job` and `instance` added. The samples are RE-STAMPED
 *            15 s apart (scrape k at t0 + k·15 s): recorded every second, counters advance less per
 *            step than at a real 15 s interval, which flatters every encoding a little (both systems
 *            alike). --record-interval=15 gives a faithful recording and takes 2 hours.
 *
 * Each workload is one OpenMetrics file, turned into blocks three ways; block bytes / samples:
 *   prometheus   promtool tsdb create-blocks-from openmetrics FILE DIR
 *   vigil import node bin/vigil.js import FILE --storage.tsdb.path=DIR (the same file)
 *   vigil tsdb   in-process Tsdb: append every series scrape by scrape (time order, one commit per
 *                scrape round), then persistHead(true); only the block directories are counted
 * Block bytes = every file under each block directory (chunks/, index, meta.json, tombstones). Every
 * sample read back from Vigil's blocks is compared with the input (NaN-aware, bit-exact otherwise).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkEncoding, XorAppender, compactChunk } from '../packages/server/src/store/tsdb/chunk/index.ts';
import { Block } from '../packages/server/src/store/tsdb/block/index.ts';
import { Tsdb } from '../packages/server/src/store/tsdb/index.ts';
import { LabelMatcher } from '../packages/server/src/model/index.ts';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { recordExporters, seriesKey, writeRecordingOpenMetrics } from './lib/exporters.ts';
import type { Recording } from './lib/exporters.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { FAMILIES, ValueGenerator, familyName, kindOf, kindOfFamily, seriesLabels, SERIES_PER_TARGET } from './lib/workload.ts';
import type { ValueKind } from './lib/workload.ts';

const args = parseArgs();
const SERIES = numberFlag(args, 'series', args.quick ? 1_000 : 10_000);
const HOURS = numberFlag(args, 'hours', args.quick ? 2 : 4);
const SCRAPES = numberFlag(args, 'scrapes', args.quick ? 120 : 480);
const RECORD_INTERVAL_MS = numberFlag(args, 'record-interval', 1) * 1000;
const WORKLOADS = args.extra.get('workload') ?? 'both';
const INTERVAL = 15_000;
const STEPS = Math.round((HOURS * 3600_000) / INTERVAL);
const TWO_HOURS = 2 * 3600_000;
/** Samples per chunk when the benchmark encodes series itself (the head cuts chunks at 120 samples). */
const CHUNK_SAMPLES = 120;
/** A 2 h boundary three days ago: blocks line up and nothing is in the future. */
const T0 = Math.floor((Date.now() - 3 * 86_400_000) / TWO_HOURS) * TWO_HOURS;

if (SERIES % SERIES_PER_TARGET !== 0) throw new Error(`--series must be a multiple of ${SERIES_PER_TARGET}`);
if (!['synthetic', 'real', 'both'].includes(WORKLOADS)) throw new Error(`--workload must be synthetic, real or both (got ${JSON.stringify(WORKLOADS)})`);
if (!Number.isInteger(SCRAPES) || SCRAPES < 2) throw new Error('--scrapes must be an integer ≥ 2');
if (!(RECORD_INTERVAL_MS >= 100)) throw new Error('--record-interval must be at least 0.1 (seconds)');

/** The samples one series is expected to hold, in time order. */
interface ExpectedSeries {
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** One workload as the conversions and the read-back see it. */
interface Workload {
  /** Short name, the first column of the result rows. */
  name: string;
  file: string;
  fileBytes: number;
  series: number;
  samples: number;
  /** Appends everything to `db` scrape round by scrape round, one commit per round. */
  appendTo(db: Tsdb): Promise<void>;
  /** Series key (sorted labels joined by NUL) → series number. */
  keys(): Map<string, number>;
  /** A fresh reader of the expected samples, to be called with series numbers in increasing order. */
  expectation(): (series: number) => ExpectedSeries;
}

interface Measured {
  workload: string;
  system: string;
  blocks: number;
  samples: number;
  series: number;
  bytes: number;
  chunkBytes: number;
  indexBytes: number;
  seconds: number;
}

// ---- synthetic workload ------------------------------------------------------------------------

function seriesInFamilyOrder(): number[] {
  // OpenMetrics wants a family's samples together: family by family, then target, then variant.
  const order: number[] = [];
  const targets = SERIES / SERIES_PER_TARGET;
  for (let family = 0; family < FAMILIES; family++) {
    for (let target = 0; target < targets; target++) {
      for (let variant = 0; variant < 10; variant++) order.push(target * SERIES_PER_TARGET + family * 10 + variant);
    }
  }
  return order;
}

function writeSyntheticOpenMetrics(file: string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    const values = new ValueGenerator(SERIES);
    let currentFamily = -1;
    for (const i of seriesInFamilyOrder()) {
      const family = Math.floor((i % SERIES_PER_TARGET) / 10);
      let out = '';
      if (family !== currentFamily) {
        currentFamily = family;
        const kind = kindOfFamily(family);
        out += `# TYPE ${familyName(family)} ${kind === 'intCounter' || kind === 'floatCounter' ? 'counter' : 'gauge'}\n`;
      }
      const labels = seriesLabels(i, false);
      const prefix = `${labels[0][1]}{${labels.slice(1).map(([n, v]) => `${n}="${v}"`).join(',')}} `;
      for (let step = 0; step < STEPS; step++) {
        out += `${prefix}${values.valueAt(i, step)} ${(T0 + step * INTERVAL) / 1000}\n`;
      }
      bytes += writeSync(fd, out);
    }
    bytes += writeSync(fd, '# EOF\n');
  } finally {
    closeSync(fd);
  }
  return bytes;
}

function syntheticWorkload(root: string): Workload {
  const file = join(root, 'synthetic.om.txt');
  log(`writing ${SERIES} series × ${STEPS} samples as OpenMetrics …`);
  const fileBytes = writeSyntheticOpenMetrics(file);
  log(`wrote ${(fileBytes / 2 ** 20).toFixed(0)} MiB, ${SERIES * STEPS} samples`);
  return {
    name: 'synthetic',
    file,
    fileBytes,
    series: SERIES,
    samples: SERIES * STEPS,
    async appendTo(db) {
      const values = new ValueGenerator(SERIES);
      const labels = Array.from({ length: SERIES }, (_, i) => seriesLabels(i, false).flat());
      const refs = new Array<number>(SERIES).fill(0);
      for (let step = 0; step < STEPS; step++) {
        const app = db.appender();
        const t = T0 + step * INTERVAL;
        for (let i = 0; i < SERIES; i++) {
          const ref = app.append(refs[i], refs[i] === 0 ? labels[i] : null, { kind: 'float', timestamp: t, value: values.valueAt(i, step) });
          if (ref <= 0) throw new Error(`append of series ${i} at step ${step} returned ${ref}`);
          refs[i] = ref;
        }
        await app.commit();
      }
    },
    keys() {
      const keys = new Map<string, number>();
      for (let i = 0; i < SERIES; i++) keys.set(seriesKey(seriesLabels(i, false).flat()), i);
      return keys;
    },
    expectation() {
      const values = new ValueGenerator(SERIES);
      const timestamps = Float64Array.from({ length: STEPS }, (_, step) => T0 + step * INTERVAL);
      return (i) => ({ timestamps, values: Float64Array.from({ length: STEPS }, (_, step) => values.valueAt(i, step)) });
    },
  };
}

/** XOR chunk bytes per sample of each value kind (120-sample chunks, Vigil's encoder = Prometheus's format). */
function xorBytesByKind(): Map<ValueKind, { samples: number; bytes: number }> {
  const out = new Map<ValueKind, { samples: number; bytes: number }>();
  const values = new ValueGenerator(SERIES);
  for (let i = 0; i < SERIES; i++) {
    const kind = kindOf(i);
    let entry = out.get(kind);
    if (entry === undefined) out.set(kind, (entry = { samples: 0, bytes: 0 }));
    let chunk = new XorAppender(256);
    for (let step = 0; step < STEPS; step++) {
      if (chunk.count === CHUNK_SAMPLES) {
        entry.bytes += chunk.byteLength;
        chunk = new XorAppender(256);
      }
      chunk.append(T0 + step * INTERVAL, values.valueAt(i, step));
      entry.samples++;
    }
    entry.bytes += chunk.byteLength;
  }
  return out;
}

// ---- real exporters' workload ------------------------------------------------------------------

function realWorkload(root: string, recording: Recording): Workload {
  const file = join(root, 'exporters.om.txt');
  const fileBytes = writeRecordingOpenMetrics(recording, file, T0, INTERVAL);
  const series = recording.series;
  log(`wrote ${(fileBytes / 2 ** 20).toFixed(1)} MiB, ${series.length} series, ${recording.samples} samples`);
  return {
    name: 'real exporters',
    file,
    fileBytes,
    series: series.length,
    samples: recording.samples,
    async appendTo(db) {
      const refs = new Array<number>(series.length).fill(0);
      const cursor = new Int32Array(series.length);
      for (let step = 0; step < recording.scrapes; step++) {
        const app = db.appender();
        const t = T0 + step * INTERVAL;
        for (let i = 0; i < series.length; i++) {
          const s = series[i];
          if (cursor[i] >= s.steps.length || s.steps[cursor[i]] !== step) continue;
          const ref = app.append(refs[i], refs[i] === 0 ? s.labels : null, { kind: 'float', timestamp: t, value: s.values[cursor[i]] });
          if (ref <= 0) throw new Error(`append of ${seriesKey(s.labels)} at step ${step} returned ${ref}`);
          refs[i] = ref;
          cursor[i]++;
        }
        await app.commit();
      }
    },
    keys() {
      return new Map(series.map((s, i) => [seriesKey(s.labels), i]));
    },
    expectation() {
      return (i) => ({ timestamps: series[i].steps.map((step) => T0 + step * INTERVAL), values: series[i].values });
    },
  };
}

/** What a series' values look like, the classes that decide how well they compress. */
type ValueShape = 'constant' | 'integer' | 'decimal' | 'float' | 'NaN/Inf';

function shapeOf(values: readonly number[]): ValueShape {
  let constant = true;
  let integer = true;
  let decimal = true;
  for (const v of values) {
    if (!Number.isFinite(v)) return 'NaN/Inf';
    if (!Object.is(v, values[0])) constant = false;
    if (!Number.isInteger(v)) integer = false;
    if (decimal && !integer) {
      // Exact with at most 6 decimal places (what the decimal chunk stores cheaply).
      const n = Math.round(v * 1e6);
      if (n / 1e6 !== v) decimal = false;
    }
  }
  return constant ? 'constant' : integer ? 'integer' : decimal ? 'decimal' : 'float';
}

interface EncodedFigures {
  series: number;
  samples: number;
  /** Chunk data bytes in Prometheus's XOR encoding (what promtool's blocks hold). */
  xorBytes: number;
  /** Chunk data bytes as Vigil writes them into blocks (decimal where smaller, else XOR). */
  vigilBytes: number;
}

/**
 * Chunk data bytes of every recorded series encoded in-process (120-sample chunks, no record framing,
 * no index), grouped by exporter and by value shape: where the bytes go.
 */
function encodedBreakdown(recording: Recording): { byJob: Map<string, EncodedFigures>; byShape: Map<ValueShape, EncodedFigures> } {
  const byJob = new Map<string, EncodedFigures>();
  const byShape = new Map<ValueShape, EncodedFigures>();
  const add = <K,>(map: Map<K, EncodedFigures>, key: K, samples: number, xorBytes: number, vigilBytes: number) => {
    let e = map.get(key);
    if (e === undefined) map.set(key, (e = { series: 0, samples: 0, xorBytes: 0, vigilBytes: 0 }));
    e.series++;
    e.samples += samples;
    e.xorBytes += xorBytes;
    e.vigilBytes += vigilBytes;
  };
  for (const s of recording.series) {
    let xorBytes = 0;
    let vigilBytes = 0;
    for (let start = 0; start < s.steps.length; start += CHUNK_SAMPLES) {
      const chunk = new XorAppender(256);
      for (let k = start; k < Math.min(start + CHUNK_SAMPLES, s.steps.length); k++) chunk.append(T0 + s.steps[k] * INTERVAL, s.values[k]);
      const bytes = chunk.bytes();
      xorBytes += bytes.length;
      vigilBytes += compactChunk(ChunkEncoding.XOR, bytes).bytes.length;
    }
    add(byJob, s.job, s.values.length, xorBytes, vigilBytes);
    add(byShape, shapeOf(s.values), s.values.length, xorBytes, vigilBytes);
  }
  return { byJob, byShape };
}

// ---- conversions and measurement ---------------------------------------------------------------

function measureBlocks(workload: string, system: string, dir: string, seconds: number): Measured {
  const m: Measured = { workload, system, blocks: 0, samples: 0, series: 0, bytes: 0, chunkBytes: 0, indexBytes: 0, seconds };
  for (const entry of readdirSync(dir)) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(entry)) continue;
    const blockDir = join(dir, entry);
    const meta = JSON.parse(readFileSync(join(blockDir, 'meta.json'), 'utf8')) as { stats: { numSamples: number; numSeries: number } };
    m.blocks++;
    m.samples += meta.stats.numSamples;
    m.series = Math.max(m.series, meta.stats.numSeries);
    for (const file of readdirSync(blockDir, { recursive: true }) as string[]) {
      const info = statSync(join(blockDir, file));
      if (!info.isFile()) continue;
      m.bytes += info.size;
      if (file.startsWith('chunks')) m.chunkBytes += info.size;
      if (file === 'index') m.indexBytes += info.size;
    }
  }
  return m;
}

async function vigilTsdb(workload: Workload, dir: string): Promise<Measured> {
  const started = performance.now();
  const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
  try {
    await workload.appendTo(db);
    await db.persistHead(true);
  } finally {
    await db.close();
  }
  return measureBlocks(workload.name, 'vigil (Tsdb API + persistHead)', dir, (performance.now() - started) / 1000);
}

function sameSample(t: number, v: number, wantT: number, wantV: number): boolean {
  // Object.is: NaN equals NaN (exporters emit NaN), -0 differs from +0.
  return t === wantT && Object.is(v, wantV);
}

/**
 * Reads every series back from the Vigil blocks in `dir` and compares it sample by sample with the
 * workload's input. Returns a description of the first mismatches (empty when the blocks are exact).
 */
async function verifyVigilBlocks(workload: Workload, dir: string): Promise<{ checked: number; problems: string[] }> {
  const keys = workload.keys();
  const got = new Map<number, { t: number[]; v: number[] }>();
  let unknown = 0;
  for (const entry of readdirSync(dir).sort()) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(entry)) continue;
    const block = await Block.open(join(dir, entry));
    const q = block.querier(-Infinity, Infinity);
    for (const series of q.select([new LabelMatcher('=~', '__name__', '.+')])) {
      const i = keys.get(seriesKey(series.labels));
      if (i === undefined) {
        unknown++;
        continue;
      }
      let e = got.get(i);
      if (e === undefined) got.set(i, (e = { t: [], v: [] }));
      const it = series.iterator();
      while (it.next()) {
        e.t.push(it.timestamp);
        e.v.push(it.value);
      }
    }
    q.close();
    await block.close();
  }
  const problems: string[] = [];
  if (got.size !== workload.series) problems.push(`${got.size} of ${workload.series} series found`);
  if (unknown > 0) problems.push(`${unknown} series in the blocks that the input does not have`);
  const expect = workload.expectation();
  let checked = 0;
  for (const [i, e] of [...got].sort((a, b) => a[0] - b[0])) {
    const want = expect(i);
    const order = e.t.map((_, k) => k).sort((a, b) => e.t[a] - e.t[b]);
    if (order.length !== want.timestamps.length && problems.length < 5) problems.push(`series ${i}: ${order.length} samples, expected ${want.timestamps.length}`);
    for (let k = 0; k < Math.min(want.timestamps.length, order.length); k++) {
      const t = e.t[order[k]];
      const v = e.v[order[k]];
      checked++;
      if (!sameSample(t, v, want.timestamps[k], want.values[k]) && problems.length < 5) {
        problems.push(`series ${i} sample ${k}: got (${t}, ${v}), expected (${want.timestamps[k]}, ${want.values[k]})`);
      }
    }
  }
  return { checked, problems };
}

/** The three conversions of one workload's file, and the read-back of Vigil's blocks. */
async function convert(workload: Workload, root: string, notes: string[]): Promise<Measured[]> {
  const results: Measured[] = [];
  const sub = (name: string) => join(root, `${workload.name.replace(/\W+/g, '-')}-${name}`);
  const note = (text: string) => {
    notes.push(`${workload.name}: ${text}`);
    log(notes[notes.length - 1]);
  };
  if (args.only !== 'vigil') {
    const out = sub('prometheus');
    const t = performance.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', workload.file, out], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
    results.push(measureBlocks(workload.name, 'prometheus (promtool create-blocks-from)', out, (performance.now() - t) / 1000));
    log(`${workload.name}: promtool done`);
  }
  if (args.only !== 'prometheus') {
    const out = sub('vigil-import');
    const t = performance.now();
    try {
      execFileSync(process.execPath, ['--max-old-space-size=8192', join(REPO_ROOT, 'bin', 'vigil.js'), 'import', '--quiet', `--storage.tsdb.path=${out}`, workload.file], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10 * 60_000,
      });
      results.push(measureBlocks(workload.name, 'vigil (vigil import)', out, (performance.now() - t) / 1000));
      log(`${workload.name}: vigil import done`);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
      note(`vigil import failed: ${stderr.split('\n').slice(-3).join(' / ') || (error as Error).message}`);
    }
    const tsdbDir = sub('vigil-tsdb');
    results.push(await vigilTsdb(workload, tsdbDir));
    log(`${workload.name}: vigil Tsdb API done; reading the blocks back …`);
    for (const [name, dir] of [['vigil import', sub('vigil-import')], ['vigil Tsdb API', tsdbDir]]) {
      try {
        const { checked, problems } = await verifyVigilBlocks(workload, dir);
        note(`${name} blocks read back: ${checked} samples compared with the input, ${problems.length === 0 ? 'all exact' : `MISMATCHES: ${problems.join('; ')}`}`);
      } catch (error) {
        note(`${name} blocks could not be read back: ${(error as Error).message}`);
      }
    }
  }
  for (const r of results) {
    if (r.samples !== workload.samples) note(`${r.system}: blocks hold ${r.samples} samples, expected ${workload.samples}`);
  }
  return results;
}

function perSample(results: readonly Measured[], workload: string, system: string): number | null {
  const r = results.find((m) => m.workload === workload && m.system.startsWith(system));
  return r === undefined || r.samples === 0 ? null : r.bytes / r.samples;
}

function headlineRow(metric: string, vigil: number | null, prometheus: number | null): Headline {
  return { metric, unit: 'B', vigil, prometheus, target: '≤ 1.3', met: vigil === null ? null : vigil <= 1.3 };
}

const perSampleText = (bytes: number, samples: number) => (samples === 0 ? '—' : (bytes / samples).toFixed(2));

await runBench('disk-bytes', 15 * 60_000 + (WORKLOADS === 'synthetic' ? 0 : SCRAPES * RECORD_INTERVAL_MS), async () => {
  const started = Date.now();
  const root = makeTempDir('disk');
  const results: Measured[] = [];
  const notes: string[] = [];
  const workloadText: string[] = [];
  const headline: Headline[] = [];

  if (WORKLOADS !== 'real') {
    const workload = syntheticWorkload(root);
    results.push(...(await convert(workload, root, notes)));
    const byKind = xorBytesByKind();
    notes.push(
      `synthetic: XOR chunk bytes per sample by value kind (the same Gorilla format in both systems): ${[...byKind]
        .map(([kind, e]) => `${kind} ${(e.bytes / e.samples).toFixed(2)} (${Math.round((e.samples / workload.samples) * 100)} % of samples)`)
        .join(', ')}`,
    );
    const p = perSample(results, workload.name, 'prometheus');
    headline.push(
      headlineRow('block bytes per sample (vigil import vs promtool)', perSample(results, workload.name, 'vigil (vigil import)'), p),
      headlineRow('block bytes per sample (Vigil head → blocks vs promtool)', perSample(results, workload.name, 'vigil (Tsdb'), p),
    );
    workloadText.push(
      `Synthetic: ${SERIES.toLocaleString('en-US')} series (6 labels) × ${HOURS} h of 15 s samples = ${workload.samples.toLocaleString('en-US')} samples, from a 2 h boundary; value kinds: 10 % constant, 45 % integer counters (Poisson-like increments, a third nearly idle), 10 % cpu-seconds counters (0.01 steps), 25 % integer gauges (±4 KiB pages in a third of scrapes), 10 % full-precision float random walks (bench/lib/workload.ts). One OpenMetrics file of ${(workload.fileBytes / 2 ** 20).toFixed(0)} MiB feeds promtool and vigil import.`,
    );
  }

  if (WORKLOADS !== 'synthetic') {
    const recordDir = join(root, 'recording');
    mkdirSync(recordDir);
    const recording = await recordExporters({ scrapes: SCRAPES, intervalMs: RECORD_INTERVAL_MS, workDir: recordDir });
    log(`recorded ${recording.series.length} series, ${recording.samples} samples in ${recording.seconds.toFixed(0)} s`);
    const workload = realWorkload(root, recording);
    results.push(...(await convert(workload, root, notes)));
    const { byJob, byShape } = encodedBreakdown(recording);
    const jobText = recording.jobs
      .map((j) => {
        const e = byJob.get(j.job);
        return `${j.job} ${j.series} series, ${j.samples} samples (${j.format}, ${(j.bodyBytes / 1024).toFixed(0)} KiB body${j.failedScrapes > 0 ? `, ${j.failedScrapes} failed scrapes` : ''}): XOR ${e === undefined ? '—' : perSampleText(e.xorBytes, e.samples)}, Vigil ${e === undefined ? '—' : perSampleText(e.vigilBytes, e.samples)}`;
      })
      .join('; ');
    notes.push(`real exporters: chunk data bytes per sample by exporter (encoded in-process, 120-sample chunks, no framing or index; XOR = Prometheus's blocks, Vigil = decimal where smaller): ${jobText}`);
    const shapeOrder: ValueShape[] = ['constant', 'integer', 'decimal', 'float', 'NaN/Inf'];
    notes.push(
      `real exporters: the same by value shape of the series (constant; integer; decimal = ≤ 6 places; float = full precision; NaN/Inf = any non-finite sample): ${shapeOrder
        .filter((shape) => byShape.has(shape))
        .map((shape) => {
          const e = byShape.get(shape) as EncodedFigures;
          return `${shape} ${Math.round((e.samples / recording.samples) * 100)} % of samples (${e.series} series): XOR ${perSampleText(e.xorBytes, e.samples)}, Vigil ${perSampleText(e.vigilBytes, e.samples)}`;
        })
        .join('; ')}`,
    );
    if (recording.nonFinite > 0 || recording.skippedSeries > 0 || recording.duplicates > 0) {
      notes.push(`real exporters: ${recording.nonFinite} NaN/±Inf samples; ${recording.skippedSeries} series left out (names needing quotes); ${recording.duplicates} duplicate samples dropped`);
    }
    const p = perSample(results, workload.name, 'prometheus');
    headline.push(
      headlineRow('block bytes per sample, real exporters (vigil import vs promtool)', perSample(results, workload.name, 'vigil (vigil import)'), p),
      headlineRow('block bytes per sample, real exporters (Vigil head → blocks vs promtool)', perSample(results, workload.name, 'vigil (Tsdb'), p),
    );
    workloadText.push(
      `Real exporters: Debian's node_exporter 1.5, Prometheus 2.42's, Alertmanager 0.25's and a Vigil server's own /metrics (Prometheus and Vigil scraping the others meanwhile), each scraped ${SCRAPES} times every ${RECORD_INTERVAL_MS / 1000} s with Prometheus's Accept header and read with Vigil's exposition parser, job/instance added: ${recording.series.length.toLocaleString('en-US')} series, ${recording.samples.toLocaleString('en-US')} samples (${recording.jobs.map((j) => `${j.job} ${j.series}`).join(', ')} series). The samples are re-stamped 15 s apart (scrape k at t0 + k·15 s, from a 2 h boundary)${RECORD_INTERVAL_MS === INTERVAL ? '' : `: recorded every ${RECORD_INTERVAL_MS / 1000} s, so counters advance less per step than at a real 15 s interval (\`--record-interval=15\` records faithfully in ${((SCRAPES * 15) / 3600).toFixed(1)} h)`}. One OpenMetrics file of ${(workload.fileBytes / 2 ** 20).toFixed(1)} MiB (each metric name its own untyped family) feeds promtool and vigil import.`,
    );
  }

  const result: BenchResult = {
    bench: 'disk-bytes',
    title: 'Disk bytes per sample',
    quick: args.quick,
    command: commandLine('disk-bytes', args),
    workload: workloadText.join(' '),
    columns: ['workload', 'system', 'blocks', 'series', 'samples', 'block bytes', 'chunk bytes', 'index bytes', 'bytes / sample', 'chunk bytes / sample', 'index bytes / sample', 'seconds'],
    rows: results.map((r) => [r.workload, r.system, r.blocks, r.series, r.samples, r.bytes, r.chunkBytes, r.indexBytes, r.bytes / r.samples, r.chunkBytes / r.samples, r.indexBytes / r.samples, r.seconds]),
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  finish(args, result);
});
