import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs/minimal.js';
import { METRIC_NAME, formatLabels, isValidMetricName } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';

/**
 * A streaming decoder for the remote-write 1.0 `prometheus.WriteRequest` protobuf message, written by
 * hand on top of protobufjs's wire-level `Reader`. It never builds a JS object per sample: labels are
 * decoded into reused scratch arrays, canonicalised into one `Labels` array per series, and every sample
 * is handed to the visitor as two numbers.
 *
 * Schema (prompb/remote.proto and prompb/types.proto; field numbers are what matter on the wire):
 *
 *   WriteRequest   { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2;
 *                    repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }
 *   Exemplar       { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *
 * Unknown fields are skipped as protobuf requires; a known field with the wrong wire type, a truncated
 * message, invalid UTF-8 or an invalid label set throws a `RemoteWriteError` (HTTP 400).
 */

const Reader = protobuf.Reader;
type Reader = protobuf.Reader;

/** An error with the HTTP status the receiver answers with. */
export class RemoteWriteError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'RemoteWriteError';
    this.status = status;
  }
}

export type MetricType = 'unknown' | 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset';

const METRIC_TYPES: readonly MetricType[] = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

/** One `MetricMetadata` entry of a request (Prometheus sends these when `metadata_config.send` is on). */
export interface MetricMetadata {
  metricFamilyName: string;
  type: MetricType;
  help: string;
  unit: string;
}

/**
 * Receives a request's contents in wire order. For each TimeSeries, `series` is called once with its
 * canonical labels, then `sample` for each sample and `exemplar` for each exemplar.
 */
export interface WriteRequestVisitor {
  series(labels: Labels): void;
  sample(value: number, timestamp: number): void;
  exemplar(labels: Labels, value: number, timestamp: number): void;
  metadata(entry: MetricMetadata): void;
}

export interface DecodeStats {
  series: number;
  samples: number;
  exemplars: number;
  metadata: number;
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;

const WIRE_NAMES = ['varint', 'i64', 'len', 'sgroup', 'egroup', 'i32', '6', '7'];

/** True while the visitor runs, so that its errors are told apart from malformed input. */
let visiting = false;

/** Per-decode scratch space, reused across series so that only the final Labels array is allocated. */
class Scratch {
  names: string[] = [];
  values: string[] = [];
  count = 0;
  order: number[] = [];
}

/**
 * Decodes an uncompressed WriteRequest, calling `visitor` as it goes. Throws `RemoteWriteError` on the
 * first malformed or invalid element; by then the visitor may have seen earlier series, so callers that
 * must not apply a partial request buffer (an uncommitted appender) and discard on error.
 */
export function decodeWriteRequest(data: Uint8Array, visitor: WriteRequestVisitor): DecodeStats {
  // Buffer methods decode strings natively; wrapping a Uint8Array copies nothing.
  const r = new Reader(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  const stats: DecodeStats = { series: 0, samples: 0, exemplars: 0, metadata: 0 };
  const scratch = new Scratch();
  const end = r.len;
  try {
    while (r.pos < end) {
      const tag = readTag(r, 'WriteRequest');
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 1) {
        expectWire(wire, WIRE_LEN, 'WriteRequest', 'timeseries');
        const seriesEnd = enterMessage(r, 'timeseries');
        decodeTimeSeries(r, seriesEnd, stats.series, scratch, visitor, stats);
        leaveMessage(r, seriesEnd, end);
        stats.series++;
      } else if (field === 3) {
        expectWire(wire, WIRE_LEN, 'WriteRequest', 'metadata');
        const metaEnd = enterMessage(r, 'metadata');
        const entry = decodeMetadata(r, metaEnd);
        visiting = true;
        visitor.metadata(entry);
        visiting = false;
        leaveMessage(r, metaEnd, end);
        stats.metadata++;
      } else {
        skipField(r, tag, 'WriteRequest');
      }
    }
  } catch (error) {
    // Errors thrown by the visitor (the store) are not the request's fault: pass them through.
    if (error instanceof RemoteWriteError || visiting) {
      visiting = false;
      throw error;
    }
    // protobufjs's Reader throws RangeError/Error on truncated input and bad varints.
    const where = stats.series > 0 || r.pos > 0 ? ` (timeseries[${stats.series}], byte offset ${r.pos})` : '';
    throw new RemoteWriteError(`malformed protobuf: ${describeReaderError(error)}${where}`);
  }
  return stats;
}

function describeReaderError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('index out of range')) return 'unexpected end of message';
  return message;
}

function decodeTimeSeries(r: Reader, end: number, index: number, scratch: Scratch, visitor: WriteRequestVisitor, stats: DecodeStats): void {
  const start = r.pos;
  scratch.count = 0;
  let samples = 0;
  let exemplars = 0;
  // Pass 1: labels (and the presence of samples, exemplars, histograms). Fields may come in any order,
  // so samples are only read in pass 2, once the series is known.
  while (r.pos < end) {
    const tag = readTag(r, 'TimeSeries');
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: {
        expectWire(wire, WIRE_LEN, 'TimeSeries', 'labels');
        const labelEnd = enterMessage(r, 'label');
        decodeLabel(r, labelEnd, scratch, index, 'series');
        leaveMessage(r, labelEnd, end);
        break;
      }
      case 2:
        expectWire(wire, WIRE_LEN, 'TimeSeries', 'samples');
        r.skip(r.size());
        samples++;
        break;
      case 3:
        expectWire(wire, WIRE_LEN, 'TimeSeries', 'exemplars');
        r.skip(r.size());
        exemplars++;
        break;
      case 4:
        throw new RemoteWriteError(`native histograms are not supported yet (timeseries[${index}] carries a histogram sample)`);
      default:
        skipField(r, tag, 'TimeSeries');
    }
  }
  if (r.pos !== end) throw new RemoteWriteError(`malformed protobuf: timeseries[${index}] overruns its length`);
  const labels = canonicalLabels(scratch, index, 'series');
  if (labels.length === 0) throw new RemoteWriteError(`timeseries[${index}]: empty label set`);
  const name = labels[0] === METRIC_NAME ? labels[1] : findName(labels);
  if (name === '') throw new RemoteWriteError(`timeseries[${index}] ${formatLabels(labels)}: missing metric name (__name__ label)`);
  if (!isValidMetricName(name)) throw new RemoteWriteError(`timeseries[${index}]: invalid metric name ${JSON.stringify(name)}`);
  visiting = true;
  visitor.series(labels);
  visiting = false;
  if (samples === 0 && exemplars === 0) return;

  // Pass 2: samples and exemplars, straight to the visitor.
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 2) {
      const sampleEnd = enterMessage(r, 'sample');
      decodeSample(r, sampleEnd, visitor);
      r.len = end;
      stats.samples++;
    } else if (field === 3) {
      const exemplarEnd = enterMessage(r, 'exemplar');
      decodeExemplar(r, exemplarEnd, scratch, index, visitor);
      r.len = end;
      stats.exemplars++;
    } else {
      // Already validated in pass 1.
      r.skipType(tag & 7);
    }
  }
}

function findName(labels: Labels): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === METRIC_NAME) return labels[i + 1];
  return '';
}

function decodeLabel(r: Reader, end: number, scratch: Scratch, index: number, what: string): void {
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = readTag(r, 'Label');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(wire, WIRE_LEN, 'Label', 'name');
      name = readLabelName(r, index, what);
    } else if (field === 2) {
      expectWire(wire, WIRE_LEN, 'Label', 'value');
      value = readString(r, index, what, 'label value');
    } else {
      skipField(r, tag, 'Label');
    }
  }
  if (name === '') throw new RemoteWriteError(`timeseries[${index}]: ${what} label with an empty name${value === '' ? '' : ` (value ${JSON.stringify(value)})`}`);
  const i = scratch.count++;
  scratch.names[i] = name;
  scratch.values[i] = value;
}

function decodeSample(r: Reader, end: number, visitor: WriteRequestVisitor): void {
  let value = 0;
  let timestamp = 0;
  while (r.pos < end) {
    const tag = readTag(r, 'Sample');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(wire, WIRE_I64, 'Sample', 'value');
      value = r.double();
    } else if (field === 2) {
      expectWire(wire, WIRE_VARINT, 'Sample', 'timestamp');
      timestamp = readInt64(r);
    } else {
      skipField(r, tag, 'Sample');
    }
  }
  visiting = true;
  visitor.sample(value, timestamp);
  visiting = false;
}

function decodeExemplar(r: Reader, end: number, scratch: Scratch, index: number, visitor: WriteRequestVisitor): void {
  let value = 0;
  let timestamp = 0;
  scratch.count = 0;
  while (r.pos < end) {
    const tag = readTag(r, 'Exemplar');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(wire, WIRE_LEN, 'Exemplar', 'labels');
      const labelEnd = enterMessage(r, 'exemplar label');
      decodeLabel(r, labelEnd, scratch, index, 'exemplar');
      leaveMessage(r, labelEnd, end);
    } else if (field === 2) {
      expectWire(wire, WIRE_I64, 'Exemplar', 'value');
      value = r.double();
    } else if (field === 3) {
      expectWire(wire, WIRE_VARINT, 'Exemplar', 'timestamp');
      timestamp = readInt64(r);
    } else {
      skipField(r, tag, 'Exemplar');
    }
  }
  const labels = canonicalLabels(scratch, index, 'exemplar');
  visiting = true;
  visitor.exemplar(labels, value, timestamp);
  visiting = false;
}

function decodeMetadata(r: Reader, end: number): MetricMetadata {
  const entry: MetricMetadata = { metricFamilyName: '', type: 'unknown', help: '', unit: '' };
  while (r.pos < end) {
    const tag = readTag(r, 'MetricMetadata');
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1: {
        expectWire(wire, WIRE_VARINT, 'MetricMetadata', 'type');
        const type = r.uint32();
        // Unknown enum values are kept by proto3; Vigil maps them to "unknown".
        entry.type = METRIC_TYPES[type] ?? 'unknown';
        break;
      }
      case 2:
        expectWire(wire, WIRE_LEN, 'MetricMetadata', 'metric_family_name');
        entry.metricFamilyName = readString(r, -1, 'metadata', 'metric_family_name');
        break;
      case 4:
        expectWire(wire, WIRE_LEN, 'MetricMetadata', 'help');
        entry.help = readString(r, -1, 'metadata', 'help');
        break;
      case 5:
        expectWire(wire, WIRE_LEN, 'MetricMetadata', 'unit');
        entry.unit = readString(r, -1, 'metadata', 'unit');
        break;
      default:
        skipField(r, tag, 'MetricMetadata');
    }
  }
  return entry;
}

/**
 * Turns the scratch pairs into canonical Labels: sorted by name (senders must sort, Prometheus sorts
 * anyway, so do we, but only when needed), duplicate names rejected, empty values dropped (an empty
 * value means "absent" in the Prometheus data model).
 */
function canonicalLabels(scratch: Scratch, index: number, what: string): Labels {
  const n = scratch.count;
  const names = scratch.names;
  const values = scratch.values;
  let sorted = true;
  let nonEmpty = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] !== '') nonEmpty++;
    if (i > 0) {
      const prev = names[i - 1];
      const cur = names[i];
      if (prev === cur) throw duplicateName(cur, index, what);
      if (prev > cur) sorted = false;
    }
  }
  const out: string[] = [];
  if (sorted) {
    for (let i = 0; i < n; i++) if (values[i] !== '') out.push(names[i], values[i]);
    return out;
  }
  const order = scratch.order;
  order.length = n;
  for (let i = 0; i < n; i++) order[i] = i;
  // Label names are ASCII (validated), so `<` is byte order.
  order.sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (j > 0 && names[order[j - 1]] === names[i]) throw duplicateName(names[i], index, what);
    if (values[i] !== '') out.push(names[i], values[i]);
  }
  return out;
}

function duplicateName(name: string, index: number, what: string): RemoteWriteError {
  return new RemoteWriteError(`timeseries[${index}]: duplicate ${what} label name ${JSON.stringify(name)}`);
}

// ---------------------------------------------------------------------------------------------------
// Wire primitives on top of protobufjs's Reader.

function readTag(r: Reader, message: string): number {
  const tag = r.tag();
  const field = tag >>> 3;
  if (field === 0) throw new RemoteWriteError(`malformed protobuf: field number 0 in ${message} at byte offset ${r.pos}`);
  return tag;
}

function expectWire(wire: number, expected: number, message: string, field: string): void {
  if (wire !== expected) {
    throw new RemoteWriteError(`malformed protobuf: wrong wire type ${WIRE_NAMES[wire]} for ${message}.${field} (expected ${WIRE_NAMES[expected]})`);
  }
}

function skipField(r: Reader, tag: number, message: string): void {
  const wire = tag & 7;
  if (wire === 4 || wire > 5) throw new RemoteWriteError(`malformed protobuf: invalid wire type ${WIRE_NAMES[wire]} in ${message} at byte offset ${r.pos}`);
  r.skipType(wire, 0, tag >>> 3);
}

/** Reads a length prefix and bounds the reader to the embedded message; returns its end. */
function enterMessage(r: Reader, what: string): number {
  const length = r.size();
  const end = r.pos + length;
  if (end > r.len) throw new RemoteWriteError(`malformed protobuf: ${what} of ${length} bytes at byte offset ${r.pos} runs past the end of its parent`);
  r.len = end;
  return end;
}

/** Restores the parent's bound after an embedded message. */
function leaveMessage(r: Reader, end: number, parentEnd: number): void {
  if (r.pos !== end) throw new RemoteWriteError(`malformed protobuf: embedded message overrun at byte offset ${r.pos}`);
  r.len = parentEnd;
}

const TWO_32 = 4294967296;

/** Reads an int64 varint into a number without allocating. Values beyond ±2^53 are refused. */
function readInt64(r: Reader): number {
  const buf = r.buf;
  const len = r.len;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  let b = 0;
  let i = 0;
  for (; i < 4; i++) {
    if (pos >= len) throw new RemoteWriteError(`malformed protobuf: truncated varint at byte offset ${pos}`);
    b = buf[pos++];
    lo |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      r.pos = pos;
      return lo >>> 0;
    }
  }
  if (pos >= len) throw new RemoteWriteError(`malformed protobuf: truncated varint at byte offset ${pos}`);
  b = buf[pos++];
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (i = 0; i < 5; i++) {
      if (pos >= len) throw new RemoteWriteError(`malformed protobuf: truncated varint at byte offset ${pos}`);
      b = buf[pos++];
      if (i === 4 && b > 1) throw new RemoteWriteError(`malformed protobuf: varint overflows 64 bits at byte offset ${pos - 1}`);
      hi |= (b & 0x7f) << (7 * i + 3);
      if (b < 0x80) break;
    }
    if (b >= 0x80) throw new RemoteWriteError(`malformed protobuf: varint longer than 10 bytes at byte offset ${pos}`);
  }
  r.pos = pos;
  const value = (hi | 0) * TWO_32 + (lo >>> 0);
  if (!Number.isSafeInteger(value)) throw new RemoteWriteError(`timestamp out of range: the int64 at byte offset ${r.pos} exceeds ±2^53 ms`);
  return value;
}

// Label names recur in every series and most values recur across requests (the same series arrives
// every scrape interval), so ASCII strings go through a small direct-mapped cache keyed by a hash of
// their bytes: a hit returns the already-built string, allocating nothing.
const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
const CACHE_MAX_LENGTH = 64;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const cache: string[] = Array.from({ length: CACHE_SIZE }, () => '');

const nameChar = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  nameChar[c] = /[a-zA-Z_]/.test(ch) ? 1 : /[0-9]/.test(ch) ? 2 : 0;
}

function readLabelName(r: Reader, index: number, what: string): string {
  const length = r.size();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw new RemoteWriteError(`malformed protobuf: label name of ${length} bytes at byte offset ${start} runs past the end of its message`);
  r.pos = end;
  if (length === 0) return '';
  const buf = r.buf;
  // One pass validates [a-zA-Z_][a-zA-Z0-9_]* and hashes for the string cache.
  let c = buf[start];
  let valid = c < 128 && nameChar[c] === 1;
  let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
  for (let i = start + 1; valid && i < end; i++) {
    c = buf[i];
    valid = c < 128 && nameChar[c] !== 0;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  if (!valid) {
    const text = decodeText(buf, start, end, index, what, 'label name');
    throw new RemoteWriteError(`timeseries[${index}]: invalid ${what} label name ${JSON.stringify(text)}`);
  }
  return cachedAscii(buf, start, length, h);
}

function readString(r: Reader, index: number, what: string, field: string): string {
  const length = r.size();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw new RemoteWriteError(`malformed protobuf: ${field} of ${length} bytes at byte offset ${start} runs past the end of its message`);
  r.pos = end;
  if (length === 0) return '';
  const buf = r.buf;
  if (length > CACHE_MAX_LENGTH) {
    for (let i = start; i < end; i++) if (buf[i] >= 128) return decodeText(buf, start, end, index, what, field);
    return latin1(buf, start, end);
  }
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 128) return decodeText(buf, start, end, index, what, field);
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return cachedAscii(buf, start, length, h);
}

/** Returns the ASCII string of buf[start, start+length) from the cache, or builds and caches it. */
function cachedAscii(buf: Uint8Array, start: number, length: number, h: number): string {
  const slot = (h ^ (h >>> CACHE_BITS)) & (CACHE_SIZE - 1);
  const cached = cache[slot];
  if (cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  const text = latin1(buf, start, start + length);
  if (length <= CACHE_MAX_LENGTH) cache[slot] = text;
  return text;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return (buf as Buffer).toString('latin1', start, end);
}

function decodeText(buf: Uint8Array, start: number, end: number, index: number, what: string, field: string): string {
  const bytes = buf.subarray(start, end);
  if (!isUtf8(bytes)) {
    const where = index >= 0 ? `timeseries[${index}]: ` : '';
    throw new RemoteWriteError(`${where}invalid UTF-8 in ${what} ${field}`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
