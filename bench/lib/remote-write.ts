/**
 * Remote-write 1.0 requests for the comparison benchmarks: a direct protobuf encoder (labels encoded
 * once per series and reused, so building thousands of requests is cheap) compressed with snappy, and
 * a keep-alive HTTP sender with bounded concurrency.
 *
 * WriteRequest { repeated TimeSeries timeseries = 1 }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2 }
 * Label        { string name = 1; string value = 2 }
 * Sample       { double value = 1; int64 timestamp = 2 }
 */
import { Agent, request } from 'node:http';
import { compressSync } from 'snappy';

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** The encoded `labels` fields (field 1 of TimeSeries, repeated) of one series, labels sorted by name. */
export function encodeLabels(labels: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of labels) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const inner = 1 + varintSize(n.length) + n.length + 1 + varintSize(v.length) + v.length;
    const buf = Buffer.allocUnsafe(1 + varintSize(inner) + inner);
    let pos = 0;
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, inner);
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, n.length);
    pos += n.copy(buf, pos);
    buf[pos++] = 0x12;
    pos = writeVarint(buf, pos, v.length);
    pos += v.copy(buf, pos);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

export interface EncodedSeries {
  labels: Buffer;
  timestamps: readonly number[];
  values: readonly number[];
}

/** Encodes an uncompressed WriteRequest. */
export function encodeWriteRequest(series: readonly EncodedSeries[]): Buffer {
  let total = 0;
  const sizes: number[] = new Array(series.length);
  for (let s = 0; s < series.length; s++) {
    const ts = series[s];
    let inner = ts.labels.length;
    for (let k = 0; k < ts.timestamps.length; k++) {
      const sample = 1 + 8 + 1 + varintSize(ts.timestamps[k]);
      inner += 1 + varintSize(sample) + sample;
    }
    sizes[s] = inner;
    total += 1 + varintSize(inner) + inner;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let s = 0; s < series.length; s++) {
    const ts = series[s];
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, sizes[s]);
    pos += ts.labels.copy(buf, pos);
    for (let k = 0; k < ts.timestamps.length; k++) {
      const sample = 1 + 8 + 1 + varintSize(ts.timestamps[k]);
      buf[pos++] = 0x12;
      pos = writeVarint(buf, pos, sample);
      buf[pos++] = 0x09;
      buf.writeDoubleLE(ts.values[k], pos);
      pos += 8;
      buf[pos++] = 0x10;
      pos = writeVarint(buf, pos, ts.timestamps[k]);
    }
  }
  if (pos !== total) throw new Error(`encoder size mismatch: ${pos} != ${total}`);
  return buf;
}

export function snappyRequest(series: readonly EncodedSeries[]): Buffer {
  return compressSync(encodeWriteRequest(series));
}

export interface SendStats {
  requests: number;
  failed: number;
  /** First few error bodies, for the report. */
  errors: string[];
  bytes: number;
}

/**
 * Sends `count` requests made by `make(k)` (k = 0 … count-1, in order) to `url` with at most
 * `concurrency` in flight; stops early when `deadline` (ms since epoch) passes. Requests answered with
 * a non-2xx status are counted as failed (remote write 1.0 drops them too). Request k is not sent
 * before request k - `gap` has been answered (pass the requests per round, so a series' samples
 * arrive in time order).
 */
export async function sendAll(url: string, count: number, make: (k: number) => Buffer, concurrency: number, deadline: number, gap = 0): Promise<SendStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const stats: SendStats = { requests: 0, failed: 0, errors: [], bytes: 0 };
  let next = 0;
  const done: Promise<void>[] = [];
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const k = next++;
      let finished!: () => void;
      done[k] = new Promise<void>((r) => (finished = r));
      if (gap > 0 && k >= gap) await done[k - gap];
      const body = make(k);
      stats.bytes += body.length;
      const { status, text } = await post(agent, target, body);
      finished();
      if (gap > 0 && k >= gap) delete done[k - gap];
      stats.requests++;
      if (status < 200 || status >= 300) {
        stats.failed++;
        if (stats.errors.length < 5) stats.errors.push(`request ${k}: HTTP ${status} ${text.slice(0, 300)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return stats;
}

function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        timeout: 120_000,
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'Content-Length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ status: 0, text: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
    req.end(body);
  });
}
