import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelMatcher } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { MemoryStorage } from '../../store/memory/memory-storage.ts';
import { AppendStatus } from '../../store/types.ts';
import type { Appender, Storage } from '../../store/types.ts';
import { createRemoteWriteMetrics, handleRemoteWrite } from './handler.ts';
import type { RemoteWriteHeaders, RemoteWriteMetrics } from './handler.ts';
import { MetadataStore } from './metadata.ts';
import { embed, encodeRequest, label, snappy, writer } from './test-fixtures.ts';
import type { RequestSpec } from './test-fixtures.ts';

const HEADERS: RemoteWriteHeaders = {
  contentEncoding: 'snappy',
  contentType: 'application/x-protobuf',
  remoteWriteVersion: '0.1.0',
};
const LIMITS = { maxBodyBytes: 1 << 20 };

/** Everything in the store: labels → [timestamp, value][] (via the querier, as readers see it). */
function dump(storage: Storage): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const q = storage.querier(-Infinity, Infinity);
  for (const series of q.select([new LabelMatcher('=~', '__name__', '.+')])) {
    const points: [number, number][] = [];
    const cursor = series.iterator();
    while (cursor.next()) points.push([cursor.timestamp, cursor.value]);
    out.set(series.labels.join(','), points);
  }
  q.close();
  return out;
}

async function post(storage: Storage, spec: RequestSpec | Uint8Array, metrics = createRemoteWriteMetrics(), headers = HEADERS) {
  const body = spec instanceof Uint8Array ? spec : snappy(encodeRequest(spec));
  return handleRemoteWrite(storage, body, headers, LIMITS, metrics);
}

const up = (job: string, samples: [number, number][]) => ({
  labels: { __name__: 'up', job },
  samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
});

describe('handleRemoteWrite', () => {
  it('stores every series and answers 204 with an empty body', async () => {
    const storage = new MemoryStorage();
    const metrics = createRemoteWriteMetrics();
    const metadata = new MetadataStore();
    const body = snappy(
      encodeRequest({
        timeseries: [
          up('a', [
            [1000, 1],
            [2000, 0],
          ]),
          { labels: [['job', 'b'], ['__name__', 'up'], ['instance', 'x:1']], samples: [{ timestamp: 1000, value: 1 }] },
          { labels: { __name__: 'rpc_seconds', job: 'a' }, samples: [{ timestamp: 1500, value: 0.2 }], exemplars: [{ labels: { trace_id: 't1' }, value: 0.2, timestamp: 1500 }] },
        ],
        metadata: [{ type: 2, metric_family_name: 'up', help: 'Target is up.', unit: '' }],
      }),
    );
    const result = await handleRemoteWrite(storage, body, HEADERS, LIMITS, metrics, { metadata });
    assert.deepEqual(result, { status: 204, body: '' });
    assert.deepEqual(
      dump(storage),
      new Map([
        ['__name__,rpc_seconds,job,a', [[1500, 0.2]]],
        [
          '__name__,up,job,a',
          [
            [1000, 1],
            [2000, 0],
          ],
        ],
        ['__name__,up,instance,x:1,job,b', [[1000, 1]]],
      ]),
    );
    assert.equal(metrics.requests, 1);
    assert.deepEqual(metrics.requestsByStatus, { '204': 1 });
    assert.equal(metrics.samplesReceived, 4);
    assert.equal(metrics.samplesAppended, 4);
    assert.equal(metrics.exemplarsReceived, 1);
    assert.equal(metrics.metadataReceived, 1);
    assert.equal(metrics.bytesReceived, body.byteLength);
    assert.deepEqual(metadata.get('up'), { metricFamilyName: 'up', type: 'gauge', help: 'Target is up.', unit: '' });
  });

  it('accepts missing Content-Type, Content-Encoding and version headers, and an explicit v1 proto parameter', async () => {
    const storage = new MemoryStorage();
    assert.equal((await post(storage, { timeseries: [up('a', [[1, 1]])] }, undefined, {})).status, 204);
    const v1 = { contentEncoding: 'SNAPPY', contentType: 'application/x-protobuf; proto=prometheus.WriteRequest' };
    assert.equal((await post(storage, { timeseries: [up('a', [[2, 1]])] }, undefined, v1)).status, 204);
    assert.equal(dump(storage).get('__name__,up,job,a')?.length, 2);
  });

  describe('refuses unsupported media with 415', () => {
    const cases: [string, RemoteWriteHeaders, RegExp][] = [
      ['remote write 2.0', { contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request', remoteWriteVersion: '2.0.0' }, /^remote write 2.0 not supported yet/],
      ['another message', { contentType: 'application/x-protobuf;proto=foo.Bar' }, /unsupported remote write message "foo.Bar"/],
      ['JSON', { contentType: 'application/json' }, /unsupported Content-Type "application\/json"/],
      ['gzip', { contentEncoding: 'gzip', contentType: 'application/x-protobuf' }, /unsupported Content-Encoding "gzip"/],
    ];
    for (const [name, headers, pattern] of cases) {
      it(name, async () => {
        const storage = new MemoryStorage();
        const metrics = createRemoteWriteMetrics();
        const result = await post(storage, { timeseries: [up('a', [[1, 1]])] }, metrics, headers);
        assert.equal(result.status, 415);
        assert.match(result.body, pattern);
        assert.equal(dump(storage).size, 0);
        assert.equal(metrics.badRequests, 1);
      });
    }
  });

  it('answers 413 above the body limit and above the decompressed limit', async () => {
    const storage = new MemoryStorage();
    const spec = { timeseries: [up('a', [[1, 1]])] };
    const body = snappy(encodeRequest(spec));
    const tooBig = await handleRemoteWrite(storage, body, HEADERS, { maxBodyBytes: body.byteLength - 1 }, createRemoteWriteMetrics());
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body, /exceeds the limit/);
    // A tiny body that would decompress to 1 MiB of zeros.
    const bomb = snappy(new Uint8Array(1 << 20));
    const inflated = await handleRemoteWrite(storage, bomb, HEADERS, { maxBodyBytes: 1 << 20, maxDecompressedBytes: 1 << 19 }, createRemoteWriteMetrics());
    assert.equal(inflated.status, 413);
    assert.match(inflated.body, /decompressed request of 1048576 bytes exceeds the limit of 524288 bytes/);
    assert.equal(dump(storage).size, 0);
  });

  describe('answers 400 to malformed bodies and stores nothing', () => {
    const good = up('good', [[1000, 1]]);
    const malformed: [string, () => Uint8Array, RegExp][] = [
      ['bad snappy', () => Uint8Array.of(0x20, 0x01, 0x02, 0x03), /^snappy/],
      ['snappy frame format', () => Uint8Array.of(0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59), /^snappy/],
      ['uncompressed protobuf', () => encodeRequest({ timeseries: [good] }), /^snappy/],
      ['truncated protobuf', () => snappy(encodeRequest({ timeseries: [good, good, good] }).subarray(0, 40)), /^malformed protobuf/],
      [
        'wrong wire type',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'up');
            embed(ts, 2, (s) => s.uint32((2 << 3) | 2).string('now'));
          });
          return snappy(Buffer.concat([encodeRequest({ timeseries: [good] }), w.finish()]));
        },
        /wrong wire type len for Sample.timestamp/,
      ],
      [
        'invalid UTF-8',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'up');
            label(ts, 'job', Uint8Array.of(0xed, 0xa0, 0x80));
            embed(ts, 2, (s) => s.uint32(9).double(1).uint32(16).int64(1000));
          });
          return snappy(Buffer.concat([encodeRequest({ timeseries: [good] }), w.finish()]));
        },
        /invalid UTF-8/,
      ],
      ['missing __name__', () => snappy(encodeRequest({ timeseries: [good, { labels: { job: 'x' }, samples: [{ value: 1, timestamp: 1 }] }] })), /missing metric name/],
      ['duplicate label', () => snappy(encodeRequest({ timeseries: [good, { labels: [['__name__', 'x'], ['a', '1'], ['a', '2']], samples: [{ value: 1, timestamp: 1 }] }] })), /duplicate series label name "a"/],
      ['invalid label name', () => snappy(encodeRequest({ timeseries: [good, { labels: { __name__: 'x', 'a.b': '1' }, samples: [{ value: 1, timestamp: 1 }] }] })), /invalid series label name "a.b"/],
      ['empty label set', () => snappy(encodeRequest({ timeseries: [good, { labels: {}, samples: [{ value: 1, timestamp: 1 }] }] })), /empty label set/],
      [
        'native histogram',
        () => snappy(encodeRequest({ timeseries: [good, { labels: { __name__: 'h' }, samples: [{ value: 1, timestamp: 1 }], histograms: [{ count_int: 1, timestamp: 1 }] }] })),
        /^native histograms are not supported yet/,
      ],
    ];
    for (const [name, build, pattern] of malformed) {
      it(name, async () => {
        const storage = new MemoryStorage();
        const metrics = createRemoteWriteMetrics();
        const result = await post(storage, build(), metrics);
        assert.equal(result.status, 400, result.body);
        assert.match(result.body, pattern);
        assert.equal(dump(storage).size, 0);
        assert.equal(metrics.badRequests, 1);
        assert.equal(metrics.samplesAppended, 0);
        // The store is still usable and the good series was not half-created.
        assert.equal((await post(storage, { timeseries: [good] })).status, 204);
        assert.deepEqual([...dump(storage).keys()], ['__name__,up,job,good']);
      });
    }
  });

  it('commits the accepted samples and reports refused ones per reason with 400', async () => {
    const storage = new MemoryStorage();
    assert.equal(
      (
        await post(storage, {
          timeseries: [
            up('a', [[5000, 1]]),
            up('b', [[5000, 1]]),
          ],
        })
      ).status,
      204,
    );
    const metrics = createRemoteWriteMetrics();
    const result = await post(
      storage,
      {
        timeseries: [
          up('a', [
            [1000, 1],
            [2000, 1],
            [6000, 1],
          ]),
          up('b', [
            [5000, 7],
            [7000, 1],
            [3000, 1],
          ]),
          up('c', [[1000, 1]]),
        ],
      },
      metrics,
    );
    assert.equal(result.status, 400);
    assert.equal(
      result.body,
      'out of order sample: 3 samples rejected (first: series up{job="a"} at timestamp 1000); ' +
        'duplicate sample for timestamp: 1 sample rejected (first: series up{job="b"} at timestamp 5000)',
    );
    assert.deepEqual(
      dump(storage),
      new Map([
        [
          '__name__,up,job,a',
          [
            [5000, 1],
            [6000, 1],
          ],
        ],
        [
          '__name__,up,job,b',
          [
            [5000, 1],
            [7000, 1],
          ],
        ],
        ['__name__,up,job,c', [[1000, 1]]],
      ]),
    );
    assert.equal(metrics.samplesReceived, 7);
    assert.equal(metrics.samplesAppended, 3);
    assert.deepEqual(metrics.samplesRejected, { out_of_order: 3, out_of_bounds: 0, duplicate_timestamp: 1, invalid_labels: 0 });
    assert.equal(metrics.partialRequests, 1);
    assert.equal(metrics.badRequests, 0);
    assert.deepEqual(metrics.requestsByStatus, { '400': 1 });
  });

  it('answers 500 with the reason when commit fails, and nothing is stored', async () => {
    const storage = new MemoryStorage();
    storage.failCommits = new Error('write wal: no space left on device');
    const metrics = createRemoteWriteMetrics();
    const result = await post(storage, { timeseries: [up('a', [[1, 1]])] }, metrics);
    assert.equal(result.status, 500);
    assert.equal(result.body, 'storage commit failed: write wal: no space left on device');
    assert.equal(metrics.failedRequests, 1);
    assert.equal(metrics.samplesReceived, 0);
    storage.failCommits = null;
    assert.equal(dump(storage).size, 0);
  });

  it('answers 503 and applies nothing when the store is unavailable', async () => {
    const inner = new MemoryStorage();
    let calls = 0;
    const storage: Storage = {
      appender(): Appender {
        const app = inner.appender();
        return {
          append: (ref: number, labels: Labels | null, sample) => (++calls === 2 ? AppendStatus.Unavailable : app.append(ref, labels, sample)),
          commit: () => app.commit(),
          rollback: () => app.rollback(),
        };
      },
      querier: (mint, maxt) => inner.querier(mint, maxt),
      stats: (limit) => inner.stats(limit),
      close: () => inner.close(),
    };
    const metrics: RemoteWriteMetrics = createRemoteWriteMetrics();
    const result = await post(storage, { timeseries: [up('a', [[1, 1]]), up('b', [[1, 1]])] }, metrics);
    assert.equal(result.status, 503);
    assert.match(result.body, /^storage unavailable: sample for series up\{job="b"\} at timestamp 1 refused/);
    assert.equal(dump(inner).size, 0);
    assert.equal(metrics.failedRequests, 1);
  });
});
