/** Shared fixtures of the scrape tests: a target serving exposition bodies, a manual clock, store dumps. */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { LabelMatcher, STALE_NAN_BITS, formatLabels } from '../../model/index.ts';
import type { Clock } from '../../model/index.ts';
import { MemoryStorage } from '../../store/memory/memory-storage.ts';
import type { Appender, Querier, Sample, SeriesRef, Storage, StorageStats } from '../../store/types.ts';
import type { Labels } from '../../model/index.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A scrape target on 127.0.0.1:<random>. Set `body` (or `handler`) before each scrape. */
export class FakeTarget {
  body = '';
  status = 200;
  contentType: string | null = TEXT_CONTENT_TYPE;
  gzip = false;
  /** Takes over the response entirely when set. */
  handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  readonly requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  private server!: Server;
  address = '';

  static async start(): Promise<FakeTarget> {
    const target = new FakeTarget();
    target.server = createServer((req, res) => target.serve(req, res));
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    target.address = `127.0.0.1:${(target.server.address() as AddressInfo).port}`;
    return target;
  }

  get url(): string {
    return `http://${this.address}/metrics`;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    if (this.handler !== null) {
      this.handler(req, res);
      return;
    }
    const headers: Record<string, string> = {};
    if (this.contentType !== null) headers['content-type'] = this.contentType;
    let payload: Buffer = Buffer.from(this.body, 'utf8');
    if (this.gzip) {
      payload = gzipSync(payload);
      headers['content-encoding'] = 'gzip';
    }
    res.writeHead(this.status, headers);
    res.end(payload);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

/** Every series in the store: `formatLabels` → [timestamp, value][]. */
export function dump(storage: Storage): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const q = storage.querier(-Infinity, Infinity);
  for (const series of q.select([new LabelMatcher('=~', '__name__', '.+')])) {
    const points: [number, number][] = [];
    const cursor = series.iterator();
    while (cursor.next()) points.push([cursor.timestamp, cursor.value]);
    out.set(formatLabels(series.labels), points);
  }
  q.close();
  return out;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

export function bitsOf(value: number): bigint {
  f64[0] = value;
  return u64[0];
}

/** True when `value` is exactly Prometheus's stale marker (compared bit for bit). */
export function isExactStale(value: number): boolean {
  return bitsOf(value) === STALE_NAN_BITS;
}

/**
 * MemoryStorage plus a log of the exact bits of every committed float sample, taken when the scrape
 * loop appends it. MemoryStorage keeps values in plain arrays, where V8 may quiet a signalling NaN
 * (0x7ff0…02 → 0x7ff8…02); the log shows what the loop actually wrote.
 */
export class RecordingStorage implements Storage {
  readonly inner = new MemoryStorage();
  /** formatLabels → timestamp → value bits, committed samples only. */
  readonly bits = new Map<string, Map<number, bigint>>();

  appender(): Appender {
    const inner = this.inner.appender();
    const pending: [string, number, bigint][] = [];
    const refLabels = new Map<number, Labels>();
    return {
      append: (ref: SeriesRef, labels: Labels | null, sample: Sample) => {
        const result = inner.append(ref, labels, sample);
        if (result > 0 && sample.kind === 'float') {
          const key = labels !== null ? labels : (refLabels.get(ref) ?? []);
          refLabels.set(result, key);
          pending.push([formatLabels(key), sample.timestamp, bitsOf(sample.value)]);
        }
        return result;
      },
      commit: async () => {
        await inner.commit();
        for (const [key, t, b] of pending) {
          let byTime = this.bits.get(key);
          if (byTime === undefined) this.bits.set(key, (byTime = new Map()));
          byTime.set(t, b);
        }
        pending.length = 0;
      },
      rollback: () => {
        inner.rollback();
        pending.length = 0;
      },
    };
  }

  /** True when the sample of `series` at `timestamp` was written as exactly Prometheus's stale NaN. */
  staleAt(series: string, timestamp: number): boolean {
    return this.bits.get(series)?.get(timestamp) === STALE_NAN_BITS;
  }

  querier(mint: number, maxt: number): Querier {
    return this.inner.querier(mint, maxt);
  }

  stats(limit: number): StorageStats {
    return this.inner.stats(limit);
  }

  set failCommits(error: Error | null) {
    this.inner.failCommits = error;
  }

  async close(): Promise<void> {}
}
