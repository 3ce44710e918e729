import type { Labels } from '../../../model/index.ts';

export interface BlockMeta {
  ulid: string;
  /** First millisecond covered (inclusive). */
  minTime: number;
  /** End of the covered range (exclusive), as in Prometheus. */
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  compaction: { level: number; sources: string[]; parents?: string[] };
  version: 1;
}

/** A chunk as the head hands it over: bytes are an XOR chunk. */
export interface ChunkData {
  minTime: number;
  maxTime: number;
  bytes: Uint8Array;
  /** Encoding of `bytes` (ChunkEncoding); XOR when absent. */
  encoding?: number;
}

export interface SeriesData {
  labels: Labels;
  chunks: ChunkData[];
}
