import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateExpr, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, UnaryExpr, VectorSelector } from '../ast.ts';
import { ParseError } from '../value.ts';
import { ERROR_CASES } from './error-cases.ts';
import { FUNCTION_SIGNATURES, formatExpr, getFunction, parseExpr } from './index.ts';
import { VALID_CASES } from './valid-cases.ts';

describe('parseExpr: valid expressions print canonically', () => {
  for (const [input, expected] of VALID_CASES) {
    it(JSON.stringify(input), () => {
      assert.equal(formatExpr(parseExpr(input)), expected ?? input);
    });
  }
});

describe('round trip: parsing the printed form prints the same', () => {
  for (const [input] of VALID_CASES) {
    it(JSON.stringify(input), () => {
      const printed = formatExpr(parseExpr(input));
      assert.equal(formatExpr(parseExpr(printed)), printed);
    });
  }
});

describe('parseExpr: invalid expressions fail with Prometheus\'s message', () => {
  for (const [input, expected] of ERROR_CASES) {
    it(JSON.stringify(input), () => {
      assert.throws(
        () => parseExpr(input),
        (error: unknown) => {
          assert.ok(error instanceof ParseError, `not a ParseError: ${String(error)}`);
          assert.equal(error.message, expected);
          assert.equal(error.kind, 'bad_data');
          if (input !== '') assert.ok(expected.startsWith(`${error.line}:${error.column}: `));
          assert.ok(error.position !== undefined && error.position.start <= error.position.end);
          return true;
        },
      );
    });
  }
});

/** A compact picture of the tree: operators and operands, parenthesised. */
function shape(expr: Expr): string {
  switch (expr.type) {
    case 'NumberLiteral':
      return String(expr.value);
    case 'StringLiteral':
      return JSON.stringify(expr.value);
    case 'VectorSelector':
      return expr.name || '{}';
    case 'MatrixSelector':
      return `${shape(expr.vectorSelector)}[${expr.range}]`;
    case 'SubqueryExpr':
      return `${shape(expr.expr)}[${expr.range}:${expr.step}]`;
    case 'ParenExpr':
      return `paren(${shape(expr.expr)})`;
    case 'UnaryExpr':
      return `(${expr.op}${shape(expr.expr)})`;
    case 'BinaryExpr':
      return `(${shape(expr.lhs)} ${expr.op} ${shape(expr.rhs)})`;
    case 'AggregateExpr':
      return `${expr.op}(${expr.param !== null ? `${shape(expr.param)}, ` : ''}${shape(expr.expr)})`;
    case 'Call':
      return `${expr.func.name}(${expr.args.map(shape).join(', ')})`;
  }
}

describe('tree shapes: precedence and associativity', () => {
  const cases: Array<[string, string]> = [
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b * c', '((a / b) * c)'],
    ['a ^ b ^ c', '(a ^ (b ^ c))'],
    ['a * b ^ c', '(a * (b ^ c))'],
    ['-a ^ b', '(-(a ^ b))'],
    ['-2 ^ 2', '(-(2 ^ 2))'],
    ['-a * b', '((-a) * b)'],
    ['-a + b', '((-a) + b)'],
    ['a * -b + c', '((a * (-b)) + c)'],
    ['a ^ -b ^ c', '(a ^ (-(b ^ c)))'],
    ['-1', '-1'],
    ['- -1', '1'],
    ['a atan2 b * c', '((a atan2 b) * c)'],
    ['a % b ^ c', '(a % (b ^ c))'],
    ['a + b > c', '((a + b) > c)'],
    ['a > b + c', '(a > (b + c))'],
    ['a == b != c', '((a == b) != c)'],
    ['a and b > c', '(a and (b > c))'],
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['a unless b and c', '((a unless b) and c)'],
    ['a or b or c', '((a or b) or c)'],
    ['(a + b) * c', '(paren((a + b)) * c)'],
    ['sum(a) + b', '(sum(a) + b)'],
    ['topk(3, a) * 2', '(topk(3, a) * 2)'],
    ['rate(a[5m]) / b', '(rate(a[300000]) / b)'],
    ['max_over_time(a[5m:1m]) + b', '(max_over_time(a[300000:60000]) + b)'],
    ['a offset 1m + b @ 5', '(a + b)'],
    ['2 * 3 + 4', '((2 * 3) + 4)'],
  ];
  for (const [input, expected] of cases) {
    it(input, () => {
      assert.equal(shape(parseExpr(input)), expected);
    });
  }
});

describe('tree details', () => {
  it('a selector keeps its matchers, the name matcher last', () => {
    const selector = parseExpr('foo{a="b", c!~"d|e"}') as VectorSelector;
    assert.equal(selector.type, 'VectorSelector');
    assert.equal(selector.name, 'foo');
    assert.deepEqual(
      selector.matchers.map((matcher) => [matcher.name, matcher.type, matcher.value]),
      [
        ['a', '=', 'b'],
        ['c', '!~', 'd|e'],
        ['__name__', '=', 'foo'],
      ],
    );
    assert.equal(selector.matchers[1].matches('d'), false);
    assert.equal(selector.matchers[1].matches('x'), true);
    assert.equal(selector.offset, 0);
    assert.equal(selector.at, null);
  });

  it('a metric named inside the braces is a matcher, not a name (as in Prometheus)', () => {
    const selector = parseExpr('{"my.metric", "a.b"="c"}') as VectorSelector;
    assert.equal(selector.name, '');
    assert.deepEqual(
      selector.matchers.map((matcher) => [matcher.name, matcher.value]),
      [
        ['__name__', 'my.metric'],
        ['a.b', 'c'],
      ],
    );
  });

  it('offsets and @ are kept in milliseconds', () => {
    const selector = parseExpr('foo offset -1h30m @ 1700000000.5') as VectorSelector;
    assert.equal(selector.offset, -5_400_000);
    assert.deepEqual(selector.at, { kind: 'time', time: 1_700_000_000_500 });
    assert.deepEqual((parseExpr('foo @ start()') as VectorSelector).at, { kind: 'start' });
    assert.deepEqual((parseExpr('foo @ end()') as VectorSelector).at, { kind: 'end' });
    assert.equal((parseExpr('foo offset 1.5') as VectorSelector).offset, 1500);
  });

  it('a range selector carries offset and @ on its vector selector', () => {
    const matrix = parseExpr('foo[5m] @ 10 offset 1m') as MatrixSelector;
    assert.equal(matrix.type, 'MatrixSelector');
    assert.equal(matrix.range, 300_000);
    assert.equal(matrix.vectorSelector.offset, 60_000);
    assert.deepEqual(matrix.vectorSelector.at, { kind: 'time', time: 10_000 });
  });

  it('a subquery has range, step, offset and @', () => {
    const subquery = parseExpr('rate(foo[1m])[1h:30s] offset 5m @ end()') as SubqueryExpr;
    assert.equal(subquery.type, 'SubqueryExpr');
    assert.equal(subquery.range, 3_600_000);
    assert.equal(subquery.step, 30_000);
    assert.equal(subquery.offset, 300_000);
    assert.deepEqual(subquery.at, { kind: 'end' });
    assert.equal((parseExpr('foo[1h:]') as SubqueryExpr).step, 0);
  });

  it('vector matching: cardinality, labels, on/ignoring, include', () => {
    const groupLeft = parseExpr('a * on(x, y) group_left(z) b') as BinaryExpr;
    assert.deepEqual(groupLeft.matching, { card: 'many-to-one', matchingLabels: ['x', 'y'], on: true, include: ['z'] });
    const groupRight = parseExpr('a / ignoring(x) group_right b') as BinaryExpr;
    assert.deepEqual(groupRight.matching, { card: 'one-to-many', matchingLabels: ['x'], on: false, include: [] });
    const plain = parseExpr('a - b') as BinaryExpr;
    assert.deepEqual(plain.matching, { card: 'one-to-one', matchingLabels: [], on: false, include: [] });
    const set = parseExpr('a and on(x) b') as BinaryExpr;
    assert.deepEqual(set.matching, { card: 'many-to-many', matchingLabels: ['x'], on: true, include: [] });
    assert.equal((parseExpr('a or b') as BinaryExpr).matching?.card, 'many-to-many');
    assert.equal((parseExpr('a + 1') as BinaryExpr).matching, null);
    assert.equal((parseExpr('1 + 1') as BinaryExpr).matching, null);
    assert.equal((parseExpr('a > bool 1') as BinaryExpr).returnBool, true);
    assert.equal((parseExpr('a > 1') as BinaryExpr).returnBool, false);
  });

  it('aggregations: grouping, without, parameter', () => {
    const sum = parseExpr('sum without (a, "b.c") (foo)') as AggregateExpr;
    assert.equal(sum.op, 'sum');
    assert.deepEqual(sum.grouping, ['a', 'b.c']);
    assert.equal(sum.without, true);
    assert.equal(sum.param, null);
    const by = parseExpr('sum(foo) by (job)') as AggregateExpr;
    assert.deepEqual(by.grouping, ['job']);
    assert.equal(by.without, false);
    const topk = parseExpr('topk(5, foo)') as AggregateExpr;
    assert.equal(topk.param?.type, 'NumberLiteral');
    assert.equal(shape(topk.expr), 'foo');
    const countValues = parseExpr('count_values("v", foo)') as AggregateExpr;
    assert.equal(countValues.param?.type, 'StringLiteral');
  });

  it('calls refer to the signature table', () => {
    const call = parseExpr('round(foo, 5)') as Call;
    assert.equal(call.func, getFunction('round'));
    assert.equal(call.args.length, 2);
  });

  it('a sign folds into a number literal but not into other expressions', () => {
    const number = parseExpr('-5');
    assert.deepEqual(number, { type: 'NumberLiteral', value: -5, position: { start: 0, end: 2 } });
    const unary = parseExpr('-(5)') as UnaryExpr;
    assert.equal(unary.type, 'UnaryExpr');
    assert.equal(unary.op, '-');
  });

  it('strings decode Go escapes; raw strings do not', () => {
    assert.deepEqual(parseExpr('"a\\tb\\u00e9\\x41\\101"'), {
      type: 'StringLiteral',
      value: 'a\tbéAA',
      position: { start: 0, end: 20 },
    });
    assert.equal((parseExpr('`a\\tb`') as { value: string }).value, 'a\\tb');
    assert.equal((parseExpr("'\\''") as { value: string }).value, "'");
    assert.equal((parseExpr('"\\xc3\\xa9"') as { value: string }).value, 'é');
  });
});

describe('positions', () => {
  const cases: Array<[string, (expr: Expr) => Expr, number, number]> = [
    ['foo', (expr) => expr, 0, 3],
    ['  foo{a="b"}  ', (expr) => expr, 2, 12],
    ['foo offset 5m', (expr) => expr, 0, 13],
    ['foo @ start()', (expr) => expr, 0, 13],
    ['foo[5m]', (expr) => expr, 0, 7],
    ['foo[5m]', (expr) => (expr as MatrixSelector).vectorSelector, 0, 3],
    ['foo[5m] offset 1h', (expr) => expr, 0, 17],
    ['foo[5m] offset 1h', (expr) => (expr as MatrixSelector).vectorSelector, 0, 3],
    ['foo[1h:5m] @ 10', (expr) => expr, 0, 15],
    ['rate(foo[5m])', (expr) => expr, 0, 13],
    ['rate(foo[5m])', (expr) => (expr as Call).args[0], 5, 12],
    ['sum by (a) (foo)', (expr) => expr, 0, 16],
    ['sum(foo) by (a)', (expr) => expr, 0, 15],
    ['sum(foo) by (a)', (expr) => (expr as AggregateExpr).expr, 4, 7],
    ['a + b', (expr) => expr, 0, 5],
    ['a + b', (expr) => (expr as BinaryExpr).rhs, 4, 5],
    ['(a + b)', (expr) => expr, 0, 7],
    ['-foo', (expr) => expr, 0, 4],
    ['- 1', (expr) => expr, 0, 3],
    ['label_replace(foo, "é", "b", "c", "d")', (expr) => (expr as Call).args[2], 24, 27],
    ['topk(3, foo)', (expr) => (expr as AggregateExpr).param as Expr, 5, 6],
    ['a\n  * b', (expr) => (expr as BinaryExpr).rhs, 6, 7],
  ];
  for (const [input, pick, start, end] of cases) {
    it(`${JSON.stringify(input)} → ${start}..${end}`, () => {
      assert.deepEqual(pick(parseExpr(input)).position, { start, end });
    });
  }
});

describe('experimental functions', () => {
  const experimental = [
    'limitk(2, foo)',
    'limit_ratio(0.5, foo)',
    'double_exponential_smoothing(foo[5m], 0.5, 0.5)',
    'mad_over_time(foo[5m])',
    'sort_by_label(foo, "a", "b")',
    'sort_by_label_desc(foo, "a")',
    'ts_of_max_over_time(foo[5m])',
    'max_of(1, 2)',
    'histogram_quantiles(foo, "q", 0.5, 0.9)',
  ];
  for (const input of experimental) {
    it(`${input} needs the option`, () => {
      assert.throws(() => parseExpr(input), ParseError);
      assert.equal(formatExpr(parseExpr(input, { experimentalFunctions: true })), input);
    });
  }

  it('functions Vigil does not implement stay rejected even with the option', () => {
    assert.throws(() => parseExpr('info(foo)', { experimentalFunctions: true }), /is not supported yet/);
  });

  it('start(), end(), range() and step() are experimental calls', () => {
    for (const input of ['step()', 'start()', 'end()', 'range()']) {
      assert.equal(formatExpr(parseExpr(input, { experimentalFunctions: true })), input);
      assert.throws(() => parseExpr(input), /is not enabled/);
    }
  });

  it('holt_winters is a stable spelling', () => {
    assert.equal(formatExpr(parseExpr('holt_winters(foo[5m], 0.1, 0.9)')), 'holt_winters(foo[5m], 0.1, 0.9)');
  });
});

describe('function signature table', () => {
  it('has every function with its types', () => {
    assert.equal(FUNCTION_SIGNATURES.size, 91);
    assert.deepEqual(getFunction('rate'), {
      name: 'rate',
      argTypes: ['matrix'],
      variadic: 0,
      returnType: 'vector',
      experimental: false,
    });
    assert.deepEqual(getFunction('label_join')?.argTypes, ['vector', 'string', 'string', 'string']);
    assert.equal(getFunction('label_join')?.variadic, -1);
    assert.equal(getFunction('round')?.variadic, 1);
    assert.equal(getFunction('histogram_quantiles')?.variadic, 9);
    assert.equal(getFunction('time')?.returnType, 'scalar');
    assert.equal(getFunction('scalar')?.returnType, 'scalar');
    assert.deepEqual(getFunction('histogram_fraction')?.argTypes, ['scalar', 'scalar', 'vector']);
    assert.equal(getFunction('nope'), undefined);
    assert.equal(getFunction('Rate'), undefined);
  });

  it('marks experimental functions as Prometheus does; holt_winters is not', () => {
    const experimental = [...FUNCTION_SIGNATURES.values()].filter((signature) => signature.experimental).map((signature) => signature.name);
    assert.deepEqual(experimental.sort(), [
      'double_exponential_smoothing',
      'end',
      'histogram_quantiles',
      'info',
      'mad_over_time',
      'max_of',
      'min_of',
      'range',
      'sort_by_label',
      'sort_by_label_desc',
      'start',
      'start_timestamp',
      'step',
      'ts_of_first_over_time',
      'ts_of_last_over_time',
      'ts_of_max_over_time',
      'ts_of_min_over_time',
    ]);
    assert.deepEqual(getFunction('holt_winters')?.argTypes, getFunction('double_exponential_smoothing')?.argTypes);
    assert.equal(getFunction('holt_winters')?.experimental, false);
  });

  it('every name maps to a signature of that name', () => {
    for (const [name, signature] of FUNCTION_SIGNATURES) assert.equal(signature.name, name);
  });
});

describe('a large query', () => {
  it('parses a query of more than 1 KB', () => {
    const parts: string[] = [];
    for (let index = 0; index < 20; index++) {
      parts.push(`sum by (job, instance) (rate(http_requests_total{code=~"5..",job="api-${index}"}[5m]))`);
    }
    const query = parts.join(' + ');
    assert.ok(query.length > 1024);
    const expr = parseExpr(query);
    assert.equal(formatExpr(expr), query);
  });
});
