/** Immutable on-disk blocks (docs/formats/block.md): writing, reading, compaction and retention. */
export type { BlockMeta, ChunkData, SeriesData } from './types.ts';
export { Block, postingsForMatchers } from './block.ts';
export { TMP_BLOCK_SUFFIX, moveBlock, writeBlock, writeBlockStream } from './writer.ts';
export type { WriteBlockOptions } from './writer.ts';
export { blocksBeyondRetention, compactBlocks, exponentialBlockRanges, planCompaction } from './compact.ts';
export { CorruptBlockError } from './encoding.ts';
export { isUlid, newUlid, ulidTime } from './ulid.ts';
