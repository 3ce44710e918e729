/**
 * Backfill: every sample reads back whatever the input order and however the input is cut, one block
 * per window comes out, failures leave nothing behind, and memory held between spills depends on the
 * buffer size and the number of series, not on the input's size.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, describe, it } from 'node:test';
import { LabelMatcher } from '../../model/index.ts';
import { Block } from '../../store/tsdb/block/index.ts';
import type { BlockMeta } from '../../store/tsdb/block/index.ts';
import { Backfill, BackfillError, backfillStream } from './backfill.ts';
import type { BackfillMemoryStats } from './backfill.ts';

const HOUR = 3600_000;
const START = 1_700_000_000_000; // 22:13:20 UTC: the first window is partial
const STEP = 15_000;

const root = mkdtempSync(join(tmpdir(), 'vigil-backfill-'));
let dirs = 0;
const freshDir = () => join(root, String(++dirs));
after(() => rmSync(root, { recursive: true, force: true }));

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Line {
  series: number;
  t: number;
  v: number;
}

const seriesText = (s: number) => `http_requests_total{city="z\u00fcrich-${s % 3}",instance="host-${s}:9100",job="api"}`;
const seriesKey = (s: number) => `host-${s}:9100`;

function openMetrics(lines: Line[]): string {
  let text = '# TYPE http_requests counter\n';
  for (const l of lines) text += `${seriesText(l.series)} ${l.v} ${l.t / 1000}\n`;
  return `${text}# EOF\n`;
}

/** What must read back: per series, samples by time; of equal timestamps, the one written last. */
function expected(lines: Line[]): Map<string, [number, number][]> {
  const bySeries = new Map<string, Map<number, number>>();
  for (const l of lines) {
    const key = seriesKey(l.series);
    let samples = bySeries.get(key);
    if (samples === undefined) bySeries.set(key, (samples = new Map()));
    samples.set(l.t, l.v);
  }
  const out = new Map<string, [number, number][]>();
  for (const [key, samples] of bySeries) out.set(key, [...samples].sort((a, b) => a[0] - b[0]));
  return out;
}

async function readBack(dir: string, blocks: BlockMeta[]): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  for (const meta of blocks) {
    const block = await Block.open(join(dir, meta.ulid));
    const querier = block.querier(-Infinity, Infinity);
    for (const series of querier.select([new LabelMatcher('=~', '__name__', '.+')])) {
      const key = series.labels[series.labels.indexOf('instance') + 1];
      let samples = out.get(key);
      if (samples === undefined) out.set(key, (samples = []));
      const iterator = series.iterator();
      while (iterator.next()) samples.push([iterator.timestamp, iterator.value]);
    }
    querier.close();
    await block.close();
  }
  for (const samples of out.values()) samples.sort((a, b) => a[0] - b[0]);
  return out;
}

/** Feeds bytes in pieces of random sizes: cut inside lines and inside UTF-8 sequences. */
async function feed(backfill: Backfill, text: string, seed: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  const next = random(seed);
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(next() * 3000);
    await backfill.writeBytes(bytes.subarray(at, at + size));
    at += size;
  }
}

function checkBlocks(dir: string, blocks: BlockMeta[]): void {
  // One block per 2-hour window, none overlapping, and nothing else left in the directory.
  for (const b of blocks) {
    assert.equal(b.maxTime - b.minTime, 2 * HOUR);
    assert.equal(b.minTime % (2 * HOUR), 0);
  }
  for (let i = 1; i < blocks.length; i++) assert.ok(blocks[i].minTime >= blocks[i - 1].maxTime, 'blocks overlap');
  assert.deepEqual(readdirSync(dir).sort(), blocks.map((b) => b.ulid).sort());
}

describe('backfill', () => {
  const SERIES = 20;
  const POINTS = 1000; // 4 h 10 min at 15 s: three windows
  const inOrder: Line[] = [];
  for (let s = 0; s < SERIES; s++) for (let i = 0; i < POINTS; i++) inOrder.push({ series: s, t: START + i * STEP, v: s * 1000 + i });
  const byTime = [...inOrder].sort((a, b) => a.t - b.t || a.series - b.series);
  const next = random(7);
  const shuffled = inOrder.map((l) => ({ ...l }));
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  // Rewrites of earlier samples, spread over the input: the last one written must win.
  for (let k = 0; k < 300; k++) {
    const l = shuffled[Math.floor(next() * shuffled.length)];
    shuffled.splice(Math.floor(next() * shuffled.length), 0, { series: l.series, t: l.t, v: -l.v - 0.5 });
  }

  for (const [name, lines] of [['series by series', inOrder], ['time-ordered', byTime], ['shuffled, with rewrites', shuffled]] as const) {
    it(`reads every sample back from one block per window: ${name}`, async () => {
      const dir = freshDir();
      const backfill = new Backfill({ outputDir: dir, format: 'openmetrics', maxBufferedSamples: 1500, mergeFanIn: 3 });
      await feed(backfill, openMetrics(lines), lines.length);
      const result = await backfill.end();
      assert.equal(result.samples, lines.length);
      assert.equal(result.series, SERIES);
      assert.equal(result.blocks.length, 3);
      checkBlocks(dir, result.blocks);
      assert.deepEqual(await readBack(dir, result.blocks), expected(lines));
      const labels = await (async () => {
        const block = await Block.open(join(dir, result.blocks[0].ulid));
        const querier = block.querier(-Infinity, Infinity);
        const first = [...querier.select([new LabelMatcher('=', 'instance', 'host-4:9100')])][0].labels;
        querier.close();
        await block.close();
        return first;
      })();
      assert.deepEqual(labels, ['__name__', 'http_requests_total', 'city', 'z\u00fcrich-1', 'instance', 'host-4:9100', 'job', 'api']);
    });
  }

  it('takes Prometheus text with millisecond timestamps over a stream, and default timestamps', async () => {
    const dir = freshDir();
    // The same series written with its labels in another order, and with an empty label.
    const text = `a{x="1",y="2"} 1 ${START}\na{y="2",x="1"} 2 ${START + STEP}\na{x="1",z="",y="2"} 3 ${START + 2 * STEP}\nb 5\n`;
    const result = await backfillStream([Buffer.from(text.slice(0, 13)), Buffer.from(text.slice(13))], { outputDir: dir, format: 'text', defaultTimestamp: START + 1 });
    assert.equal(result.samples, 4);
    assert.equal(result.blocks.length, 1);
    checkBlocks(dir, result.blocks);
    const block = await Block.open(join(dir, result.blocks[0].ulid));
    const querier = block.querier(-Infinity, Infinity);
    const read = [...querier.select([new LabelMatcher('=~', '__name__', '.+')])].map((series) => {
      const samples: number[][] = [];
      const iterator = series.iterator();
      while (iterator.next()) samples.push([iterator.timestamp, iterator.value]);
      return [series.labels.join(','), samples];
    });
    querier.close();
    await block.close();
    assert.deepEqual(read, [
      ['__name__,a,x,1,y,2', [[START, 1], [START + STEP, 2], [START + 2 * STEP, 3]]],
      ['__name__,b', [[START + 1, 5]]],
    ]);
  });

  it('a failed import leaves nothing in the output directory, after spills too', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const lines = inOrder.slice(0, 5000);
    // In pieces, so that the buffer is spilled before the bad line comes.
    const pieces = (input: Buffer) => Array.from({ length: Math.ceil(input.length / 16384) }, (_, i) => input.subarray(i * 16384, (i + 1) * 16384));
    const good = openMetrics(lines).replace('# EOF\n', '');
    const cases: [string, RegExp][] = [
      [`${good}${seriesText(1)} 1\n# EOF\n`, /^line 5002: sample has no timestamp/],
      [`${good}up{job="a" 2 1700000015\n# EOF\n`, /^line 5002: /],
      [good, /OpenMetrics input must end with "# EOF"/],
      [`${good}# EOF\nup 1 1700000000\n`, /^line 5003: (unexpected )?data after "?# EOF/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(
        backfillStream(pieces(Buffer.from(input)), { outputDir: dir, format: 'openmetrics', maxBufferedSamples: 1000 }),
        (error: Error) => error instanceof BackfillError && message.test(error.message),
      );
      assert.deepEqual(readdirSync(dir), []);
    }
    const invalid = Buffer.concat([Buffer.from(good), Buffer.from([0x75, 0x70, 0x7b, 0x61, 0x3d, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x20, 0x31, 0x20, 0x31, 0x0a])]);
    await assert.rejects(backfillStream(pieces(invalid), { outputDir: dir, format: 'openmetrics', maxBufferedSamples: 1000 }), /not valid UTF-8/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('holds memory bounded by the buffer and the series, not by the input size', async () => {
    // Series by series, the order that made every piece of input stay alive: each piece brings a new
    // series, and a label cut out of the piece kept all of it (V8 substrings are slices).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const MAX_BUFFERED = 20_000;
    const FAN_IN = 4;
    const PIECE = 256 * 1024;

    async function run(seriesCount: number): Promise<{ peak: BackfillMemoryStats; retainedBytes: number; inputBytes: number; pieceLines: number; spills: number; windows: number }> {
      const dir = freshDir();
      const backfill = new Backfill({ outputDir: dir, format: 'openmetrics', maxBufferedSamples: MAX_BUFFERED, mergeFanIn: FAN_IN });
      const peak: BackfillMemoryStats = { series: 0, internedStrings: 0, bufferCapacity: 0, buffered: 0, scratchCapacity: 0, carryBytes: 0, spilledBlocks: 0, spills: 0 };
      let inputBytes = 0;
      let pending = '';
      let pieceLines = 0;
      const push = async (text: string, last = false) => {
        pending += text;
        if (pending.length < PIECE && !last) return;
        inputBytes += pending.length;
        pieceLines = Math.max(pieceLines, pending.split('\n').length);
        await backfill.write(pending);
        pending = '';
        const stats = backfill.memoryStats();
        for (const key of Object.keys(peak) as (keyof BackfillMemoryStats)[]) peak[key] = Math.max(peak[key], stats[key]);
      };
      // 1,000 samples of ~100 bytes a series: a few new series in every piece.
      for (let s = 0; s < seriesCount; s++) {
        const name = `node_cpu_seconds_total{cpu="${s % 8}",instance="host-${s}.example.org:9100",job="node",mode="user"}`;
        let lines = '';
        for (let i = 0; i < 1000; i++) lines += `${name} ${s + i * 0.25} ${(START + i * STEP) / 1000}\n`;
        await push(lines);
      }
      await push('', true);
      gc();
      gc();
      const retainedBytes = process.memoryUsage().heapUsed;
      await backfill.write('# EOF\n');
      const result = await backfill.end();
      assert.equal(result.samples, seriesCount * 1000);
      checkBlocks(dir, result.blocks);
      return { peak, retainedBytes, inputBytes, pieceLines, spills: backfill.memoryStats().spills, windows: result.blocks.length };
    }

    await run(8); // warm-up: compiles everything once, so the runs below compare like with like
    gc();
    const small = await run(40);
    const large = await run(160);
    assert.ok(large.inputBytes > 3.5 * small.inputBytes && large.spills > 3.5 * small.spills);

    // Per-series state grows with the series; everything else stays as it was for the small input.
    assert.equal(large.peak.series, 160);
    assert.ok(large.peak.internedStrings <= 160 + 20, `interned ${large.peak.internedStrings}`);
    for (const key of ['bufferCapacity', 'scratchCapacity', 'carryBytes'] as const) {
      assert.equal(large.peak[key], small.peak[key], key);
    }
    // The buffer: maxBufferedSamples plus at most one piece's samples (and one growth step).
    assert.ok(large.peak.bufferCapacity <= MAX_BUFFERED + large.pieceLines + 4096, `buffer ${large.peak.bufferCapacity}`);
    // Spilled blocks waiting for merges: at most fanIn - 1 per level and window.
    const levels = Math.ceil(Math.log(large.spills) / Math.log(FAN_IN)) + 1;
    assert.ok(large.peak.spilledBlocks <= large.windows * (FAN_IN - 1) * levels, `spilled blocks ${large.peak.spilledBlocks}`);
    // What the heap retains between spills: 4× the input must not cost anything near 4× the input
    // (keeping input pieces alive cost ~1 byte a byte); per-series state is a few hundred bytes each.
    const grown = large.retainedBytes - small.retainedBytes;
    assert.ok(grown < (large.inputBytes - small.inputBytes) / 20, `heap grew by ${grown} bytes for ${large.inputBytes - small.inputBytes} more bytes of input`);
  });
});
