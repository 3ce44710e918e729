import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelMatcher, labelsToRecord } from '../../../model/index.ts';
import type { Expr } from '../ast.ts';
import { QueryError } from '../value.ts';
import type { QueryResult } from '../value.ts';
import { Engine } from './index.ts';
import { aggregate, binary, call, matrix, negate, number, selector, storageWith, string, subquery } from './testing.ts';
import type { TestValue } from './testing.ts';

const MINUTE = 60_000;

/** Instant results as `{labels} => value` lines, sorted, for compact expectations. */
function vectorLines(result: QueryResult): string[] {
  const value = result.value;
  if (value.type === 'scalar') return [`scalar => ${value.value}`];
  assert.equal(value.type, 'vector');
  if (value.type !== 'vector') return [];
  return value.samples.map((sample) => `${JSON.stringify(labelsToRecord(sample.labels))} => ${sample.value}`).sort();
}

/** Range results as `{labels} => t:v t:v …` (t in minutes). */
function matrixLines(result: QueryResult): string[] {
  const value = result.value;
  assert.equal(value.type, 'matrix');
  if (value.type !== 'matrix') return [];
  return value.series.map((series) => {
    const points = Array.from(series.timestamps, (t, i) => `${t / MINUTE}:${series.values[i]}`);
    return `${JSON.stringify(labelsToRecord(series.labels))} => ${points.join(' ')}`;
  });
}

const data: { labels: Record<string, string>; values: TestValue[] }[] = [
  { labels: { __name__: 'requests_total', job: 'api', instance: 'a' }, values: [0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600] },
  { labels: { __name__: 'requests_total', job: 'api', instance: 'b' }, values: [0, 120, 240, 360, 480, 600, 720, 840, 960, 1080, 1200] },
  { labels: { __name__: 'requests_total', job: 'web', instance: 'a' }, values: [10, 10, 10, 'stale', null, null, 20, 20, 20, 20, 20] },
  { labels: { __name__: 'gauge', job: 'api', instance: 'a' }, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
  { labels: { __name__: 'gauge', job: 'web', instance: 'a' }, values: [5, null, null, null, null, null, null, null, null, null, 5] },
  { labels: { __name__: 'limit', job: 'api' }, values: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100] },
  { labels: { __name__: 'limit', job: 'web' }, values: [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50] },
  { labels: { __name__: 'info', job: 'api', version: '1.0' }, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
  { labels: { __name__: 'info', job: 'web', version: '2.0' }, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
];

const storage = await storageWith(data);

/** Many series of a counter, enough work for a query to meet the deadline or an abort midway. */
function bigStorage(seriesCount: number) {
  return storageWith(Array.from({ length: seriesCount }, (_unused, index) => ({ labels: { __name__: 'big', index: String(index) }, values: Array.from({ length: 100 }, (_value, step) => step) })));
}
const engine = new Engine();

describe('instant queries', () => {
  const cases: { name: string; expr: Expr; time: number; expected: string[] }[] = [
    {
      name: 'selector picks the newest sample of the lookback window',
      expr: selector('gauge'),
      time: 2.5 * MINUTE,
      expected: ['{"__name__":"gauge","instance":"a","job":"api"} => 3', '{"__name__":"gauge","instance":"a","job":"web"} => 5'],
    },
    {
      name: 'a sample exactly lookback old is out of the left-open window',
      expr: selector('gauge', { job: 'web' }),
      time: 5 * MINUTE,
      expected: [],
    },
    { name: 'a stale marker ends the series', expr: selector('requests_total', { job: 'web' }), time: 3.5 * MINUTE, expected: [] },
    { name: 'offset looks back', expr: selector('gauge', { job: 'api' }, { offset: 2 * MINUTE }), time: 5 * MINUTE, expected: ['{"__name__":"gauge","instance":"a","job":"api"} => 4'] },
    { name: 'negative offset looks ahead', expr: selector('gauge', { job: 'api' }, { offset: -2 * MINUTE }), time: 5 * MINUTE, expected: ['{"__name__":"gauge","instance":"a","job":"api"} => 8'] },
    { name: '@ pins the time', expr: selector('gauge', { job: 'api' }, { at: { kind: 'time', time: MINUTE } }), time: 9 * MINUTE, expected: ['{"__name__":"gauge","instance":"a","job":"api"} => 2'] },
    {
      name: 'rate drops the name, left-open window',
      expr: call('rate', matrix(selector('requests_total', { job: 'api' }), 2 * MINUTE)),
      time: 4 * MINUTE,
      expected: ['{"instance":"a","job":"api"} => 1', '{"instance":"b","job":"api"} => 2'],
    },
    {
      name: 'last_over_time keeps the name',
      expr: call('last_over_time', matrix(selector('gauge', { job: 'api' }), 2 * MINUTE)),
      time: 4 * MINUTE,
      expected: ['{"__name__":"gauge","instance":"a","job":"api"} => 5'],
    },
    { name: 'sum by', expr: aggregate('sum', selector('gauge'), { by: ['job'] }), time: 0, expected: ['{"job":"api"} => 1', '{"job":"web"} => 5'] },
    { name: 'sum without', expr: aggregate('sum', selector('requests_total'), { without: ['instance'] }), time: MINUTE, expected: ['{"job":"api"} => 180', '{"job":"web"} => 10'] },
    { name: 'avg', expr: aggregate('avg', selector('requests_total', { job: 'api' })), time: MINUTE, expected: ['{} => 90'] },
    { name: 'min and max', expr: binary('-', aggregate('max', selector('gauge')), aggregate('min', selector('gauge'))), time: 0, expected: ['{} => 4'] },
    { name: 'count', expr: aggregate('count', selector('requests_total')), time: 0, expected: ['{} => 3'] },
    { name: 'group', expr: aggregate('group', selector('requests_total'), { by: ['job'] }), time: 0, expected: ['{"job":"api"} => 1', '{"job":"web"} => 1'] },
    { name: 'stddev', expr: aggregate('stddev', selector('gauge')), time: 0, expected: ['{} => 2'] },
    { name: 'stdvar', expr: aggregate('stdvar', selector('gauge')), time: 0, expected: ['{} => 4'] },
    {
      name: 'topk keeps labels',
      expr: aggregate('topk', selector('requests_total'), { param: number(1) }),
      time: 2 * MINUTE,
      expected: ['{"__name__":"requests_total","instance":"b","job":"api"} => 240'],
    },
    {
      name: 'bottomk by job',
      expr: aggregate('bottomk', selector('requests_total'), { param: number(1), by: ['job'] }),
      time: 2 * MINUTE,
      expected: ['{"__name__":"requests_total","instance":"a","job":"api"} => 120', '{"__name__":"requests_total","instance":"a","job":"web"} => 10'],
    },
    { name: 'quantile', expr: aggregate('quantile', selector('gauge'), { param: number(0.5) }), time: 0, expected: ['{} => 3'] },
    {
      name: 'count_values',
      expr: aggregate('count_values', selector('limit'), { param: string('value') }),
      time: 0,
      expected: ['{"value":"100"} => 1', '{"value":"50"} => 1'],
    },
    {
      name: 'vector / scalar drops the name',
      expr: binary('/', selector('limit', { job: 'api' }), number(4)),
      time: 0,
      expected: ['{"job":"api"} => 25'],
    },
    {
      name: 'comparison filters and keeps the name',
      expr: binary('>', selector('limit'), number(60)),
      time: 0,
      expected: ['{"__name__":"limit","job":"api"} => 100'],
    },
    {
      name: 'scalar on the left of a comparison keeps the vector value',
      expr: binary('<', number(60), selector('limit')),
      time: 0,
      expected: ['{"__name__":"limit","job":"api"} => 100'],
    },
    { name: 'comparison with bool', expr: binary('>', selector('limit'), number(60), { returnBool: true }), time: 0, expected: ['{"job":"api"} => 1', '{"job":"web"} => 0'] },
    { name: 'scalar arithmetic', expr: binary('%', number(7), number(-3)), time: 0, expected: ['scalar => 1'] },
    { name: 'power as Go', expr: binary('^', number(1), number(NaN)), time: 0, expected: ['scalar => 1'] },
    { name: 'division by zero', expr: binary('/', number(-1), number(0)), time: 0, expected: ['scalar => -Infinity'] },
    {
      name: 'one-to-one on job',
      expr: binary('/', aggregate('sum', selector('requests_total'), { by: ['job'] }), selector('limit'), { matching: { on: true, matchingLabels: ['job'] } }),
      time: MINUTE,
      expected: ['{"job":"api"} => 1.8', '{"job":"web"} => 0.2'],
    },
    {
      name: 'group_left copies labels from the one side',
      expr: binary('*', selector('gauge'), selector('info'), { matching: { card: 'many-to-one', on: true, matchingLabels: ['job'], include: ['version'] } }),
      time: 0,
      expected: ['{"instance":"a","job":"api","version":"1.0"} => 1', '{"instance":"a","job":"web","version":"2.0"} => 5'],
    },
    {
      name: 'and',
      expr: binary('and', selector('requests_total'), selector('gauge', { job: 'api' }), { matching: { on: true, matchingLabels: ['job'] } }),
      time: 0,
      expected: ['{"__name__":"requests_total","instance":"a","job":"api"} => 0', '{"__name__":"requests_total","instance":"b","job":"api"} => 0'],
    },
    {
      name: 'unless',
      expr: binary('unless', selector('requests_total'), selector('gauge', { job: 'api' }), { matching: { on: true, matchingLabels: ['job'] } }),
      time: 0,
      expected: ['{"__name__":"requests_total","instance":"a","job":"web"} => 10'],
    },
    {
      name: 'or',
      expr: binary('or', selector('limit', { job: 'api' }), selector('limit')),
      time: 0,
      expected: ['{"__name__":"limit","job":"api"} => 100', '{"__name__":"limit","job":"web"} => 50'],
    },
    { name: 'unary minus drops the name', expr: negate(selector('limit', { job: 'web' })), time: 0, expected: ['{"job":"web"} => -50'] },
    { name: 'time()', expr: call('time'), time: 90_000, expected: ['scalar => 90'] },
    { name: 'scalar() of one series', expr: call('scalar', selector('limit', { job: 'api' })), time: 0, expected: ['scalar => 100'] },
    { name: 'scalar() of two series is NaN', expr: call('scalar', selector('limit')), time: 0, expected: ['scalar => NaN'] },
    { name: 'vector()', expr: call('vector', number(3)), time: 0, expected: ['{} => 3'] },
    {
      name: 'timestamp() of a selector is the sample time',
      expr: call('timestamp', selector('gauge', { job: 'web' })),
      time: 3 * MINUTE,
      expected: ['{"instance":"a","job":"web"} => 0'],
    },
    { name: 'absent() of a missing series', expr: call('absent', selector('nothing', { job: 'x' })), time: 0, expected: ['{"job":"x"} => 1'] },
    { name: 'absent() of a present series', expr: call('absent', selector('limit')), time: 0, expected: [] },
    {
      name: 'absent_over_time()',
      expr: call('absent_over_time', matrix(selector('gauge', { job: 'web' }), 2 * MINUTE)),
      time: 5 * MINUTE,
      expected: ['{"job":"web"} => 1'],
    },
    { name: 'hour() without argument', expr: call('hour'), time: 3 * 3600_000 + 5 * MINUTE, expected: ['{} => 3'] },
    {
      name: 'subquery on absolute step alignment',
      expr: call('count_over_time', subquery(selector('gauge', { job: 'api' }), 5 * MINUTE, 2 * MINUTE)),
      time: 7 * MINUTE,
      // Steps at 4m and 6m (multiples of 2m in (2m, 7m]).
      expected: ['{"instance":"a","job":"api"} => 2'],
    },
    {
      name: 'subquery with default step',
      expr: call('sum_over_time', subquery(selector('gauge', { job: 'api' }), 3 * MINUTE, 0)),
      time: 5 * MINUTE,
      // Steps at 3m, 4m, 5m: 4 + 5 + 6.
      expected: ['{"instance":"a","job":"api"} => 15'],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      assert.deepEqual(vectorLines(await engine.instantQuery(storage, testCase.expr, testCase.time)), testCase.expected);
    });
  }

  it('sort orders by value, NaN last', async () => {
    const result = await engine.instantQuery(storage, call('sort_desc', selector('requests_total')), MINUTE);
    assert.equal(result.value.type, 'vector');
    if (result.value.type !== 'vector') return;
    assert.deepEqual(
      result.value.samples.map((sample) => sample.value),
      [120, 60, 10],
    );
  });

  it('returns the raw samples of a range vector', async () => {
    const result = await engine.instantQuery(storage, matrix(selector('gauge', { job: 'api' }), 2 * MINUTE), 4 * MINUTE);
    assert.deepEqual(matrixLines(result), ['{"__name__":"gauge","instance":"a","job":"api"} => 3:4 4:5']);
  });

  it('returns a string literal', async () => {
    const result = await engine.instantQuery(storage, string('hello'), 1000);
    assert.deepEqual(result.value, { type: 'string', timestamp: 1000, value: 'hello' });
  });
});

describe('range queries', () => {
  it('evaluates every step, series sorted by labels', async () => {
    const result = await engine.rangeQuery(storage, selector('requests_total', { job: 'web' }), 0, 10 * MINUTE, 2 * MINUTE);
    assert.deepEqual(matrixLines(result), ['{"__name__":"requests_total","instance":"a","job":"web"} => 0:10 2:10 6:20 8:20 10:20']);
  });

  it('repeats a step-invariant expression', async () => {
    const result = await engine.rangeQuery(storage, selector('gauge', { job: 'api' }, { at: { kind: 'end' } }), 0, 4 * MINUTE, 2 * MINUTE);
    assert.deepEqual(matrixLines(result), ['{"__name__":"gauge","instance":"a","job":"api"} => 0:5 2:5 4:5']);
  });

  it('@ start() in a range query', async () => {
    const result = await engine.rangeQuery(storage, call('timestamp', selector('gauge', { job: 'api' }, { at: { kind: 'start' } })), 2 * MINUTE, 4 * MINUTE, MINUTE);
    assert.deepEqual(matrixLines(result), ['{"instance":"a","job":"api"} => 2:120 3:120 4:120']);
  });

  it('a scalar becomes one series without labels', async () => {
    const result = await engine.rangeQuery(storage, call('time'), 0, 2 * MINUTE, MINUTE);
    assert.deepEqual(matrixLines(result), ['{} => 0:0 1:60 2:120']);
  });

  it('rate over steps with a sliding window', async () => {
    const result = await engine.rangeQuery(storage, aggregate('sum', call('rate', matrix(selector('requests_total'), 2 * MINUTE)), { by: ['job'] }), 2 * MINUTE, 4 * MINUTE, MINUTE);
    assert.deepEqual(matrixLines(result), ['{"job":"api"} => 2:3 3:3 4:3', '{"job":"web"} => 2:0']);
  });

  it('subquery steps are aligned to absolute multiples of the step', async () => {
    const result = await engine.rangeQuery(storage, call('count_over_time', subquery(selector('gauge', { job: 'api' }), 3 * MINUTE, 2 * MINUTE)), 3 * MINUTE, 5 * MINUTE, MINUTE);
    // (0m,3m] → 2m; (1m,4m] → 2m, 4m; (2m,5m] → 4m.
    assert.deepEqual(matrixLines(result), ['{"instance":"a","job":"api"} => 3:1 4:2 5:1']);
  });

  it('rejects a range vector', async () => {
    await assert.rejects(engine.rangeQuery(storage, matrix(selector('gauge'), MINUTE), 0, MINUTE, MINUTE), (error: unknown) => {
      assert.ok(error instanceof QueryError);
      assert.equal(error.kind, 'bad_data');
      assert.equal(error.message, 'invalid expression type "range vector" for range query, must be Scalar or instant Vector');
      return true;
    });
  });

  it('duplicates only conflict at the same step', async () => {
    const disjoint = await storageWith([
      { labels: { __name__: 'first', job: 'x' }, values: [1, 1, null, null, null, null, null, null] },
      { labels: { __name__: 'second', job: 'x' }, values: [null, null, null, null, null, null, null, 2] },
    ]);
    const expr = negate(selector('', {}, { matchers: [new LabelMatcher('=~', '__name__', 'first|second')] }));
    const result = await engine.rangeQuery(disjoint, expr, 0, 7 * MINUTE, 7 * MINUTE);
    assert.deepEqual(matrixLines(result), ['{"job":"x"} => 0:-1 7:-2']);
    await assert.rejects(engine.instantQuery(disjoint, expr, MINUTE * 7, { lookbackDelta: 10 * MINUTE }), /vector cannot contain metrics with the same labelset/);
  });
});

describe('errors', () => {
  const cases: { name: string; expr: Expr; message: string | RegExp }[] = [
    {
      name: 'many-to-many without grouping',
      expr: binary('+', selector('requests_total'), selector('limit'), { matching: { on: true, matchingLabels: ['job'] } }),
      message: 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    },
    {
      name: 'duplicate series on the one side',
      expr: binary('+', selector('limit'), selector('requests_total'), { matching: { card: 'many-to-one', on: true, matchingLabels: ['job'] } }),
      message:
        'found duplicate series for the match group {job="api"} on the right hand-side of the operation: [{__name__="requests_total", instance="a", job="api"}, {__name__="requests_total", instance="b", job="api"}];many-to-many matching not allowed: matching labels must be unique on one side',
    },
    {
      name: 'duplicate series on the left for group_right',
      expr: binary('+', selector('requests_total'), selector('limit'), { matching: { card: 'one-to-many', on: true, matchingLabels: ['job'] } }),
      message: /^found duplicate series for the match group \{job="api"\} on the left hand-side of the operation/,
    },
    {
      name: 'same label set after dropping the name',
      expr: call('rate', matrix(selector('', { job: 'api', instance: 'a' }, { matchers: [new LabelMatcher('=~', '__name__', 'gauge|requests_total')] }), 5 * MINUTE)),
      message: 'vector cannot contain metrics with the same labelset',
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      await assert.rejects(engine.instantQuery(storage, testCase.expr, 4 * MINUTE), (error: unknown) => {
        assert.ok(error instanceof QueryError);
        assert.equal(error.kind, 'execution');
        if (typeof testCase.message === 'string') assert.equal(error.message, testCase.message);
        else assert.match(error.message, testCase.message);
        return true;
      });
    });
  }

  it('quantile outside [0, 1] warns', async () => {
    const result = await engine.instantQuery(storage, aggregate('quantile', selector('gauge'), { param: number(1.5) }), 0);
    assert.deepEqual(result.warnings, ['PromQL warning: quantile value should be between 0 and 1, got 1.5']);
    assert.deepEqual(vectorLines(result), ['{} => Infinity']);
  });

  it('rate of a non-counter name adds an info', async () => {
    const result = await engine.instantQuery(storage, call('rate', matrix(selector('gauge', { job: 'api' }), 5 * MINUTE)), 5 * MINUTE);
    assert.deepEqual(result.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "gauge"']);
  });
});

describe('limits', () => {
  it('fails past maxSamples', async () => {
    const limited = new Engine({ maxSamples: 5 });
    await assert.rejects(limited.rangeQuery(storage, selector('gauge'), 0, 10 * MINUTE, MINUTE), (error: unknown) => {
      assert.ok(error instanceof QueryError);
      assert.equal(error.kind, 'execution');
      assert.equal(error.message, 'query processing would load too many samples into memory in query execution');
      return true;
    });
    // The same query under the limit works, and a failed query leaves the engine usable.
    assert.equal(vectorLines(await limited.instantQuery(storage, selector('gauge'), 0)).length, 2);
  });

  it('counts samples as Prometheus does: the limit itself is allowed', async () => {
    // gauge over 0..10m: 11 points of job="api" and 6 of job="web" (0m–4m within the lookback, and 10m).
    const atLimit = new Engine({ maxSamples: 17 });
    assert.equal(matrixLines(await atLimit.rangeQuery(storage, selector('gauge'), 0, 10 * MINUTE, MINUTE)).length, 2);
    await assert.rejects(new Engine({ maxSamples: 16 }).rangeQuery(storage, selector('gauge'), 0, 10 * MINUTE, MINUTE), /too many samples/);
  });

  it('times out', async () => {
    const slow = new Engine({ timeout: 1 });
    const big = await bigStorage(300);
    await assert.rejects(slow.rangeQuery(big, aggregate('sum', call('rate', matrix(selector('big'), 10 * MINUTE))), 0, 100 * MINUTE, 1000), (error: unknown) => {
      assert.ok(error instanceof QueryError);
      assert.equal(error.kind, 'timeout');
      assert.equal(error.message, 'query timed out in expression evaluation');
      return true;
    });
  });

  it('is canceled by an abort signal while evaluating', async () => {
    const big = await bigStorage(300);
    const controller = new AbortController();
    const pending = engine.rangeQuery(big, aggregate('sum', call('rate', matrix(selector('big'), 10 * MINUTE))), 0, 100 * MINUTE, 1000, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof QueryError);
      assert.equal(error.kind, 'canceled');
      assert.equal(error.message, 'query was canceled in expression evaluation');
      return true;
    });
  });

  it('queues queries beyond maxConcurrent', async () => {
    const single = new Engine({ maxConcurrent: 1 });
    const controller = new AbortController();
    const big = await bigStorage(200);
    const first = single.rangeQuery(big, aggregate('sum', call('rate', matrix(selector('big'), 10 * MINUTE))), 0, 100 * MINUTE, 1000);
    const queued = single.instantQuery(storage, selector('limit'), 0, { signal: controller.signal });
    controller.abort();
    await assert.rejects(queued, /query was canceled in query queue/);
    await first;
    assert.equal(vectorLines(await single.instantQuery(storage, selector('limit'), 0)).length, 2);
  });
});

describe('delayed name removal', () => {
  const delayed = new Engine({ delayedNameRemoval: true });
  const both = () => selector('', { job: 'api', instance: 'a' }, { matchers: [new LabelMatcher('=~', '__name__', 'gauge|requests_total')] });

  it('keeps the name visible to label functions until the end', async () => {
    const expr = call('label_replace', call('rate', matrix(both(), 5 * MINUTE)), string('from'), string('$1'), string('__name__'), string('(.+)'));
    const result = await delayed.instantQuery(storage, expr, 5 * MINUTE);
    assert.deepEqual(vectorLines(result), ['{"from":"gauge","instance":"a","job":"api"} => 0.016666666666666666', '{"from":"requests_total","instance":"a","job":"api"} => 1']);
    // Without the feature, rate's results collide at once.
    await assert.rejects(engine.instantQuery(storage, expr, 5 * MINUTE), /vector cannot contain metrics with the same labelset/);
  });

  it('label_replace onto __name__ keeps the name', async () => {
    const expr = call('label_replace', call('rate', matrix(selector('requests_total', { job: 'api', instance: 'a' }), 5 * MINUTE)), string('__name__'), string('rate_$1'), string('__name__'), string('(.+)'));
    assert.deepEqual(vectorLines(await delayed.instantQuery(storage, expr, 5 * MINUTE)), ['{"__name__":"rate_requests_total","instance":"a","job":"api"} => 1']);
  });

  it('drops grouped names at the end', async () => {
    const expr = aggregate('sum', call('rate', matrix(selector('requests_total', { job: 'api' }), 5 * MINUTE)), { by: ['__name__'] });
    assert.deepEqual(vectorLines(await delayed.instantQuery(storage, expr, 5 * MINUTE)), ['{} => 3']);
  });

  it('merges series that become equal at different steps', async () => {
    const disjoint = await storageWith([
      { labels: { __name__: 'first' }, values: [1, null], interval: 10 * MINUTE },
      { labels: { __name__: 'second' }, values: [3, 4], interval: 10 * MINUTE },
    ]);
    const expr = binary('or', negate(selector('first')), negate(selector('second')));
    const result = await delayed.rangeQuery(disjoint, expr, 0, 10 * MINUTE, 10 * MINUTE);
    assert.deepEqual(matrixLines(result), ['{} => 0:-1 10:-4']);
  });

  it('fails when an instant result holds equal label sets', async () => {
    await assert.rejects(delayed.instantQuery(storage, negate(both()), 0), /vector cannot contain metrics with the same labelset/);
  });
});

describe('details as Prometheus computes them', () => {
  const cases: { name: string; data: { labels: Record<string, string>; values: TestValue[] }[]; expr: Expr; time: number; expected: string[] }[] = [
    {
      name: 'avg falls back to an incremental mean when the sum overflows',
      data: [
        { labels: { __name__: 'big', i: '1' }, values: [Number.MAX_VALUE] },
        { labels: { __name__: 'big', i: '2' }, values: [Number.MAX_VALUE] },
        { labels: { __name__: 'big', i: '3' }, values: [-Number.MAX_VALUE] },
      ],
      // (MAX + MAX - MAX) / 3 in the incremental mean's rounding, not Infinity.
      expr: aggregate('avg', selector('big')),
      time: 0,
      expected: ['{} => 5.992310449541051e+307'],
    },
    {
      name: 'sum is compensated',
      data: [
        { labels: { __name__: 'v', i: '1' }, values: [1] },
        { labels: { __name__: 'v', i: '2' }, values: [1e100] },
        { labels: { __name__: 'v', i: '3' }, values: [1] },
        { labels: { __name__: 'v', i: '4' }, values: [-1e100] },
      ],
      expr: aggregate('sum', selector('v')),
      time: 0,
      expected: ['{} => 2'],
    },
    {
      name: 'stddev of an infinite value is NaN',
      data: [
        { labels: { __name__: 'v', i: '1' }, values: [Infinity] },
        { labels: { __name__: 'v', i: '2' }, values: [1] },
      ],
      expr: aggregate('stddev', selector('v')),
      time: 0,
      expected: ['{} => NaN'],
    },
    {
      name: 'max ignores NaN unless all are NaN',
      data: [
        { labels: { __name__: 'v', i: '1' }, values: [NaN] },
        { labels: { __name__: 'v', i: '2' }, values: [1] },
      ],
      expr: aggregate('max', selector('v')),
      time: 0,
      expected: ['{} => 1'],
    },
    {
      name: 'count_values formats as Go',
      data: [
        { labels: { __name__: 'v', i: '1' }, values: [1e21] },
        { labels: { __name__: 'v', i: '2' }, values: [0.0000001] },
        { labels: { __name__: 'v', i: '3' }, values: [Infinity] },
      ],
      expr: aggregate('count_values', selector('v'), { param: string('value') }),
      time: 0,
      expected: ['{"value":"+Inf"} => 1', '{"value":"0.0000001"} => 1', '{"value":"1000000000000000000000"} => 1'],
    },
    {
      name: 'topk prefers numbers over NaN',
      data: [
        { labels: { __name__: 'v', i: '1' }, values: [NaN] },
        { labels: { __name__: 'v', i: '2' }, values: [1] },
        { labels: { __name__: 'v', i: '3' }, values: [2] },
      ],
      expr: aggregate('topk', selector('v'), { param: number(2) }),
      time: 0,
      expected: ['{"__name__":"v","i":"2"} => 1', '{"__name__":"v","i":"3"} => 2'],
    },
    {
      name: 'max_of of scalars',
      data: [],
      expr: call('max_of', number(1), number(2)),
      time: 0,
      expected: ['scalar => 2'],
    },
    {
      name: 'nested subqueries with @ and offset',
      data: [{ labels: { __name__: 'v' }, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], interval: 10_000 } as { labels: Record<string, string>; values: TestValue[] }],
      // Inner steps at 60s, 80s, 100s relative to @ 100 (range (40s, 100s]).
      expr: call('sum_over_time', subquery(call('last_over_time', matrix(selector('v'), 10_000)), 60_000, 20_000, { at: { kind: 'time', time: 100_000 } })),
      time: 0,
      expected: ['{} => 24'],
    },
    {
      name: 'subquery offset shifts the aligned steps',
      data: [{ labels: { __name__: 'v' }, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], interval: 10_000 } as { labels: Record<string, string>; values: TestValue[] }],
      // Steps of 30s in (100s - 20s - 60s, 100s - 20s] = (20s, 80s]: 30s, 60s.
      expr: call('sum_over_time', subquery(selector('v'), 60_000, 30_000, { offset: 20_000 })),
      time: 100_000,
      expected: ['{} => 9'],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const local = await storageWith(testCase.data);
      assert.deepEqual(vectorLines(await engine.instantQuery(local, testCase.expr, testCase.time)), testCase.expected);
    });
  }

  it('sort_by_label uses natural order', async () => {
    const local = await storageWith(['a10', 'a9', 'b1', 'a10b'].map((name) => ({ labels: { __name__: 'v', name }, values: [1] })));
    const result = await engine.instantQuery(local, call('sort_by_label', selector('v'), string('name')), 0);
    assert.equal(result.value.type, 'vector');
    if (result.value.type !== 'vector') return;
    assert.deepEqual(
      result.value.samples.map((sample) => labelsToRecord(sample.labels).name),
      ['a9', 'a10', 'a10b', 'b1'],
    );
  });
});

describe('limitk and limit_ratio', () => {
  const experimental = new Engine({ experimentalFunctions: true });
  const many = Array.from({ length: 40 }, (_unused, index) => ({ labels: { __name__: 'v', index: String(index) }, values: [index] as TestValue[] }));

  it('limitk takes the first k series of each group', async () => {
    const local = await storageWith(many);
    assert.equal(vectorLines(await experimental.instantQuery(local, aggregate('limitk', selector('v'), { param: number(3) }), 0)).length, 3);
  });

  it('limit_ratio r and -(1 - r) split the series into two disjoint sets', async () => {
    const local = await storageWith(many);
    const kept = vectorLines(await experimental.instantQuery(local, aggregate('limit_ratio', selector('v'), { param: number(0.3) }), 0));
    const rest = vectorLines(await experimental.instantQuery(local, aggregate('limit_ratio', selector('v'), { param: number(-0.7) }), 0));
    assert.equal(kept.length + rest.length, 40);
    assert.ok(kept.length > 0 && rest.length > 0);
    assert.equal(new Set([...kept, ...rest]).size, 40);
  });

  it('limit_ratio warns above 1', async () => {
    const local = await storageWith(many);
    const result = await experimental.instantQuery(local, aggregate('limit_ratio', selector('v'), { param: number(1.5) }), 0);
    assert.deepEqual(result.warnings, ['PromQL warning: ratio value should be between -1 and 1, got 1.5, capping to 1']);
    assert.equal(vectorLines(result).length, 40);
  });
});
