import { XorAppender, chunkSampleCount, decodeChunk } from '../chunk/index.ts';
import { SAMPLES_PER_CHUNK } from './format.ts';
import type { ChunkData } from './types.ts';

/**
 * A scratch buffer of samples collected from several chunks, for the slow path of writing and
 * compaction: overlapping chunks, chunks crossing the block range, tombstoned ranges. Values are
 * copied as raw 32-bit words so NaN payloads survive.
 */
export class SampleRuns {
  ts = new Float64Array(1024);
  vs = new Float64Array(1024);
  rank = new Uint32Array(1024);
  n = 0;

  reset(): void {
    this.n = 0;
  }

  private reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.ts.length) return;
    let size = this.ts.length * 2;
    while (size < need) size *= 2;
    const ts = new Float64Array(size);
    const vs = new Float64Array(size);
    const rank = new Uint32Array(size);
    ts.set(this.ts.subarray(0, this.n));
    vs.set(this.vs.subarray(0, this.n));
    rank.set(this.rank.subarray(0, this.n));
    this.ts = ts;
    this.vs = vs;
    this.rank = rank;
  }

  /**
   * Decodes a chunk, keeping samples in [mint, maxt] (inclusive) outside the deleted intervals.
   * On equal timestamps, higher `rank` wins (then the later added sample).
   */
  addChunk(encoding: number, bytes: Uint8Array, rank: number, mint: number, maxt: number, deleted?: Float64Array): void {
    const count = chunkSampleCount(encoding, bytes);
    this.reserve(count);
    const start = this.n;
    decodeChunk(encoding, bytes, this.ts, this.vs, start);
    const ts = this.ts;
    const words = new Uint32Array(this.vs.buffer);
    let w = start;
    let di = 0;
    for (let k = start; k < start + count; k++) {
      const t = ts[k];
      if (t < mint || t > maxt) continue;
      if (deleted !== undefined) {
        while (di < deleted.length && deleted[di + 1] < t) di += 2;
        if (di < deleted.length && deleted[di] <= t) continue;
      }
      if (w !== k) {
        ts[w] = t;
        words[w * 2] = words[k * 2];
        words[w * 2 + 1] = words[k * 2 + 1];
      }
      this.rank[w] = rank;
      w++;
    }
    this.n = w;
  }

  /** Sorts by timestamp and removes duplicates (keeping the highest rank, then the latest added). */
  finish(): void {
    const n = this.n;
    const ts = this.ts;
    let sorted = true;
    for (let k = 1; k < n; k++) {
      if (ts[k] <= ts[k - 1]) {
        sorted = false;
        break;
      }
    }
    if (sorted) return;
    const rank = this.rank;
    const idx = new Uint32Array(n);
    for (let k = 0; k < n; k++) idx[k] = k;
    idx.sort((a, b) => ts[a] - ts[b] || rank[a] - rank[b] || a - b);
    const nts = new Float64Array(Math.max(1024, n));
    const nvs = new Float64Array(nts.length);
    const nrank = new Uint32Array(nts.length);
    const src = new Uint32Array(this.vs.buffer);
    const dst = new Uint32Array(nvs.buffer);
    let w = 0;
    for (let r = 0; r < n; r++) {
      const k = idx[r];
      // Keep only the last of a run of equal timestamps.
      if (r + 1 < n && ts[idx[r + 1]] === ts[k]) continue;
      nts[w] = ts[k];
      dst[w * 2] = src[k * 2];
      dst[w * 2 + 1] = src[k * 2 + 1];
      nrank[w] = rank[k];
      w++;
    }
    this.ts = nts;
    this.vs = nvs;
    this.rank = nrank;
    this.n = w;
  }

  /** Encodes the (finished) samples into XOR chunks of at most `perChunk` samples. */
  encode(app: XorAppender, out: ChunkData[], perChunk = SAMPLES_PER_CHUNK): void {
    const ts = this.ts;
    const vs = this.vs;
    app.reset();
    for (let k = 0; k < this.n; k++) {
      app.append(ts[k], vs[k]);
      if (app.count === perChunk || k === this.n - 1) {
        out.push({ minTime: app.minTime, maxTime: app.maxTime, bytes: app.bytes().slice() });
        app.reset();
      }
    }
  }
}
