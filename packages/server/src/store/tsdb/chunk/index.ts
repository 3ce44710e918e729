/** Chunk encodings: Gorilla XOR (the head's, Prometheus's bit layout) and decimal (blocks). */
export {
  MAX_XOR_CHUNK_SAMPLES,
  XOR_HEADER_BYTES,
  XorAppender,
  XorIterator,
  decodeXorChunk,
  xorChunkSampleCount,
} from './xor.ts';
export { DecimalIterator, encodeDecimalChunk } from './decimal.ts';
export { ChunkEncoding, ChunkIterator, chunkSampleCount, compactChunk, decodeChunk, isKnownEncoding } from './codec.ts';
