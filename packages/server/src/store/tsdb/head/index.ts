/** The TSDB head: recent samples in memory, with its index. */
export { ChunksIterator, Head, SAMPLES_PER_CHUNK } from './head.ts';
export type { CommitBatch, CompletedChunk, ExemplarRecord, HeadCounters, HeadOptions } from './head.ts';
