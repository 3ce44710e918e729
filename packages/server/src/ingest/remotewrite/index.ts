/** The Prometheus remote-write 1.0 receiver: a streaming protobuf decoder and a transport-free handler. */
export { RemoteWriteError, decodeWriteRequest } from './decoder.ts';
export type { DecodeStats, MetricMetadata, MetricType, WriteRequestVisitor } from './decoder.ts';
export { checkHeaders, createRemoteWriteMetrics, handleRemoteWrite, snappyDecodedLength } from './handler.ts';
export type {
  RejectReason,
  RemoteWriteHeaders,
  RemoteWriteLimits,
  RemoteWriteMetrics,
  RemoteWriteOptions,
  RemoteWriteResult,
} from './handler.ts';
export { MetadataStore } from './metadata.ts';
