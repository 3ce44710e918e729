/** Helpers shared by the block tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../../../model/index.ts';
import { labelsFromRecord } from '../../../model/index.ts';
import type { Querier, Series } from '../../types.ts';
import { XorAppender } from '../chunk/index.ts';
import type { ChunkData, SeriesData } from './types.ts';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-block-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chunksOf(ts: ArrayLike<number>, vs: ArrayLike<number>, perChunk = 120): ChunkData[] {
  const out: ChunkData[] = [];
  const app = new XorAppender();
  for (let i = 0; i < ts.length; i++) {
    app.append(ts[i], vs[i]);
    if (app.count === perChunk || i === ts.length - 1) {
      out.push({ minTime: app.minTime, maxTime: app.maxTime, bytes: app.bytes().slice() });
      app.reset();
    }
  }
  return out;
}

export function series(record: Record<string, string>, ts: ArrayLike<number>, vs: ArrayLike<number>, perChunk = 120): SeriesData {
  return { labels: labelsFromRecord(record), chunks: chunksOf(ts, vs, perChunk) };
}

export interface Collected {
  labels: Labels;
  ts: number[];
  /** Raw value bits. */
  bits: bigint[];
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
export function bitsOf(v: number): bigint {
  f64[0] = v;
  return u64[0];
}

export function collect(set: Iterable<Series>): Collected[] {
  const out: Collected[] = [];
  for (const s of set) {
    const it = s.iterator();
    const ts: number[] = [];
    const bits: bigint[] = [];
    while (it.next()) {
      ts.push(it.timestamp);
      bits.push(bitsOf(it.value));
    }
    out.push({ labels: s.labels, ts, bits });
  }
  return out;
}

export function selectAll(q: Querier, matchers: Parameters<Querier['select']>[0] = []): Collected[] {
  return collect(q.select(matchers));
}
