import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueryValue } from '../query/promql/value.ts';
import { formatSampleValue, formatTimestamp, queryAnswerBytes } from './query-json.ts';

const ENVELOPE = '{"status":"success","data":';

/** The `data` part of a query answer, as text. */
function queryDataJson(value: QueryValue): string {
  const text = new TextDecoder().decode(queryAnswerBytes(value));
  assert.ok(text.startsWith(ENVELOPE) && text.endsWith('}'), text);
  return text.slice(ENVELOPE.length, -1);
}

describe('query result JSON', () => {
  it('writes every sample value as formatSampleValue does, whole numbers included', () => {
    const values = [0, -0, 1, -5, 42, 123456789012345, 999999999999999, 1e15, -1e15, 1e21, 1.5, -0.25, 1e-7, NaN, Infinity, -Infinity, 2 ** 53];
    const json = queryDataJson({
      type: 'matrix',
      series: [{ labels: ['job', 'a'], timestamps: Float64Array.from(values, (_, i) => i * 1500), values: Float64Array.from(values) }],
    });
    const parsed = JSON.parse(json) as { result: { values: [number, string][] }[] };
    assert.deepEqual(
      parsed.result[0].values.map((point) => point[1]),
      values.map(formatSampleValue),
    );
    assert.ok(json.includes('[1.500,"-0"]'), json);
  });

  it('writes a vector sample as Prometheus does', () => {
    const json = queryDataJson({ type: 'vector', samples: [{ labels: ['__name__', 'up', 'job', 'x'], timestamp: 1435781451781, value: 1 }] });
    assert.equal(json, '{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1435781451.781,"1"]}]}');
  });

  it('writes every timestamp as formatTimestamp does (seconds split at 1e9, zero-padded)', () => {
    const timestamps = [0, 1, 999, 1000, 1500, 9_999_000, 999_999_999_000, 1_000_000_000_000, 1_000_000_000_001, 1_796_103_255_125, 12_000_000_005_000, 100_000_000_000_000_000, 1e22, -1500, -1_796_103_255_125, 4_102_444_800_000.5];
    const json = queryDataJson({
      type: 'matrix',
      series: [{ labels: ['job', 'a'], timestamps: Float64Array.from(timestamps), values: Float64Array.from(timestamps, () => 1) }],
    });
    const written = [...json.matchAll(/\[(-?[0-9.]+),"1"\]/g)].map((match) => match[1]);
    assert.deepEqual(written, timestamps.map(formatTimestamp));
    assert.ok(json.includes('[1000000000.001,"1"]') && json.includes('[12000000005,"1"]'), json);
  });

  it('wraps the data in the success envelope with its tail in one buffer, UTF-8 included', () => {
    const value = { type: 'vector' as const, samples: [{ labels: ['job', 'caf\u00e9'], timestamp: 1500, value: 2 }] };
    const tail = ',"warnings":["\u00e9t\u00e9 \\u003c"]';
    const bytes = queryAnswerBytes(value, tail);
    const text = new TextDecoder().decode(bytes);
    assert.equal(text, `${ENVELOPE}{"resultType":"vector","result":[{"metric":{"job":"caf\u00e9"},"value":[1.500,"2"]}]}${tail}}`);
    assert.equal(bytes.length, Buffer.byteLength(text));
    assert.deepEqual(JSON.parse(text), { status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'caf\u00e9' }, value: [1.5, '2'] }] }, warnings: ['\u00e9t\u00e9 <'] });
    assert.equal(new TextDecoder().decode(queryAnswerBytes({ type: 'scalar', timestamp: 1000, value: 1 })), '{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}');
  });
});
