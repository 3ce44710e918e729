/** Chunk encodings. Today only Gorilla XOR float chunks (Prometheus-compatible bit layout). */
export {
  MAX_XOR_CHUNK_SAMPLES,
  XOR_HEADER_BYTES,
  XorAppender,
  XorIterator,
  decodeXorChunk,
  xorChunkSampleCount,
} from './xor.ts';
