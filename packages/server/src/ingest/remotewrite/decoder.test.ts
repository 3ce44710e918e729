import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStaleNaN, staleNaN } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { RemoteWriteError, decodeWriteRequest } from './decoder.ts';
import type { MetricMetadata, WriteRequestVisitor } from './decoder.ts';
import { embed, encodeRequest, label, writer } from './test-fixtures.ts';

interface Collected {
  series: { labels: Labels; samples: [number, number][]; exemplars: [Labels, number, number][] }[];
  metadata: MetricMetadata[];
}

function collect(data: Uint8Array): Collected {
  const out: Collected = { series: [], metadata: [] };
  const visitor: WriteRequestVisitor = {
    series: (labels) => void out.series.push({ labels, samples: [], exemplars: [] }),
    sample: (value, timestamp) => void out.series[out.series.length - 1].samples.push([value, timestamp]),
    exemplar: (labels, value, timestamp) => void out.series[out.series.length - 1].exemplars.push([labels, value, timestamp]),
    metadata: (entry) => void out.metadata.push(entry),
  };
  decodeWriteRequest(data, visitor);
  return out;
}

function decodeError(data: Uint8Array): RemoteWriteError {
  try {
    collect(data);
  } catch (error) {
    assert.ok(error instanceof RemoteWriteError, `expected RemoteWriteError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a decode error');
}

describe('decodeWriteRequest', () => {
  it('decodes series, samples, exemplars and metadata as protobufjs encodes them', () => {
    const data = encodeRequest({
      timeseries: [
        {
          labels: [['__name__', 'http_requests_total'], ['instance', 'a:9090'], ['job', 'api']],
          samples: [
            { value: 1.5, timestamp: 1_700_000_000_000 },
            { value: -2, timestamp: 1_700_000_015_000 },
          ],
          exemplars: [{ labels: { trace_id: 'abc', span_id: 'def' }, value: 0.25, timestamp: 1_700_000_001_000 }],
        },
        { labels: { __name__: 'up', job: 'node' }, samples: [{ value: 1, timestamp: 5 }] },
      ],
      metadata: [{ type: 1, metric_family_name: 'http_requests_total', help: 'Requests served.', unit: '' }],
    });
    const got = collect(data);
    assert.deepEqual(got.series, [
      {
        labels: ['__name__', 'http_requests_total', 'instance', 'a:9090', 'job', 'api'],
        samples: [
          [1.5, 1_700_000_000_000],
          [-2, 1_700_000_015_000],
        ],
        exemplars: [[['span_id', 'def', 'trace_id', 'abc'], 0.25, 1_700_000_001_000]],
      },
      { labels: ['__name__', 'up', 'job', 'node'], samples: [[1, 5]], exemplars: [] },
    ]);
    assert.deepEqual(got.metadata, [{ metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' }]);
  });

  it('keeps special float values and the stale marker bit for bit', () => {
    const data = encodeRequest({
      timeseries: [
        {
          labels: { __name__: 'x' },
          samples: [
            { value: staleNaN(), timestamp: 1 },
            { value: Number.NaN, timestamp: 2 },
            { value: Infinity, timestamp: 3 },
            { value: -0, timestamp: 4 },
          ],
        },
      ],
    });
    // Checked inside the callback: V8 canonicalises NaN payloads stored into plain double arrays.
    const seen: string[] = [];
    decodeWriteRequest(data, {
      series: () => {},
      sample: (value) => void seen.push(isStaleNaN(value) ? 'stale' : Object.is(value, -0) ? '-0' : String(value)),
      exemplar: () => {},
      metadata: () => {},
    });
    assert.deepEqual(seen, ['stale', 'NaN', 'Infinity', '-0']);
  });

  it('decodes negative and large int64 timestamps', () => {
    const data = encodeRequest({
      timeseries: [
        {
          labels: { __name__: 'x' },
          samples: [
            { value: 1, timestamp: -1 },
            { value: 2, timestamp: -1_700_000_000_000 },
            { value: 3, timestamp: Number.MAX_SAFE_INTEGER },
            { value: 4, timestamp: Number.MIN_SAFE_INTEGER },
            { value: 5, timestamp: 2 ** 35 + 7 },
          ],
        },
      ],
    });
    assert.deepEqual(
      collect(data).series[0].samples.map((s) => s[1]),
      [-1, -1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 35 + 7],
    );
  });

  it('sorts unsorted labels, drops empty values and keeps UTF-8 values', () => {
    const data = encodeRequest({
      timeseries: [{ labels: [['zone', 'ü-1'], ['__name__', 'm'], ['empty', ''], ['a', '日本']], samples: [{ value: 1, timestamp: 1 }] }],
    });
    assert.deepEqual(collect(data).series[0].labels, ['__name__', 'm', 'a', '日本', 'zone', 'ü-1']);
  });

  it('reads fields in any order and skips unknown fields of every wire type', () => {
    const w = writer();
    embed(w, 1, (ts) => {
      // A sample before the labels, plus unknown fields: varint, i64, len, group, i32.
      embed(ts, 2, (s) => s.uint32((2 << 3) | 0).int64(42).uint32((9 << 3) | 0).uint32(7).uint32((1 << 3) | 1).double(3.5));
      ts.uint32((15 << 3) | 0).uint32(300);
      ts.uint32((16 << 3) | 1).fixed64(1);
      ts.uint32((17 << 3) | 2).string('ignored');
      ts.uint32((18 << 3) | 3).uint32((1 << 3) | 0).uint32(1).uint32((18 << 3) | 4);
      ts.uint32((19 << 3) | 5).fixed32(9);
      label(ts, '__name__', 'm');
      embed(ts, 1, (l) => l.uint32((7 << 3) | 0).uint32(1).uint32(10).string('job').uint32(18).string('j'));
    });
    w.uint32((2 << 3) | 2).string('reserved field 2 (Cortex source) is skipped');
    w.uint32((99 << 3) | 0).uint32(5);
    const got = collect(w.finish());
    assert.deepEqual(got.series, [{ labels: ['__name__', 'm', 'job', 'j'], samples: [[3.5, 42]], exemplars: [] }]);
  });

  it('treats a last repeated scalar as the value (proto3 merge rule)', () => {
    const w = writer();
    embed(w, 1, (ts) => {
      embed(ts, 1, (l) => l.uint32(10).string('__name__').uint32(18).string('first').uint32(18).string('second'));
      embed(ts, 2, (s) => s.uint32(9).double(1).uint32(9).double(2).uint32(16).int64(5));
    });
    assert.deepEqual(collect(w.finish()).series[0], { labels: ['__name__', 'second'], samples: [[2, 5]], exemplars: [] });
  });

  it('accepts an empty request and series without samples', () => {
    assert.deepEqual(collect(new Uint8Array(0)), { series: [], metadata: [] });
    const got = collect(encodeRequest({ timeseries: [{ labels: { __name__: 'm' } }] }));
    assert.deepEqual(got.series, [{ labels: ['__name__', 'm'], samples: [], exemplars: [] }]);
  });

  it('passes errors thrown by the visitor through unchanged', () => {
    const failure = new Error('store exploded');
    const data = encodeRequest({ timeseries: [{ labels: { __name__: 'm' }, samples: [{ value: 1, timestamp: 1 }] }] });
    assert.throws(() => decodeWriteRequest(data, { series() {}, sample: () => { throw failure; }, exemplar() {}, metadata() {} }), (e) => e === failure);
    // And the decoder is not left thinking it is inside the visitor.
    assert.throws(() => decodeWriteRequest(Uint8Array.of(0x0a, 0x05), { series() {}, sample() {}, exemplar() {}, metadata() {} }), RemoteWriteError);
  });

  describe('refuses malformed input with a precise message', () => {
    const ok = { labels: { __name__: 'ok' }, samples: [{ value: 1, timestamp: 1 }] };
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['truncated message', () => encodeRequest({ timeseries: [ok, ok] }).subarray(0, 20), /malformed protobuf: .*(end|past)/],
      [
        'truncated varint',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'm');
            ts.uint32((2 << 3) | 2).bytes(Uint8Array.of(0x10, 0xff, 0xff));
          });
          return w.finish();
        },
        /malformed protobuf: truncated varint/,
      ],
      ['timeseries with varint wire type', () => writer().uint32((1 << 3) | 0).uint32(1).finish(), /wrong wire type varint for WriteRequest.timeseries/],
      [
        'sample value as varint',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'm');
            embed(ts, 2, (s) => s.uint32((1 << 3) | 0).uint32(1));
          });
          return w.finish();
        },
        /wrong wire type varint for Sample.value \(expected i64\)/,
      ],
      [
        'timestamp as i64',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'm');
            embed(ts, 2, (s) => s.uint32((2 << 3) | 1).fixed64(1));
          });
          return w.finish();
        },
        /wrong wire type i64 for Sample.timestamp/,
      ],
      ['field number 0', () => Uint8Array.of(0x02, 0x00), /field number 0/],
      ['end-group without start', () => Uint8Array.of((5 << 3) | 4), /invalid wire type egroup/],
      ['wire type 7', () => Uint8Array.of((5 << 3) | 7), /invalid wire type 7/],
      [
        'invalid UTF-8 in a label value',
        () => {
          const w = writer();
          embed(w, 1, (ts) => {
            label(ts, '__name__', 'm');
            label(ts, 'job', Uint8Array.of(0x61, 0xc3, 0x28));
          });
          return w.finish();
        },
        /timeseries\[0\]: invalid UTF-8 in series label value/,
      ],
      [
        'invalid UTF-8 in a label name',
        () => {
          const w = writer();
          embed(w, 1, (ts) => label(ts, Uint8Array.of(0xff), 'x'));
          return w.finish();
        },
        /invalid UTF-8 in series label name/,
      ],
      ['missing __name__', () => encodeRequest({ timeseries: [ok, { labels: { job: 'x' }, samples: [{ value: 1, timestamp: 1 }] }] }), /timeseries\[1\] \{job="x"\}: missing metric name/],
      ['empty __name__', () => encodeRequest({ timeseries: [{ labels: { __name__: '', job: 'x' } }] }), /missing metric name/],
      ['empty label set', () => encodeRequest({ timeseries: [{ labels: {}, samples: [{ value: 1, timestamp: 1 }] }] }), /timeseries\[0\]: empty label set/],
      ['duplicate label names', () => encodeRequest({ timeseries: [{ labels: [['__name__', 'm'], ['job', 'a'], ['job', 'b']] }] }), /duplicate series label name "job"/],
      ['duplicate label names, unsorted', () => encodeRequest({ timeseries: [{ labels: [['job', 'a'], ['__name__', 'm'], ['job', 'b']] }] }), /duplicate series label name "job"/],
      ['invalid label name', () => encodeRequest({ timeseries: [{ labels: { __name__: 'm', 'bad-name': 'x' } }] }), /invalid series label name "bad-name"/],
      ['label name starting with a digit', () => encodeRequest({ timeseries: [{ labels: { __name__: 'm', '1x': 'x' } }] }), /invalid series label name "1x"/],
      ['empty label name', () => encodeRequest({ timeseries: [{ labels: [['__name__', 'm'], ['', 'v']] }] }), /series label with an empty name \(value "v"\)/],
      ['invalid metric name', () => encodeRequest({ timeseries: [{ labels: { __name__: 'http-requests' } }] }), /invalid metric name "http-requests"/],
      [
        'invalid exemplar label name',
        () => encodeRequest({ timeseries: [{ labels: { __name__: 'm' }, exemplars: [{ labels: { 'trace-id': 'x' }, value: 1, timestamp: 1 }] }] }),
        /invalid exemplar label name "trace-id"/,
      ],
      [
        'native histogram',
        () => encodeRequest({ timeseries: [ok, { labels: { __name__: 'h' }, histograms: [{ count_int: 3, sum: 1, timestamp: 1 }] }] }),
        /^native histograms are not supported yet/,
      ],
      ['timestamp beyond 2^53', () => encodeRequest({ timeseries: [{ labels: { __name__: 'm' }, samples: [{ value: 1, timestamp: 2 ** 60 }] }] }), /timestamp out of range/],
      [
        'embedded message longer than its parent',
        () => {
          const w = writer();
          embed(w, 1, (ts) => ts.uint32((1 << 3) | 2).uint32(50).uint32(10));
          return w.finish();
        },
        /runs past the end of its parent/,
      ],
      ['invalid UTF-8 in metadata', () => writer().uint32(26).bytes(writer().uint32(18).bytes(Uint8Array.of(0xc0, 0x80)).finish()).finish(), /invalid UTF-8 in metadata metric_family_name/],
    ];
    for (const [name, build, pattern] of cases) {
      it(name, () => {
        const error = decodeError(build());
        assert.equal(error.status, 400);
        assert.match(error.message, pattern);
      });
    }
  });
});
