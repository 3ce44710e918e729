/**
 * Constants of the on-disk block format (docs/formats/block.md, docs/formats/chunks.md). Type codes
 * are only ever added, never renumbered or reused.
 */

/** "VGIX": index file magic. */
export const INDEX_MAGIC = 0x56474958;
export const INDEX_VERSION = 1;
/** "VGCH": chunk segment file magic. */
export const CHUNKS_MAGIC = 0x56474348;
export const CHUNKS_VERSION = 1;
/** "VGTS": tombstones file magic. */
export const TOMBSTONES_MAGIC = 0x56475453;
export const TOMBSTONES_VERSION = 1;

/** Every file starts with magic u32, version u8 and three zero bytes. */
export const FILE_HEADER_BYTES = 8;
/** Index footer: u64 TOC offset, u32 magic. */
export const INDEX_FOOTER_BYTES = 12;

/** Index section type codes (in the TOC). */
export const Section = {
  Symbols: 1,
  Series: 2,
  LabelIndex: 3,
  Postings: 4,
} as const;

/** Chunk encodings (the byte before each chunk's data) are defined with the chunks themselves. */
export { ChunkEncoding } from '../chunk/index.ts';

/** Largest chunk segment file. A chunk record never spans two files. */
export const MAX_SEGMENT_BYTES = 512 * 1024 * 1024;

/** Samples per chunk when compaction (re-)encodes. */
export const SAMPLES_PER_CHUNK = 120;

export const META_FILE = 'meta.json';
export const INDEX_FILE = 'index';
export const CHUNKS_DIR = 'chunks';
export const TOMBSTONES_FILE = 'tombstones';
export const META_VERSION = 1;

export function segmentFileName(seq: number): string {
  return String(seq).padStart(6, '0');
}
