import type { Labels } from '../../../model/index.ts';
import { compareLabels, compareStrings } from '../../../model/index.ts';
import { XorAppender } from '../chunk/index.ts';
import type { Block } from './block.ts';
import { CorruptBlockError } from './encoding.ts';
import { isKnownEncoding } from '../chunk/index.ts';
import { ChunkMetas } from './index-reader.ts';
import { SampleRuns } from './samples.ts';
import { coveredBy, intersects } from './tombstones.ts';
import type { BlockMeta, ChunkData, SeriesData } from './types.ts';
import { writeBlockStream } from './writer.ts';

interface Cursor {
  block: Block;
  /** Rank for deduplication: blocks later in ULID order win on equal timestamps. */
  rank: number;
  id: number;
  labels: Labels | null;
}

function advance(c: Cursor): void {
  c.id++;
  c.labels = c.id < c.block.index.numSeries ? c.block.index.labels(c.id) : null;
}

/**
 * Merges blocks (overlapping or not) into one new block in parentDir. Series are merged by labels;
 * tombstoned samples are dropped. A series whose chunks from all inputs are disjoint and untouched by
 * tombstones keeps its chunks as they are; otherwise its samples are merged, deduplicated by
 * timestamp (the block with the greater ULID wins) and re-cut into 120-sample chunks. The output's
 * level is one more than the highest input level; sources are the union of the inputs' sources.
 * The inputs are left alone (the caller deletes them once the new block is in use).
 */
export async function compactBlocks(parentDir: string, blocks: Block[]): Promise<BlockMeta> {
  if (blocks.length === 0) throw new Error('compactBlocks: no blocks');
  const ordered = [...blocks].sort((a, b) => compareStrings(a.meta.ulid, b.meta.ulid));
  const minTime = Math.min(...ordered.map((b) => b.meta.minTime));
  const maxTime = Math.max(...ordered.map((b) => b.meta.maxTime));
  const sources = new Set<string>();
  for (const b of ordered) {
    if (b.meta.compaction.sources.length === 0) sources.add(b.meta.ulid);
    for (const s of b.meta.compaction.sources) sources.add(s);
  }
  const compaction: BlockMeta['compaction'] = {
    level: Math.max(...ordered.map((b) => b.meta.compaction.level)) + 1,
    sources: [...sources].sort(compareStrings),
    parents: ordered.map((b) => b.meta.ulid),
  };
  return writeBlockStream(parentDir, { minTime, maxTime, compaction }, mergeSeries(ordered));
}

function* mergeSeries(blocks: Block[]): Generator<SeriesData> {
  const cursors: Cursor[] = blocks.map((block, rank) => ({ block, rank, id: -1, labels: null }));
  for (const c of cursors) advance(c);
  const metas = new ChunkMetas();
  const app = new XorAppender(256);
  const runs = new SampleRuns();
  const enc = new Uint8Array(1);
  const parts: { c: Cursor; minT: number; maxT: number; seg: number; off: number; len: number; deleted: Float64Array | undefined }[] = [];
  const active: Cursor[] = [];
  for (;;) {
    let min: Labels | null = null;
    for (const c of cursors) if (c.labels !== null && (min === null || compareLabels(c.labels, min) < 0)) min = c.labels;
    if (min === null) return;
    active.length = 0;
    for (const c of cursors) if (c.labels !== null && compareLabels(c.labels, min) === 0) active.push(c);

    // Collect chunk refs of this series from every block, minus chunks deleted entirely.
    parts.length = 0;
    let touched = false;
    for (const c of active) {
      c.block.index.chunks(c.id, metas);
      const deleted = c.block.tombstones.get(c.id);
      for (let k = 0; k < metas.n; k++) {
        if (coveredBy(deleted, metas.minT[k], metas.maxT[k])) continue;
        if (intersects(deleted, metas.minT[k], metas.maxT[k])) touched = true;
        parts.push({ c, minT: metas.minT[k], maxT: metas.maxT[k], seg: metas.seg[k], off: metas.off[k], len: metas.len[k], deleted });
      }
    }
    parts.sort((a, b) => a.minT - b.minT || a.c.rank - b.c.rank);
    for (let k = 1; k < parts.length && !touched; k++) if (parts[k].minT <= parts[k - 1].maxT) touched = true;

    const chunks: ChunkData[] = [];
    const read = (p: (typeof parts)[number]): Uint8Array => {
      const data = p.c.block.chunkReader.read(p.seg, p.off, p.len, enc);
      if (!isKnownEncoding(enc[0])) throw new CorruptBlockError(p.c.block.chunkReader.segmentPath(p.seg), p.off, `unknown chunk encoding ${enc[0]}`);
      return data;
    };
    if (!touched) {
      for (const p of parts) {
        const bytes = read(p);
        chunks.push({ minTime: p.minT, maxTime: p.maxT, bytes, encoding: enc[0] });
      }
    } else {
      runs.reset();
      for (const p of parts) {
        const bytes = read(p);
        runs.addChunk(enc[0], bytes, p.c.rank, -Infinity, Infinity, p.deleted);
      }
      runs.finish();
      runs.encode(app, chunks);
    }
    const labels = min;
    for (const c of active) advance(c);
    if (chunks.length > 0) yield { labels, chunks };
  }
}

/**
 * Prometheus's block ranges: minMs × 3^i (2h, 6h, 18h, 54h, … for a 2h minimum), stopping before the
 * first range longer than maxMs (the maximum block duration).
 */
export function exponentialBlockRanges(minMs: number, maxMs: number, steps = 10, factor = 3): number[] {
  const out: number[] = [];
  let r = minMs;
  for (let i = 0; i < steps && r <= maxMs; i++) {
    out.push(r);
    r *= factor;
  }
  return out;
}

/**
 * Prometheus's leveled compaction plan. Overlapping blocks come first: when any blocks overlap, the
 * result is every group of mutually overlapping blocks (vertical compaction). Otherwise the newest
 * block is left alone (a window for backups), and for each range after the first, blocks are split by
 * aligned range; the first group of 2+ blocks that fills its range, or lies entirely before the
 * newest remaining block, is returned. `ranges` are the block ranges (see exponentialBlockRanges).
 * Returns [] when nothing is to be done.
 */
export function planCompaction(metas: BlockMeta[], ranges: number[]): BlockMeta[][] {
  const sorted = [...metas].sort((a, b) => a.minTime - b.minTime || compareStrings(a.ulid, b.ulid));
  const overlapping = overlappingGroups(sorted);
  if (overlapping.length > 0) return overlapping;
  if (sorted.length < 2 || ranges.length < 2) return [];
  const candidates = sorted.slice(0, -1);
  const group = selectDirs(candidates, ranges);
  return group.length > 0 ? [group] : [];
}

function overlappingGroups(sorted: BlockMeta[]): BlockMeta[][] {
  const groups: BlockMeta[][] = [];
  let current: BlockMeta[] = [];
  let globalMax = -Infinity;
  for (const m of sorted) {
    if (current.length > 0 && m.minTime < globalMax) {
      current.push(m);
    } else {
      if (current.length > 1) groups.push(current);
      current = [m];
    }
    globalMax = Math.max(globalMax, m.maxTime);
  }
  if (current.length > 1) groups.push(current);
  return groups;
}

function selectDirs(ds: BlockMeta[], ranges: number[]): BlockMeta[] {
  if (ds.length === 0) return [];
  const highTime = ds[ds.length - 1].minTime;
  for (const iv of ranges.slice(1)) {
    for (const p of splitByRange(ds, iv)) {
      if (p.length < 2) continue;
      const mint = p[0].minTime;
      const maxt = p[p.length - 1].maxTime;
      // Compact a range only when it is full (maybe with gaps) or entirely older than the newest block.
      if (maxt - mint === iv || maxt <= highTime) return p;
    }
  }
  return [];
}

/** Groups blocks (sorted by minTime) into aligned ranges of width tr; blocks that do not fit one range are skipped. */
export function splitByRange(ds: BlockMeta[], tr: number): BlockMeta[][] {
  const out: BlockMeta[][] = [];
  for (let i = 0; i < ds.length; ) {
    const m = ds[i];
    const t0 = Math.floor(m.minTime / tr) * tr;
    if (m.maxTime > t0 + tr) {
      i++;
      continue;
    }
    const group: BlockMeta[] = [];
    for (; i < ds.length; i++) {
      if (ds[i].minTime < t0 || ds[i].maxTime > t0 + tr) break;
      group.push(ds[i]);
    }
    if (group.length > 0) out.push(group);
  }
  return out;
}

/**
 * Which blocks retention removes (their ULIDs, newest first). Time: every block whose maxTime is more
 * than retentionMs before the newest block's maxTime (never the newest itself); 0 disables. Size:
 * walking from the newest block, once the running total exceeds maxBytes, that block and every older
 * one go; 0 disables.
 */
export function blocksBeyondRetention(metas: { meta: BlockMeta; sizeBytes: number }[], retentionMs: number, maxBytes: number): string[] {
  const sorted = [...metas].sort((a, b) => b.meta.maxTime - a.meta.maxTime || b.meta.minTime - a.meta.minTime || compareStrings(b.meta.ulid, a.meta.ulid));
  const out = new Set<string>();
  if (retentionMs > 0 && sorted.length > 0) {
    const newest = sorted[0].meta.maxTime;
    for (let i = 1; i < sorted.length; i++) {
      if (newest - sorted[i].meta.maxTime > retentionMs) out.add(sorted[i].meta.ulid);
    }
  }
  if (maxBytes > 0) {
    let total = 0;
    let over = false;
    for (const b of sorted) {
      total += b.sizeBytes;
      if (total > maxBytes) over = true;
      if (over) out.add(b.meta.ulid);
    }
  }
  return sorted.filter((b) => out.has(b.meta.ulid)).map((b) => b.meta.ulid);
}
