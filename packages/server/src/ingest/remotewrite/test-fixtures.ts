/**
 * Test-only helpers: builds real remote-write payloads with protobufjs's reflection encoder (an
 * independent implementation from the hand-written decoder) and snappy. Not imported by server code.
 */
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';

const PROTO = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}

message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}

message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  int32 reset_hint = 14;
  int64 timestamp = 15;
}
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Exemplar exemplars = 3;
  repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
export const WriteRequestType = root.lookupType('prometheus.WriteRequest');

export interface SeriesSpec {
  labels: Record<string, string> | [string, string][];
  samples?: { value: number; timestamp: number }[];
  exemplars?: { labels: Record<string, string>; value: number; timestamp: number }[];
  histograms?: { count_int?: number; sum?: number; schema?: number; timestamp: number }[];
}

export interface RequestSpec {
  timeseries: SeriesSpec[];
  metadata?: { type: number; metric_family_name: string; help?: string; unit?: string }[];
}

function pairs(labels: Record<string, string> | [string, string][]): { name: string; value: string }[] {
  const list = Array.isArray(labels) ? labels : Object.entries(labels);
  return list.map(([name, value]) => ({ name, value }));
}

/** Encodes a WriteRequest (labels in the order given, so tests control sorting). */
export function encodeRequest(spec: RequestSpec): Uint8Array {
  const message = WriteRequestType.fromObject({
    timeseries: spec.timeseries.map((ts) => ({
      labels: pairs(ts.labels),
      samples: ts.samples ?? [],
      exemplars: (ts.exemplars ?? []).map((e) => ({ labels: pairs(e.labels), value: e.value, timestamp: e.timestamp })),
      histograms: ts.histograms ?? [],
    })),
    metadata: spec.metadata ?? [],
  });
  return WriteRequestType.encode(message).finish();
}

export function snappy(data: Uint8Array): Buffer {
  return compressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** A raw protobuf writer for hand-made malformed payloads. */
export function writer(): protobuf.Writer {
  return protobuf.Writer.create();
}

/** Encodes `fields` as a length-delimited embedded message under `field` of the parent writer. */
export function embed(w: protobuf.Writer, field: number, build: (inner: protobuf.Writer) => void): protobuf.Writer {
  const inner = protobuf.Writer.create();
  build(inner);
  return w.uint32((field << 3) | 2).bytes(inner.finish());
}

export function label(w: protobuf.Writer, name: string | Uint8Array, value: string | Uint8Array): protobuf.Writer {
  return embed(w, 1, (l) => {
    if (typeof name === 'string') l.uint32(10).string(name);
    else l.uint32(10).bytes(name);
    if (typeof value === 'string') l.uint32(18).string(value);
    else l.uint32(18).bytes(value);
  });
}
