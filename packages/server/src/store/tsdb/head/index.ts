/** The TSDB head: recent samples in memory, with its index. */
export { ChunksIterator, Head, SAMPLES_PER_CHUNK } from './head.ts';
export type { CommitBatch, ExemplarRecord, HeadCounters, HeadOptions } from './head.ts';
