import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExpr, prettifyExpr } from './index.ts';
import { prettifyWithWidth } from './printer.ts';
import { formatDuration, goQuote } from '../../../model/index.ts';
import { formatNumber, parseDuration } from './text.ts';
import { VALID_CASES } from './valid-cases.ts';

const PRETTY_CASES: Array<[string, string]> = [
  ['up == 0', 'up == 0'],
  [
    'sum by (job, instance) (rate(http_requests_total{job="api-server",code=~"5..",method="GET"}[5m])) / sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m]))',
    `  sum by (job, instance) (rate(http_requests_total{code=~"5..",job="api-server",method="GET"}[5m]))
/
  sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m]))`,
  ],
  [
    'histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket{service="checkout",env="production"}[5m])))',
    `histogram_quantile(
  0.99,
  sum by (le, service) (
    rate(http_request_duration_seconds_bucket{env="production",service="checkout"}[5m])
  )
)`,
  ],
  [
    '-sum by (job) (rate(http_requests_total{job="api-server",code=~"5..",method="GET",handler="/api/v1/query"}[5m]))',
    `-sum by (job) (
  rate(http_requests_total{code=~"5..",handler="/api/v1/query",job="api-server",method="GET"}[5m])
)`,
  ],
  [
    'max_over_time(sum by (job) (rate(http_requests_total{job="api-server",code=~"5..",method="GET",handler="/x"}[5m]))[1h:1m])',
    `max_over_time(
  sum by (job) (rate(http_requests_total{code=~"5..",handler="/x",job="api-server",method="GET"}[5m]))[1h:1m]
)`,
  ],
  [
    'topk(10, sum by (job, instance, handler) (rate(http_requests_total{job="api-server",code=~"5..",method="GET"}[5m])))',
    `topk(
  10,
  sum by (job, instance, handler) (
    rate(http_requests_total{code=~"5..",job="api-server",method="GET"}[5m])
  )
)`,
  ],
  [
    'a_very_long_metric_name_number_one{label="value"} * on (instance) group_left (nodename) node_uname_info{job="node"}',
    `  a_very_long_metric_name_number_one{label="value"}
* on (instance) group_left (nodename)
  node_uname_info{job="node"}`,
  ],
  [
    '(a_very_long_metric_name_number_one{label="value"} + another_very_long_metric_name{label="value2"})',
    '(a_very_long_metric_name_number_one{label="value"} + another_very_long_metric_name{label="value2"})',
  ],
  [
    '(a_very_long_metric_name_number_one{label="value"} + another_very_long_metric_name{label="value_two"})',
    // The parenthesis is 102 characters and splits; the sum inside is exactly 100 and stays whole.
    `(
  a_very_long_metric_name_number_one{label="value"} + another_very_long_metric_name{label="value_two"}
)`,
  ],
  [
    '(a_very_long_metric_name_number_one{label="value"} + another_very_long_metric_name{label="value_three"})',
    `(
    a_very_long_metric_name_number_one{label="value"}
  +
    another_very_long_metric_name{label="value_three"}
)`,
  ],
];

describe('prettifyExpr (Prometheus Pretty(0), 100 characters per line)', () => {
  for (const [input, expected] of PRETTY_CASES) {
    it(input.slice(0, 60), () => {
      assert.equal(prettifyExpr(parseExpr(input)), expected);
    });
  }

  it('leaves every short valid case on one line, as formatExpr prints it', () => {
    for (const [input, expected] of VALID_CASES) {
      const canonical = expected ?? input;
      if (Buffer.byteLength(canonical) <= 100) assert.equal(prettifyExpr(parseExpr(input)), canonical);
    }
  });

  it('prettified text parses back to the same expression', () => {
    for (const [input] of PRETTY_CASES) {
      const expr = parseExpr(input);
      assert.equal(prettifyExpr(parseExpr(prettifyExpr(expr))), prettifyExpr(expr));
    }
  });
});

describe('prettify with a short line limit splits nested nodes', () => {
  const cases: Array<[string, string]> = [
    [
      'sum by (job) (rate(foo[5m]))',
      `sum by (job) (
  rate(
    foo[5m]
  )
)`,
    ],
    [
      'topk(5, bar + baz)',
      `topk(
  5,
  bar + baz
)`,
    ],
    ['a + b * c', 'a + b * c'],
    [
      '-(foo + barbaz)',
      `-(
  foo + barbaz
)`,
    ],
    [
      'label_join(foo, "dst", ",", "a")',
      `label_join(
  foo,
  "dst",
  ",",
  "a"
)`,
    ],
    ['foo_bar_baz[1h:5m]', 'foo_bar_baz[1h:5m]'],
    [
      '(foo_bar_baz + qux)[1h:]',
      `(
    foo_bar_baz
  +
    qux
)[1h:]`,
    ],
    [
      'a and on (x) bbbbbbbbbbb',
      `  a
and on (x)
  bbbbbbbbbbb`,
    ],
  ];
  for (const [input, expected] of cases) {
    it(input, () => {
      assert.equal(prettifyWithWidth(parseExpr(input), 12), expected);
    });
  }
});

describe('Go number formatting', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-1.5, '-1.5'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456789.125, '123456789.125'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [5e-324, `0.${'0'.repeat(323)}5`],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${expected.slice(0, 30)}`, () => assert.equal(formatNumber(value), expected));
  }
});

describe('durations', () => {
  const printed: Array<[number, string]> = [
    [0, '0s'],
    [1, '1ms'],
    [1500, '1s500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [604_800_000, '1w'],
    [691_200_000, '8d'],
    [31_536_000_000, '1y'],
    [31_536_000_000 + 86_400_000, '366d'],
    [-300_000, '-5m'],
  ];
  for (const [milliseconds, expected] of printed) {
    it(`${milliseconds} ms prints as ${expected}`, () => assert.equal(formatDuration(milliseconds), expected));
  }
  const parsed: Array<[string, number | string]> = [
    ['0', 0],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1y2w3d4h5m6s7ms', 31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7],
    ['', 'empty duration string'],
    ['5', 'not a valid duration string: "5"'],
    ['1m1h', 'not a valid duration string: "1m1h"'],
    ['1m1m', 'not a valid duration string: "1m1m"'],
    ['5x', 'unknown unit "x" in duration "5x"'],
    ['300y', 'duration out of range'],
  ];
  for (const [text, expected] of parsed) {
    it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), expected));
  }
});

describe('Go string quoting', () => {
  const cases: Array<[string, string]> = [
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\n\t\r\x07\b\f\v', '"\\n\\t\\r\\a\\b\\f\\v"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['é日本😀', '"é日本😀"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u200b', '"\\u200b"'],
    ['a\udcc5z', '"a\\xc5z"'],
    ['\ud800', '"\\ufffd"'],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.equal(goQuote(text), expected));
  }
});
