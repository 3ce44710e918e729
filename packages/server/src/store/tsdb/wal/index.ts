/**
 * Vigil's write-ahead log: segmented files of CRC-checked records (series, samples, exemplars,
 * tombstones, metadata), a group-committing writer, crash-tolerant replay and checkpoints.
 * Format: docs/formats/wal.md.
 */
export {
  RecordType,
  MetricTypeCode,
  recordTypeName,
  segmentName,
  parseSegmentName,
  checkpointName,
  parseCheckpointName,
  HEADER_SIZE,
  MAX_PAYLOAD,
  DEFAULT_SEGMENT_SIZE,
} from './format.ts';
export { ByteBuffer } from './buffer.ts';
export {
  WalRecordError,
  SeriesEncoder,
  SamplesEncoder,
  ExemplarsEncoder,
  TombstonesEncoder,
  MetadataEncoder,
  decodeSeries,
  decodeSamples,
  decodeSamplesRaw,
  decodeSamplesInto,
  sampleCount,
  decodeExemplars,
  decodeTombstones,
  decodeMetadata,
} from './records.ts';
export type { SeriesVisitor, SampleVisitor, ExemplarVisitor, TombstoneVisitor, MetadataVisitor } from './records.ts';
export { WalWriter, WalWriteError, truncateSegmentsBefore } from './writer.ts';
export type { WalWriterOptions, WalStats, WalOpenReport } from './writer.ts';
export { nodeFileOps } from './fsops.ts';
export type { WalFileOps } from './fsops.ts';
export {
  replayWal,
  repairWal,
  scanSegment,
  listSegments,
  listCheckpoints,
  WalCorruptionError,
  DEFAULT_READ_BUFFER,
} from './reader.ts';
export type {
  RecordVisitor,
  RecordPosition,
  ReplayOptions,
  ReplayReport,
  TailDamage,
  CorruptionRepair,
  SegmentScan,
} from './reader.ts';
export { createCheckpoint } from './checkpoint.ts';
export type { CheckpointOptions, CheckpointReport } from './checkpoint.ts';
