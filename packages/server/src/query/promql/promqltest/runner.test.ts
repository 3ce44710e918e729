import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelMatcher, isStaleNaN } from '../../../model/index.ts';
import type { Expr, VectorSelector } from '../ast.ts';
import { QueryError } from '../value.ts';
import type { QueryResult, QueryValue, VectorSample } from '../value.ts';
import { pinToTime, variantTimes } from './at-modifier.ts';
import { almostEqual, runTestFile } from './runner.ts';
import type { TestEngine, TestQueryable } from './runner.ts';

/**
 * A stand-in engine that understands two kinds of query: a bare metric name (the newest sample of
 * each series of that name in the 5m lookback window, read from the runner's storage) and canned
 * answers registered by text. It lets these tests exercise the runner's loading and checks without
 * depending on the real engine.
 */
class FakeEngine implements TestEngine {
  /** Canned answers: `time` honours a pinned `@`, `evaluationTime` is the time the query ran at. */
  readonly canned = new Map<string, (time: number, range: boolean, evaluationTime: number) => QueryResult | Error>();
  readonly calls: string[] = [];

  async instantQuery(queryable: TestQueryable, query: string, time: number): Promise<QueryResult> {
    this.calls.push(`instant ${query} @ ${time}`);
    return this.answer(queryable, query, time, false);
  }

  async rangeQuery(queryable: TestQueryable, query: string, start: number, end: number, step: number): Promise<QueryResult> {
    this.calls.push(`range ${query} ${start}..${end}/${step}`);
    const byKey = new Map<string, { labels: readonly string[]; timestamps: number[]; values: number[] }>();
    for (let time = start; time <= end; time += step) {
      const result = this.answer(queryable, query, time, true);
      const samples: VectorSample[] = result.value.type === 'vector' ? result.value.samples : result.value.type === 'scalar' ? [{ labels: [], timestamp: time, value: result.value.value }] : [];
      for (const sample of samples) {
        const key = sample.labels.join('\xff');
        let series = byKey.get(key);
        if (series === undefined) byKey.set(key, (series = { labels: sample.labels, timestamps: [], values: [] }));
        series.timestamps.push(time);
        series.values.push(sample.value);
      }
    }
    const series = [...byKey.values()].map((s) => ({ labels: s.labels, timestamps: Float64Array.from(s.timestamps), values: Float64Array.from(s.values) }));
    return { value: { type: 'matrix', series }, warnings: [], infos: [] };
  }

  private answer(queryable: TestQueryable, text: string, evaluationTime: number, range: boolean): QueryResult {
    const pinned = / @ (-?[0-9.]+)$/.exec(text);
    const query = pinned === null ? text : text.slice(0, pinned.index);
    const time = pinned === null ? evaluationTime : Number(pinned[1]) * 1000;
    const canned = this.canned.get(query);
    if (canned !== undefined) {
      const result = canned(time, range, evaluationTime);
      if (result instanceof Error) throw result;
      return result;
    }
    const querier = queryable.querier(time - 300_000 + 1, time);
    const samples: VectorSample[] = [];
    for (const series of querier.select([new LabelMatcher('=', '__name__', query)])) {
      const iterator = series.iterator();
      let found: number | null = null;
      while (iterator.next()) found = iterator.value;
      if (found !== null && !isStaleNaN(found)) samples.push({ labels: series.labels.filter((_, i) => i > 1), timestamp: time, value: found });
    }
    querier.close();
    return { value: { type: 'vector', samples }, warnings: [], infos: [] };
  }
}

/** Every query of these tests is one name, parsed as a selector and printed back with its `@`. */
const fakeParser = {
  parseExpr: (text: string): Expr => {
    if (text.startsWith('(')) throw new QueryError('bad_data', '1:1: parse error: unclosed left parenthesis');
    return selector(text);
  },
  formatExpr: (expr: Expr): string => (expr.type === 'VectorSelector' ? expr.name + (expr.at?.kind === 'time' ? ` @ ${(expr.at.time / 1000).toFixed(3)}` : '') : ''),
};

function value(v: QueryValue, warnings: string[] = [], infos: string[] = []): QueryResult {
  return { value: v, warnings, infos };
}

async function run(text: string, setup: (engine: FakeEngine) => void = () => {}) {
  const engine = new FakeEngine();
  setup(engine);
  const result = await runTestFile(text, { engine, parser: fakeParser });
  return { ...result, engine };
}

const LOAD = `load 1m
  up{job="a"} 1+1x5
  up{job="b"} 10 _ 30 stale
`;

test('a passing file: instant, range, scalar, string, errors and annotations', async () => {
  const result = await run(
    `${LOAD}
eval instant at 2m up
  {job="a"} 3
  {job="b"} 30

eval instant at 3m up
  expect no_warn
  {job="a"} 4

eval range from 0 to 2m step 1m up
  {job="a"} 1 2 3
  {job="b"} 10 10 30

eval instant at 1m answer
  42

eval instant at 1m text
  expect string "hello"

eval instant at 1m broken
  expect fail msg: many-to-many matching not allowed

eval instant at 1m noisy
  expect warn msg: PromQL warning: careful (1:1)
  expect info regex: info.*
  {} 1
`,
    (engine) => {
      engine.canned.set('answer', (time) => value({ type: 'scalar', timestamp: time, value: 42 }));
      engine.canned.set('text', (time) => value({ type: 'string', timestamp: time, value: 'hello' }));
      engine.canned.set('broken', () => new QueryError('execution', 'many-to-many matching not allowed'));
      engine.canned.set('noisy', (time) => value({ type: 'vector', samples: [{ labels: [], timestamp: time, value: 1 }] }, ['PromQL warning: careful (1:1)'], ['PromQL info: some info']));
    },
  );
  assert.deepEqual(result.failures, []);
  assert.deepEqual([result.passed, result.failed], [7, 0]);
});

test('instant evals are re-run pinned at other times and as a range query around their time', async () => {
  const { engine } = await run(`${LOAD}\neval instant at 2m up\n  {job="a"} 3\n  {job="b"} 30\n`);
  const times = engine.calls.filter((call) => call.startsWith('instant')).map((call) => Number(call.slice(call.lastIndexOf(' @ ') + 3)));
  assert.deepEqual(times, [120_000, -1_200_000, 0, 24_000, 120_000, 1_200_000]);
  assert.ok(engine.calls.includes('range up 60000..180000/60000'));
  assert.ok(engine.calls.includes('instant up @ 120.000 @ 0'), 'variants pin the selectors to the eval time');
  assert.deepEqual(variantTimes(0), [-1000, 0, 1000]);
});

const failures: [string, string, RegExp, ((engine: FakeEngine) => void)?][] = [
  ['wrong value', 'eval instant at 2m up\n  {job="a"} 4\n  {job="b"} 30\n', /expected 4 for \{job="a"\} but got 3/],
  ['missing series', 'eval instant at 2m up\n  {job="a"} 3\n  {job="b"} 30\n  {job="c"} 1\n', /expected metric \{job="c"\} .* not found/],
  ['unexpected series', 'eval instant at 2m up\n  {job="a"} 3\n', /unexpected metric \{job="b"\} in result/],
  ['value within 1e-6 relative is equal, beyond is not', 'eval instant at 2m up\n  {job="a"} 3.00001\n  {job="b"} 30\n', /expected 3.00001/],
  ['wrong order', 'eval instant at 2m up\n  expect ordered\n  {job="b"} 30\n  {job="a"} 3\n', /at position 2 but was at 1/],
  ['legacy eval_ordered', 'eval_ordered instant at 2m up\n  {job="b"} 30\n  {job="a"} 3\n', /at position 2 but was at 1/],
  ['range value', 'eval range from 0 to 2m step 1m up\n  {job="a"} 1 2 3\n  {job="b"} 10 11 30\n', /index 1 \(t=60000\) .* to be 11, but got 10/],
  ['range missing point', 'eval range from 0 to 2m step 1m up\n  {job="a"} 1 2 3\n  {job="b"} 10 _ 30\n', /expected 2 float points/],
  ['range too many points', 'eval range from 0 to 1m step 1m up\n  {job="a"} 1 2 3\n  {job="b"} 10 10\n', /cannot return this many points/],
  ['scalar expected, vector returned', 'eval instant at 2m up\n  3\n', /expected scalar result, but got a vector/],
  ['wrong scalar', 'eval instant at 1m answer\n  41\n', /expected scalar 41 but got 42/, (e) => e.canned.set('answer', (t) => value({ type: 'scalar', timestamp: t, value: 42 }))],
  ['wrong string', 'eval instant at 1m text\n  expect string "bye"\n', /expected string "bye" but got "hello"/, (e) => e.canned.set('text', (t) => value({ type: 'string', timestamp: t, value: 'hello' }))],
  ['error expected, none', 'eval instant at 2m up\n  expect fail\n', /expected error evaluating query but got none/],
  ['other error message', 'eval instant at 1m broken\n  expect fail msg: something else\n', /expected error matching message "something else"/, (e) => e.canned.set('broken', () => new QueryError('execution', 'boom'))],
  ['error regex mismatch', 'eval instant at 1m broken\n  expect fail regex: ^other\n', /expected error matching pattern/, (e) => e.canned.set('broken', () => new QueryError('execution', 'boom'))],
  ['legacy expected_fail_message', 'eval_fail instant at 1m broken\n  expected_fail_message bang\n', /expected error "bang"/, (e) => e.canned.set('broken', () => new QueryError('execution', 'boom'))],
  ['unexpected error', 'eval instant at 1m broken\n  {} 1\n', /error evaluating query: boom/, (e) => e.canned.set('broken', () => new QueryError('execution', 'boom'))],
  ['an engine crash is never an expected error', 'eval instant at 1m crash\n  expect fail\n', /engine crashed: TypeError: oops/, (e) => e.canned.set('crash', () => new TypeError('oops'))],
  ['missing warning', 'eval instant at 2m up\n  expect warn\n  {job="a"} 3\n  {job="b"} 30\n', /expected warn annotations but none were found/],
  ['legacy eval_warn', 'eval_warn instant at 2m up\n  {job="a"} 3\n  {job="b"} 30\n', /expected warnings evaluating query but got none/],
  ['unmatched warning', 'eval instant at 1m noisy\n  expect warn msg: PromQL warning: other\n  {} 1\n', /expected warn annotation matching message/, (e) => e.canned.set('noisy', (t) => value({ type: 'vector', samples: [{ labels: [], timestamp: t, value: 1 }] }, ['PromQL warning: careful']))],
  ['an extra warning beside an expected one', 'eval instant at 1m noisy\n  expect warn msg: PromQL warning: careful\n  {} 1\n', /unexpected warn annotation "PromQL warning: extra"/, (e) => e.canned.set('noisy', (t) => value({ type: 'vector', samples: [{ labels: [], timestamp: t, value: 1 }] }, ['PromQL warning: careful', 'PromQL warning: extra']))],
  ['no_info violated', 'eval instant at 1m noisy\n  expect no_info\n  {} 1\n', /unexpected info annotations/, (e) => e.canned.set('noisy', (t) => value({ type: 'vector', samples: [{ labels: [], timestamp: t, value: 1 }] }, [], ['PromQL info: hm']))],
  ['range mode disagrees', 'eval instant at 1m moody\n  {} 1\n', /range mode: expected 1 for \{\} but got 2/, (e) => e.canned.set('moody', (t, range) => value({ type: 'vector', samples: [{ labels: [], timestamp: t, value: range ? 2 : 1 }] }))],
  ['pinned variant disagrees', 'eval instant at 1m clock\n  {} 60\n', /variant "clock @ 60.000" at -600s/, (e) => e.canned.set('clock', (_t, _range, evaluationTime) => value({ type: 'vector', samples: [{ labels: [], timestamp: evaluationTime, value: evaluationTime / 1000 }] }))],
  ['range vector value', 'eval instant at 1m window\n  expect range vector from 0 to 1m step 30s\n  {} 1 _ 3\n', /index 1 \(t=60000\) for \{\} to be 3, but got 2/, (e) => e.canned.set('window', () => value({ type: 'matrix', series: [{ labels: [], timestamps: Float64Array.of(0, 60_000), values: Float64Array.of(1, 2) }] }))],
  ['range vector without expect range vector', 'eval instant at 1m window\n  {} 1\n', /cannot return this many points/, (e) => e.canned.set('window', () => value({ type: 'matrix', series: [{ labels: [], timestamps: Float64Array.of(60_000), values: Float64Array.of(1) }] }))],
  ['unsorted matrix', 'eval instant at 0 pair\n  expect range vector from 0 to 0 step 1m\n  {a="2"} 1\n  {a="1"} 1\n', /sorted by labels/, (e) => e.canned.set('pair', () => value({ type: 'matrix', series: [{ labels: ['a', '2'], timestamps: Float64Array.of(0), values: Float64Array.of(1) }, { labels: ['a', '1'], timestamps: Float64Array.of(0), values: Float64Array.of(1) }] }))],
  ['ordered expectation on a matrix', 'eval instant at 1m window\n  expect ordered\n  expect range vector from 1m to 1m step 1m\n  {} 1\n', /expected ordered result, but query returned a matrix/, (e) => e.canned.set('window', () => value({ type: 'matrix', series: [{ labels: [], timestamps: Float64Array.of(60_000), values: Float64Array.of(1) }] }))],
  ['legacy eval_info', 'eval_info instant at 2m up\n  {job="a"} 3\n  {job="b"} 30\n', /expected info annotations evaluating query but got none/],
  ['native histograms in the expectation', 'eval instant at 1m up\n  {job="a"} {{schema:0 sum:1 count:1}}\n', /native histograms are not supported yet/],
  ['expression that does not parse', 'eval instant at 1m (up\n  expect fail\n', /cannot parse/],
  ['range expression that does not parse', 'eval range from 0 to 1m step 1m (up\n  expect fail\n', /cannot parse/],
];

for (const [name, evalText, message, setup] of failures) {
  test(`detects: ${name}`, async () => {
    const result = await run(`${LOAD}\n${evalText}`, setup);
    assert.equal(result.passed, 0, JSON.stringify(result.failures));
    assert.equal(result.failed, 1);
    assert.equal(result.failures[0].line, 5);
    assert.match(result.failures[0].message, message);
  });
}

test('load problems count as failures and the rest of the file still runs', async () => {
  const result = await run('load 1m\n  up 1 2\n  up2 {{schema:0 sum:1 count:1}}\n\nload 1m\n  up 0\n\neval instant at 1m up\n  {} 2\n');
  assert.deepEqual(
    result.failures.map((f) => f.line),
    [3, 6],
  );
  assert.match(result.failures[1].message, /out of order sample/);
  assert.deepEqual([result.passed, result.failed], [1, 2]);
});

test('the float samples of a series line with native histograms are loaded', async () => {
  const result = await run('load 1m\n  up 5 {{schema:0 sum:1 count:1}} 7\n\neval instant at 1m up\n  {} 5\n\neval instant at 2m up\n  {} 7\n');
  assert.deepEqual(result.failures.map((f) => f.line), [2]);
  assert.match(result.failures[0].message, /native histograms are not supported yet: 1 histogram sample/);
  assert.deepEqual([result.passed, result.failed], [2, 1]);
});

test('clear empties the storage', async () => {
  const result = await run('load 1m\n  up 1\n\nclear\n\neval instant at 1m up\n');
  assert.deepEqual([result.passed, result.failed], [1, 0]);
});

test('almostEqual is Prometheus\'s almost.Equal with epsilon 1e-6', () => {
  assert.ok(almostEqual(1, 1 + 1e-7));
  assert.ok(!almostEqual(1, 1 + 1e-5));
  assert.ok(almostEqual(NaN, NaN));
  assert.ok(!almostEqual(0, 1e-300));
  assert.ok(almostEqual(Infinity, Infinity));
  assert.ok(!almostEqual(Infinity, -Infinity));
  const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0];
  assert.ok(almostEqual(stale, stale));
  assert.ok(!almostEqual(stale, NaN));
});

function selector(name: string, at: VectorSelector['at'] = null): VectorSelector {
  return { type: 'VectorSelector', name, matchers: [new LabelMatcher('=', '__name__', name)], offset: 0, at, position: { start: 0, end: 0 } };
}

test('pinning sets @ on selectors and subqueries, keeps fixed ones, and gives up on time-dependent functions', () => {
  const plain = selector('a');
  const fixed = selector('b', { kind: 'time', time: 5000 });
  const fromStart = selector('c', { kind: 'start' });
  const inner = selector('d');
  const expr: Expr = {
    type: 'BinaryExpr',
    op: '+',
    lhs: { type: 'BinaryExpr', op: '+', lhs: plain, rhs: fixed, returnBool: false, matching: null, position: { start: 0, end: 0 } },
    rhs: {
      type: 'BinaryExpr',
      op: '+',
      lhs: fromStart,
      rhs: { type: 'SubqueryExpr', expr: inner, range: 60_000, step: 0, offset: 0, at: null, position: { start: 0, end: 0 } },
      returnBool: false,
      matching: null,
      position: { start: 0, end: 0 },
    },
    returnBool: false,
    matching: null,
    position: { start: 0, end: 0 },
  };
  assert.equal(pinToTime(expr, 7000), true);
  assert.deepEqual(plain.at, { kind: 'time', time: 7000 });
  assert.deepEqual(fixed.at, { kind: 'time', time: 5000 });
  assert.deepEqual(fromStart.at, { kind: 'time', time: 7000 });
  assert.equal(inner.at, null, 'selectors inside a pinned subquery stay as they are');
  const call: Expr = { type: 'Call', func: { name: 'time', argTypes: [], variadic: 0, returnType: 'scalar', experimental: false }, args: [], position: { start: 0, end: 0 } };
  assert.equal(pinToTime(call, 7000), false);
});
