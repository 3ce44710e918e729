/**
 * On-disk constants of the write-ahead log. The byte layout is documented in docs/formats/wal.md; any
 * change here is a format change. Record-type codes are only ever added, never renumbered or reused.
 */

/** Record types. 0 is reserved as "invalid" so zero-filled file tails are never mistaken for records. */
export const RecordType = {
  /** Series definitions: (ref, labels). */
  Series: 1,
  /** Float samples: (ref, timestamp, value). */
  Samples: 2,
  /** Deletion intervals: (ref, mint, maxt). */
  Tombstones: 3,
  /** Exemplars: (ref, timestamp, value, labels). */
  Exemplars: 4,
  /** Metric metadata: (ref, type, unit, help). */
  Metadata: 5,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export function recordTypeName(type: number): string {
  switch (type) {
    case RecordType.Series:
      return 'series';
    case RecordType.Samples:
      return 'samples';
    case RecordType.Tombstones:
      return 'tombstones';
    case RecordType.Exemplars:
      return 'exemplars';
    case RecordType.Metadata:
      return 'metadata';
    default:
      return `unknown(${type})`;
  }
}

/** Metric type codes used in Metadata records (stable; only ever added). */
export const MetricTypeCode = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
} as const;

/** Record header: type u8, payload length u32 LE, CRC-32 (IEEE, zlib) of the payload u32 LE. */
export const HEADER_SIZE = 9;
/** Largest payload a record may carry (the length field is 32 bits; we stay well below it). */
export const MAX_PAYLOAD = 0x7fff_ffff;

export const DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;
/** Segments smaller than this are refused (a record header must always fit). */
export const MIN_SEGMENT_SIZE = 64;

const SEGMENT_RE = /^\d{8,}$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8,})$/;

/** Segment file name: the index as at least 8 decimal digits (`00000000`, `00000001`, …). */
export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

export function parseSegmentName(name: string): number | null {
  return SEGMENT_RE.test(name) ? Number(name) : null;
}

/** Checkpoint directory name: `checkpoint.NNNNNNNN`, N the last segment it covers. */
export function checkpointName(throughSegment: number): string {
  return `checkpoint.${segmentName(throughSegment)}`;
}

export function parseCheckpointName(name: string): number | null {
  const m = CHECKPOINT_RE.exec(name);
  return m ? Number(m[1]) : null;
}
