/**
 * The heavy PromQL set (`heavy_requests_total`, --heavy-series counters at a 15 s interval) built
 * one 2 h block range at a time, so 100,000 series × 24 h (576 M samples) fits the benchmark's
 * time budget: Vigil's blocks are written in-process through its block writer (no text, no WAL),
 * and Prometheus's are backfilled by promtool from one OpenMetrics file per 2 h range, each file
 * generated while the previous one is being backfilled and deleted once done (≈ 3.3 GB on disk at
 * a time instead of 40 GB). Both carry exactly the samples `writeHeavyWorkload` writes: same
 * labels, timestamps and values (the same seeded generator, advanced range by range).
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { labelsFromPairs } from '../../packages/server/src/model/index.ts';
import type { Labels } from '../../packages/server/src/model/index.ts';
import { XorAppender } from '../../packages/server/src/store/tsdb/chunk/index.ts';
import { writeBlockStream } from '../../packages/server/src/store/tsdb/block/index.ts';
import type { ChunkData, SeriesData } from '../../packages/server/src/store/tsdb/block/index.ts';
import { seededRandom } from '../../test/support/promql-differential-data.ts';
import { HEAVY_JOBS, HEAVY_METRIC, INTERVAL } from './promql-workload.ts';

const TWO_HOURS = 2 * 3600_000;
const STEPS_PER_RANGE = TWO_HOURS / INTERVAL;
/** Samples per chunk, as Prometheus's head cuts them. */
const CHUNK_SAMPLES = 120;

/** Per-series generator state, advanced one 2 h range at a time. */
class HeavyState {
  readonly values: Float64Array;
  readonly rates: Float64Array;
  private nextRange = 0;

  constructor(readonly series: number) {
    this.values = new Float64Array(series);
    this.rates = new Float64Array(series);
    for (let i = 0; i < series; i++) {
      const random = seededRandom(i + 1);
      // Same draws, same order as writeHeavyWorkload: the rate, then the starting value.
      this.rates[i] = Math.floor(random() * 100);
      this.values[i] = Math.floor(random() * 1e6);
    }
  }

  /** Checks that ranges are produced in order (values carry over from one range to the next). */
  take(range: number): void {
    if (range !== this.nextRange) throw new Error(`heavy ranges must be produced in order: expected ${this.nextRange}, got ${range}`);
    this.nextRange++;
  }
}

function instanceOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100`;
}

/** Sub-second scrape offset of series i, as promql-workload's offsetOf: 125…875 ms. */
function offsetOf(i: number): number {
  return 125 * (1 + (i % 7));
}

function rangeSteps(range: number, totalSteps: number): { first: number; end: number } {
  return { first: range * STEPS_PER_RANGE, end: Math.min(totalSteps, (range + 1) * STEPS_PER_RANGE) };
}

/** Writes range `range` (0-based 2 h range from `start`) of the heavy set as an OpenMetrics file. */
function writeRangeText(file: string, state: HeavyState, start: number, range: number, totalSteps: number): { bytes: number; samples: number } {
  state.take(range);
  const { first, end } = rangeSteps(range, totalSteps);
  const fd = openSync(file, 'w');
  let bytes = 0;
  let samples = 0;
  let buffer = '# TYPE heavy_requests counter\n';
  try {
    for (let i = 0; i < state.series; i++) {
      const labels = `${HEAVY_METRIC}{instance="${instanceOf(i)}",job="job-${i % HEAVY_JOBS}"} `;
      const offset = offsetOf(i);
      const rate = state.rates[i];
      let value = state.values[i];
      for (let k = first; k < end; k++) {
        value += rate + (k & 3);
        buffer += `${labels}${value} ${((start + k * INTERVAL + offset) / 1000).toFixed(3)}\n`;
      }
      state.values[i] = value;
      samples += end - first;
      if (buffer.length > 1 << 20) {
        bytes += writeSync(fd, buffer);
        buffer = '';
      }
    }
    bytes += writeSync(fd, `${buffer}# EOF\n`);
  } finally {
    closeSync(fd);
  }
  return { bytes, samples };
}

/** Series indexes in the label order blocks store them in (instance sorts before job). */
function sortedSeries(series: number): { order: Int32Array; labels: Labels[] } {
  const labels = Array.from({ length: series }, (_, i) => labelsFromPairs([['__name__', HEAVY_METRIC], ['instance', instanceOf(i)], ['job', `job-${i % HEAVY_JOBS}`]].flat()));
  const order = Int32Array.from({ length: series }, (_, i) => i).sort((a, b) => {
    const x = labels[a][3];
    const y = labels[b][3];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { order, labels };
}

/**
 * Writes Vigil's blocks for the heavy set into `dataDir` (one block per 2 h range, as `vigil import`
 * would), straight through the block writer. Memory: one range's chunks of one series at a time.
 */
export async function writeHeavyVigilBlocks(dataDir: string, series: number, start: number, hours: number): Promise<{ samples: number; seconds: number }> {
  const started = performance.now();
  const totalSteps = Math.round((hours * 3600_000) / INTERVAL);
  const ranges = Math.ceil(totalSteps / STEPS_PER_RANGE);
  const state = new HeavyState(series);
  const { order, labels } = sortedSeries(series);
  const appender = new XorAppender(256);
  let samples = 0;
  for (let range = 0; range < ranges; range++) {
    state.take(range);
    const { first, end } = rangeSteps(range, totalSteps);
    // Values advance in series order; the block wants label order, so compute each series' range on demand.
    function* rangeSeries(): Generator<SeriesData> {
      for (let n = 0; n < series; n++) {
        const i = order[n];
        const offset = offsetOf(i);
        const rate = state.rates[i];
        let value = state.values[i];
        const chunks: ChunkData[] = [];
        for (let k = first; k < end; k++) {
          value += rate + (k & 3);
          appender.append(start + k * INTERVAL + offset, value);
          if (appender.count === CHUNK_SAMPLES || k === end - 1) {
            chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
            appender.reset();
          }
        }
        state.values[i] = value;
        samples += end - first;
        yield { labels: labels[i], chunks };
      }
    }
    await writeBlockStream(dataDir, { minTime: start + range * TWO_HOURS, maxTime: start + (range + 1) * TWO_HOURS }, rangeSeries());
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/**
 * Backfills the heavy set into Prometheus's `dataDir`: one OpenMetrics file per 2 h range, written
 * while at most `parallel` promtool processes backfill the files before it; each file is deleted
 * once backfilled. `backfillFile` runs promtool on one file.
 */
export async function backfillHeavyPrometheus(
  prefix: string,
  series: number,
  start: number,
  hours: number,
  parallel: number,
  backfillFile: (file: string) => Promise<unknown>,
): Promise<{ samples: number; bytes: number; seconds: number }> {
  const started = performance.now();
  const totalSteps = Math.round((hours * 3600_000) / INTERVAL);
  const ranges = Math.ceil(totalSteps / STEPS_PER_RANGE);
  const state = new HeavyState(series);
  const running = new Set<Promise<void>>();
  let samples = 0;
  let bytes = 0;
  let failure: unknown = null;
  for (let range = 0; range < ranges; range++) {
    while (running.size >= parallel) await Promise.race(running);
    // A failed backfill stops generating further files.
    if (failure !== null) break;
    const file = `${prefix}-${range}.om.txt`;
    const written = writeRangeText(file, state, start, range, totalSteps);
    samples += written.samples;
    bytes += written.bytes;
    const job: Promise<void> = backfillFile(file)
      .then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => {
        rmSync(file, { force: true });
        running.delete(job);
      });
    running.add(job);
  }
  await Promise.all(running);
  if (failure !== null) throw failure;
  return { samples, bytes, seconds: (performance.now() - started) / 1000 };
}
