import { uncompress, uncompressSync } from 'snappy';
import { formatLabels } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { AppendStatus } from '../../store/types.ts';
import type { Appender, Sample, SeriesRef, Storage } from '../../store/types.ts';
import { RemoteWriteError, decodeWriteRequest } from './decoder.ts';
import type { DecodeStats, MetricMetadata, WriteRequestVisitor } from './decoder.ts';
import type { MetadataStore } from './metadata.ts';

/** What the HTTP layer sends back. 204 with an empty body on success. */
export interface RemoteWriteResult {
  status: number;
  body: string;
}

export interface RemoteWriteHeaders {
  contentEncoding?: string | null;
  contentType?: string | null;
  remoteWriteVersion?: string | null;
}

export interface RemoteWriteLimits {
  /** Largest compressed body accepted (413 above). */
  maxBodyBytes: number;
  /** Largest decompressed body accepted (413 above); defaults to 8 × maxBodyBytes. */
  maxDecompressedBytes?: number;
}

export interface RemoteWriteOptions {
  /** Where decoded MetricMetadata entries are kept; dropped when absent. */
  metadata?: MetadataStore;
}

/** Why the store refused a sample, as exported in the `reason` label. */
export type RejectReason = 'out_of_order' | 'out_of_bounds' | 'duplicate_timestamp' | 'invalid_labels';

/** Plain counters; the server exports them through prom-client. Only ever incremented. */
export interface RemoteWriteMetrics {
  /** Every call of handleRemoteWrite. */
  requests: number;
  /** Responses by HTTP status code ('204', '400', '413', '415', '500', '503'). */
  requestsByStatus: Record<string, number>;
  /** Requests refused as a whole with a 4xx (malformed, unsupported, too large): nothing applied. */
  badRequests: number;
  /** Requests whose good samples were committed but some were refused by the store (answered 400). */
  partialRequests: number;
  /** Requests answered 5xx (commit failed, store unavailable): nothing applied, the sender retries. */
  failedRequests: number;
  /** Compressed bytes of every request body. */
  bytesReceived: number;
  /** Samples in committed requests (malformed or failed requests are not counted). */
  samplesReceived: number;
  /** Samples the store accepted and that were committed. */
  samplesAppended: number;
  samplesRejected: Record<RejectReason, number>;
  exemplarsReceived: number;
  exemplarsAppended: number;
  /** Exemplars the store refused; these never fail a request. */
  exemplarsRejected: number;
  metadataReceived: number;
}

export function createRemoteWriteMetrics(): RemoteWriteMetrics {
  return {
    requests: 0,
    requestsByStatus: {},
    badRequests: 0,
    partialRequests: 0,
    failedRequests: 0,
    bytesReceived: 0,
    samplesReceived: 0,
    samplesAppended: 0,
    samplesRejected: { out_of_order: 0, out_of_bounds: 0, duplicate_timestamp: 0, invalid_labels: 0 },
    exemplarsReceived: 0,
    exemplarsAppended: 0,
    exemplarsRejected: 0,
    metadataReceived: 0,
  };
}

const REASONS: readonly { status: number; reason: RejectReason; message: string }[] = [
  { status: AppendStatus.OutOfOrder, reason: 'out_of_order', message: 'out of order sample' },
  { status: AppendStatus.DuplicateTimestamp, reason: 'duplicate_timestamp', message: 'duplicate sample for timestamp' },
  { status: AppendStatus.OutOfBounds, reason: 'out_of_bounds', message: 'out of bounds' },
  { status: AppendStatus.InvalidLabels, reason: 'invalid_labels', message: 'invalid labels' },
];

/** Per-reason tally of refused samples and the first one refused, for the error message. */
class Rejections {
  count = 0;
  firstLabels: Labels | null = null;
  firstTimestamp = 0;
}

/**
 * Feeds decoded series straight into one appender. Samples refused by the store are tallied per reason;
 * `Unavailable` aborts the request (the store cannot take writes now: answer 5xx so the sender retries).
 */
class AppendingVisitor implements WriteRequestVisitor {
  private labels: Labels = [];
  private ref: SeriesRef = 0;
  private readonly floatSample: Sample & { kind: 'float' } = { kind: 'float', timestamp: 0, value: 0 };
  private readonly exemplarSample: Sample & { kind: 'exemplar' } = { kind: 'exemplar', timestamp: 0, value: 0, labels: [] };
  readonly rejections = new Map<number, Rejections>();
  readonly metadataEntries: MetricMetadata[] = [];
  samplesAppended = 0;
  exemplarsAppended = 0;
  exemplarsRejected = 0;

  constructor(private readonly app: Appender) {}

  series(labels: Labels): void {
    this.labels = labels;
    this.ref = 0;
  }

  sample(value: number, timestamp: number): void {
    const s = this.floatSample;
    s.value = value;
    s.timestamp = timestamp;
    const result = this.app.append(this.ref, this.labels, s);
    if (result > 0) {
      this.ref = result;
      this.samplesAppended++;
      return;
    }
    if (result === AppendStatus.Unavailable) throw new StoreUnavailable(this.labels, timestamp);
    let tally = this.rejections.get(result);
    if (tally === undefined) {
      tally = new Rejections();
      this.rejections.set(result, tally);
    }
    if (tally.count++ === 0) {
      tally.firstLabels = this.labels;
      tally.firstTimestamp = timestamp;
    }
  }

  exemplar(labels: Labels, value: number, timestamp: number): void {
    const e = this.exemplarSample;
    e.labels = labels;
    e.value = value;
    e.timestamp = timestamp;
    const result = this.app.append(this.ref, this.labels, e);
    if (result > 0) {
      this.ref = result;
      this.exemplarsAppended++;
    } else {
      // As in Prometheus, exemplar storage problems never fail a write.
      this.exemplarsRejected++;
    }
  }

  metadata(entry: MetricMetadata): void {
    this.metadataEntries.push(entry);
  }
}

class StoreUnavailable extends Error {
  constructor(labels: Labels, timestamp: number) {
    super(`storage unavailable: sample for series ${formatLabels(labels)} at timestamp ${timestamp} refused`);
  }
}

/**
 * Handles one remote-write 1.0 request body (as received, snappy-compressed). See
 * docs/formats/remote-write.md for the full semantics. Never throws: every outcome is a status.
 */
export async function handleRemoteWrite(
  storage: Storage,
  body: Uint8Array,
  headers: RemoteWriteHeaders,
  limits: RemoteWriteLimits,
  metrics: RemoteWriteMetrics,
  options: RemoteWriteOptions = {},
): Promise<RemoteWriteResult> {
  metrics.requests++;
  metrics.bytesReceived += body.byteLength;
  const result = await handle(storage, body, headers, limits, metrics, options);
  const code = String(result.status);
  metrics.requestsByStatus[code] = (metrics.requestsByStatus[code] ?? 0) + 1;
  return result;
}

async function handle(
  storage: Storage,
  body: Uint8Array,
  headers: RemoteWriteHeaders,
  limits: RemoteWriteLimits,
  metrics: RemoteWriteMetrics,
  options: RemoteWriteOptions,
): Promise<RemoteWriteResult> {
  const headerError = checkHeaders(headers);
  if (headerError !== null) return refuse(metrics, headerError.status, headerError.message);

  if (body.byteLength > limits.maxBodyBytes) {
    return refuse(metrics, 413, `request body of ${body.byteLength} bytes exceeds the limit of ${limits.maxBodyBytes} bytes`);
  }
  const maxDecompressed = limits.maxDecompressedBytes ?? limits.maxBodyBytes * 8;
  const declared = snappyDecodedLength(body);
  if (declared < 0) return refuse(metrics, 400, 'snappy: corrupt input (bad length header); the body must be snappy block format');
  if (declared > maxDecompressed) {
    return refuse(metrics, 413, `decompressed request of ${declared} bytes exceeds the limit of ${maxDecompressed} bytes`);
  }

  let raw: Buffer;
  try {
    // Measured (bench/remote-write.ts): decompressing a typical 1 MiB request takes well under 1 ms
    // synchronously but 3-5 ms of CPU through the thread pool, so only big bodies go async. And
    // copyOutputData: an external (zero-copy) output buffer is ~5× slower overall than copying.
    const snappyOptions = { asBuffer: true, copyOutputData: true };
    raw = (declared <= SYNC_SNAPPY_MAX_BYTES ? uncompressSync(body, snappyOptions) : await uncompress(body, snappyOptions)) as Buffer;
  } catch (error) {
    const message = errorMessage(error);
    return refuse(metrics, 400, message.startsWith('snappy') ? message : `snappy: ${message}`);
  }

  const app = storage.appender();
  const visitor = new AppendingVisitor(app);
  let stats: DecodeStats;
  try {
    stats = decodeWriteRequest(raw, visitor);
  } catch (error) {
    app.rollback();
    if (error instanceof StoreUnavailable) {
      metrics.failedRequests++;
      return { status: 503, body: error.message };
    }
    if (error instanceof RemoteWriteError) return refuse(metrics, error.status, error.message);
    metrics.failedRequests++;
    return { status: 500, body: `internal error while appending: ${errorMessage(error)}` };
  }

  try {
    await app.commit();
  } catch (error) {
    metrics.failedRequests++;
    return { status: 500, body: `storage commit failed: ${errorMessage(error)}` };
  }

  metrics.samplesReceived += stats.samples;
  metrics.samplesAppended += visitor.samplesAppended;
  metrics.exemplarsReceived += stats.exemplars;
  metrics.exemplarsAppended += visitor.exemplarsAppended;
  metrics.exemplarsRejected += visitor.exemplarsRejected;
  metrics.metadataReceived += stats.metadata;
  if (options.metadata !== undefined) for (const entry of visitor.metadataEntries) options.metadata.set(entry);

  if (visitor.rejections.size === 0) return { status: 204, body: '' };

  metrics.partialRequests++;
  const parts: string[] = [];
  for (const { status, reason, message } of REASONS) {
    const tally = visitor.rejections.get(status);
    if (tally === undefined) continue;
    metrics.samplesRejected[reason] += tally.count;
    parts.push(
      `${message}: ${tally.count} sample${tally.count === 1 ? '' : 's'} rejected ` +
        `(first: series ${formatLabels(tally.firstLabels ?? [])} at timestamp ${tally.firstTimestamp})`,
    );
  }
  return { status: 400, body: parts.join('; ') };
}

function refuse(metrics: RemoteWriteMetrics, status: number, message: string): RemoteWriteResult {
  metrics.badRequests++;
  return { status, body: message };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Decompressed sizes up to this are decoded on the event loop (about 1 ms per MiB). */
const SYNC_SNAPPY_MAX_BYTES = 4 << 20;

const V1_MESSAGE = 'prometheus.WriteRequest';
const V2_MESSAGE = 'io.prometheus.write.v2.Request';

/**
 * Content-Type must be application/x-protobuf (optionally with proto=prometheus.WriteRequest) and
 * Content-Encoding snappy. Missing headers are accepted, as Prometheus 2.42 accepts them.
 */
export function checkHeaders(headers: RemoteWriteHeaders): RemoteWriteError | null {
  const encoding = (headers.contentEncoding ?? '').trim();
  if (encoding !== '' && encoding.toLowerCase() !== 'snappy') {
    return new RemoteWriteError(`unsupported Content-Encoding ${JSON.stringify(encoding)}; remote write 1.0 bodies must be snappy-compressed`, 415);
  }
  const contentType = (headers.contentType ?? '').trim();
  if (contentType === '') return null;
  const [mediaType, ...params] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/x-protobuf') {
    return new RemoteWriteError(`unsupported Content-Type ${JSON.stringify(contentType)}; expected application/x-protobuf`, 415);
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    const proto = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (proto === V1_MESSAGE) return null;
    if (proto === V2_MESSAGE) return new RemoteWriteError('remote write 2.0 not supported yet; send remote write 1.0 (prometheus.WriteRequest)', 415);
    return new RemoteWriteError(`unsupported remote write message ${JSON.stringify(proto)}; expected ${V1_MESSAGE}`, 415);
  }
  return null;
}

/** The uncompressed length from a snappy block header (a uvarint of at most 32 bits), or -1 if invalid. */
export function snappyDecodedLength(body: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5 && i < body.length; i++) {
    const b = body[i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return value > 0xffffffff ? -1 : value;
  }
  return -1;
}
