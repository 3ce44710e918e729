/**
 * Disk bytes per sample of scrape-like data, Vigil vs Prometheus 2.42:
 *   node --import tsx bench/disk-bytes.ts [--quick] [--only=vigil|prometheus] [--series=N] [--hours=H]
 *
 * Generates N series (10k; 1k with --quick) × H hours (4; 2 with --quick) of 15 s samples with the
 * value model of bench/lib/workload.ts, starting on a 2 h boundary, as one OpenMetrics file (6 labels
 * per series), then turns it into blocks three ways and measures block bytes / samples:
 *   prometheus   promtool tsdb create-blocks-from openmetrics FILE DIR
 *   vigil import node bin/vigil.js import FILE --storage.tsdb.path=DIR (the same file)
 *   vigil tsdb   in-process Tsdb: append every series scrape by scrape (time order, one commit per
 *                scrape round), then persistHead(true); only the block directories are counted
 * Block bytes = every file under each block directory (chunks/, index, meta.json, tombstones).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { XorAppender } from '../packages/server/src/store/tsdb/chunk/index.ts';
import { Block } from '../packages/server/src/store/tsdb/block/index.ts';
import { Tsdb } from '../packages/server/src/store/tsdb/index.ts';
import { LabelMatcher } from '../packages/server/src/model/index.ts';
import { commandLine, finish, log, makeTempDir, numberFlag, parseArgs, runBench } from './lib/common.ts';
import type { BenchResult, Headline } from './lib/common.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { FAMILIES, ValueGenerator, familyName, kindOf, kindOfFamily, seriesLabels, SERIES_PER_TARGET } from './lib/workload.ts';
import type { ValueKind } from './lib/workload.ts';

const args = parseArgs();
const SERIES = numberFlag(args, 'series', args.quick ? 1_000 : 10_000);
const HOURS = numberFlag(args, 'hours', args.quick ? 2 : 4);
const INTERVAL = 15_000;
const STEPS = Math.round((HOURS * 3600_000) / INTERVAL);
const TWO_HOURS = 2 * 3600_000;
/** A 2 h boundary three days ago: blocks line up and nothing is in the future. */
const T0 = Math.floor((Date.now() - 3 * 86_400_000) / TWO_HOURS) * TWO_HOURS;

if (SERIES % SERIES_PER_TARGET !== 0) throw new Error(`--series must be a multiple of ${SERIES_PER_TARGET}`);

interface Measured {
  system: string;
  blocks: number;
  samples: number;
  series: number;
  bytes: number;
  chunkBytes: number;
  indexBytes: number;
  seconds: number;
}

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

function writeOpenMetrics(file: string): number {
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

function measureBlocks(system: string, dir: string, seconds: number): Measured {
  const m: Measured = { system, blocks: 0, samples: 0, series: 0, bytes: 0, chunkBytes: 0, indexBytes: 0, seconds };
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

async function vigilTsdb(dir: string): Promise<Measured> {
  const started = performance.now();
  const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
  try {
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
    await db.persistHead(true);
  } finally {
    await db.close();
  }
  return measureBlocks('vigil (Tsdb API + persistHead)', dir, (performance.now() - started) / 1000);
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
      if (chunk.count === 120) {
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

/**
 * Reads every series back from the Vigil blocks in `dir` and compares it sample by sample with the
 * generator. Returns a description of the first mismatches (empty when the blocks are exact).
 */
async function verifyVigilBlocks(dir: string): Promise<{ checked: number; problems: string[] }> {
  const index = new Map<string, number>();
  for (let i = 0; i < SERIES; i++) index.set(seriesLabels(i, false).flat().join('\u0000'), i);
  const got = new Map<number, { t: number[]; v: number[] }>();
  for (const entry of readdirSync(dir).sort()) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(entry)) continue;
    const block = await Block.open(join(dir, entry));
    const q = block.querier(-Infinity, Infinity);
    for (const series of q.select([new LabelMatcher('=~', '__name__', '.+')])) {
      const i = index.get(series.labels.join('\u0000'));
      if (i === undefined) continue;
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
  if (got.size !== SERIES) problems.push(`${got.size} of ${SERIES} series found`);
  const values = new ValueGenerator(SERIES);
  let checked = 0;
  for (const [i, e] of [...got].sort((a, b) => a[0] - b[0])) {
    const order = e.t.map((_, k) => k).sort((a, b) => e.t[a] - e.t[b]);
    if (order.length !== STEPS && problems.length < 5) problems.push(`series ${i}: ${order.length} samples, expected ${STEPS}`);
    for (let step = 0; step < Math.min(STEPS, order.length); step++) {
      const t = e.t[order[step]];
      const v = e.v[order[step]];
      const want = values.valueAt(i, step);
      checked++;
      if ((t !== T0 + step * INTERVAL || !Object.is(v, want)) && problems.length < 5) {
        problems.push(`series ${i} step ${step}: got (${t}, ${v}), expected (${T0 + step * INTERVAL}, ${want})`);
      }
    }
  }
  return { checked, problems };
}

await runBench('disk-bytes', 15 * 60_000, async () => {
  const started = Date.now();
  const root = makeTempDir('disk');
  const file = join(root, 'input.om.txt');
  log(`writing ${SERIES} series × ${STEPS} samples as OpenMetrics …`);
  const fileBytes = writeOpenMetrics(file);
  const expected = SERIES * STEPS;
  log(`wrote ${(fileBytes / 2 ** 20).toFixed(0)} MiB, ${expected} samples`);
  const results: Measured[] = [];
  const notes: string[] = [];

  if (args.only !== 'vigil') {
    const out = join(root, 'prometheus');
    const t = performance.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, out], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
    results.push(measureBlocks('prometheus (promtool create-blocks-from)', out, (performance.now() - t) / 1000));
    log(`promtool done`);
  }
  if (args.only !== 'prometheus') {
    const out = join(root, 'vigil-import');
    const t = performance.now();
    try {
      execFileSync(process.execPath, ['--max-old-space-size=8192', join(REPO_ROOT, 'bin', 'vigil.js'), 'import', '--quiet', `--storage.tsdb.path=${out}`, file], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10 * 60_000,
      });
      results.push(measureBlocks('vigil (vigil import)', out, (performance.now() - t) / 1000));
      log(`vigil import done`);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
      notes.push(`vigil import failed: ${stderr.split('\n').slice(-3).join(' / ') || (error as Error).message}`);
      log(notes[notes.length - 1]);
    }
    results.push(await vigilTsdb(join(root, 'vigil-tsdb')));
    log(`vigil Tsdb API done; reading the blocks back …`);
    for (const [name, sub] of [['vigil import', 'vigil-import'], ['vigil Tsdb API', 'vigil-tsdb']]) {
      try {
        const { checked, problems } = await verifyVigilBlocks(join(root, sub));
        notes.push(`${name} blocks read back: ${checked} samples compared with the generator, ${problems.length === 0 ? 'all exact' : `MISMATCHES: ${problems.join('; ')}`}`);
      } catch (error) {
        notes.push(`${name} blocks could not be read back: ${(error as Error).message}`);
      }
      log(notes[notes.length - 1]);
    }
  }

  const byKind = xorBytesByKind();
  notes.push(
    `XOR chunk bytes per sample by value kind (the same Gorilla format in both systems): ${[...byKind]
      .map(([kind, e]) => `${kind} ${(e.bytes / e.samples).toFixed(2)} (${Math.round((e.samples / expected) * 100)} % of samples)`)
      .join(', ')}`,
  );
  for (const r of results) {
    if (r.samples !== expected) notes.push(`${r.system}: blocks hold ${r.samples} samples, expected ${expected}`);
  }
  const perSample = (r: Measured | undefined) => (r === undefined || r.samples === 0 ? null : r.bytes / r.samples);
  const p = perSample(results.find((r) => r.system.startsWith('prometheus')));
  const vImport = perSample(results.find((r) => r.system === 'vigil (vigil import)'));
  const vTsdb = perSample(results.find((r) => r.system.startsWith('vigil (Tsdb')));
  const headline: Headline[] = [
    { metric: 'block bytes per sample (vigil import vs promtool)', unit: 'B', vigil: vImport, prometheus: p, target: '≤ 1.3', met: vImport === null ? null : vImport <= 1.3 },
    { metric: 'block bytes per sample (Vigil head → blocks vs promtool)', unit: 'B', vigil: vTsdb, prometheus: p, target: '≤ 1.3', met: vTsdb === null ? null : vTsdb <= 1.3 },
  ];
  const result: BenchResult = {
    bench: 'disk-bytes',
    title: 'Disk bytes per sample',
    quick: args.quick,
    command: commandLine('disk-bytes', args),
    workload: `${SERIES.toLocaleString('en-US')} series (6 labels) × ${HOURS} h of 15 s samples = ${expected.toLocaleString('en-US')} samples, from a 2 h boundary; value kinds: 10 % constant, 45 % integer counters (Poisson-like increments, a third nearly idle), 10 % cpu-seconds counters (0.01 steps), 25 % integer gauges (±4 KiB pages in a third of scrapes), 10 % full-precision float random walks (bench/lib/workload.ts). One OpenMetrics file of ${(fileBytes / 2 ** 20).toFixed(0)} MiB feeds promtool and vigil import.`,
    columns: ['system', 'blocks', 'series', 'samples', 'block bytes', 'chunk bytes', 'index bytes', 'bytes / sample', 'chunk bytes / sample', 'seconds'],
    rows: results.map((r) => [r.system, r.blocks, r.series, r.samples, r.bytes, r.chunkBytes, r.indexBytes, r.bytes / r.samples, r.chunkBytes / r.samples, r.seconds]),
    headline,
    notes,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  finish(args, result);
});
