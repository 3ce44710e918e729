import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRuleTestFile } from './format.ts';

test('a full file decodes with every field', () => {
  const result = parseRuleTestFile(
    `rule_files: [a.yml, 'b/*.yml']
evaluation_interval: 30s
group_eval_order: [g1, g2]
fuzzy_compare: yes
tests:
  - name: t
    interval: 15s
    start_timestamp: 1700000000.5
    external_labels: {cluster: c1}
    external_url: http://x
    input_series:
      - series: up{job="a"}
        values: 1+1x3
      - series: plain
        values: 5
    alert_rule_test:
      - eval_time: 1m
        alertname: A
        exp_alerts:
          - exp_labels: {severity: page, code: 500}
            exp_annotations: {summary: "s"}
          -
    promql_expr_test:
      - expr: up
        eval_time: 0
        exp_samples:
          - labels: up{job="a"}
            value: .inf
          - labels: x
            value: 0x10
          - labels: y
`,
    'file.yml',
  );
  assert.ok(result.ok);
  const file = result.file;
  assert.deepEqual(file.ruleFiles, ['a.yml', 'b/*.yml']);
  assert.equal(file.evaluationIntervalMs, 30_000);
  assert.deepEqual(file.groupEvalOrder, ['g1', 'g2']);
  assert.equal(file.fuzzyCompare, true);
  const group = file.tests[0];
  assert.equal(group.name, 't');
  assert.equal(group.intervalMs, 15_000);
  assert.equal(group.startTimestamp, 1_700_000_000_500);
  assert.deepEqual(group.externalLabels, { cluster: 'c1' });
  assert.equal(group.externalURL, 'http://x');
  assert.deepEqual(group.inputSeries, [
    { series: 'up{job="a"}', values: '1+1x3' },
    { series: 'plain', values: '5' },
  ]);
  assert.deepEqual(group.alertRuleTests, [
    {
      evalTime: 60_000,
      alertname: 'A',
      expAlerts: [
        { labels: { severity: 'page', code: '500' }, annotations: { summary: 's' } },
        { labels: {}, annotations: {} },
      ],
    },
  ]);
  assert.deepEqual(group.promqlExprTests[0].expSamples, [
    { labels: 'up{job="a"}', value: Infinity },
    { labels: 'x', value: 16 },
    { labels: 'y', value: 0 },
  ]);
});

test('an empty file is an empty test file; absent fields keep their zero values', () => {
  const result = parseRuleTestFile('', 'empty.yml');
  assert.deepEqual(result, { ok: true, file: { ruleFiles: [], evaluationIntervalMs: 0, groupEvalOrder: [], fuzzyCompare: false, tests: [] } });
});

test("unknown keys and wrong types are all reported, in promtool's words and order", () => {
  const result = parseRuleTestFile(
    `rule_files: x
tests:
  - interval: 1m
    foo: 1
    input_series:
      - series: a
        value: 1
    alert_rule_test:
      - eval_time: {a: 1}
        exp_alerts:
          - exp_labels: [a]
    promql_expr_test:
      - exp_samples:
          - value: "5"
          - value: abcdefghijklmnop
    external_labels: c
fuzzy_compare: 2
`,
    'bad.yml',
  );
  assert.deepEqual(result, {
    ok: false,
    error: [
      'yaml: unmarshal errors:',
      '  line 1: cannot unmarshal !!str `x` into []string',
      '  line 4: field foo not found in type main.testGroup',
      '  line 7: field value not found in type main.series',
      '  line 9: cannot unmarshal !!map into string',
      '  line 11: cannot unmarshal !!seq into map[string]string',
      '  line 14: cannot unmarshal !!str `5` into float64',
      '  line 15: cannot unmarshal !!str `abcdefg...` into float64',
      '  line 16: cannot unmarshal !!str `c` into map[string]string',
      '  line 17: cannot unmarshal !!int `2` into bool',
    ].join('\n'),
  });
  assert.deepEqual(parseRuleTestFile('just text\n', 'f.yml'), { ok: false, error: 'yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `just text` into main.unitTestFile' });
});

test('a bad duration or timestamp ends decoding at once, with its position', () => {
  assert.deepEqual(parseRuleTestFile('tests:\n  - foo: 1\n    interval: 5 minutes\n', 'd.yml'), { ok: false, error: 'd.yml:3:15: not a valid duration string: "5 minutes"' });
  assert.deepEqual(parseRuleTestFile('evaluation_interval: 5\n', 'd.yml'), { ok: false, error: 'd.yml:1:22: not a valid duration string: "5"' });
  assert.deepEqual(parseRuleTestFile('tests:\n  - start_timestamp: yesterday\n', 't.yml'), { ok: false, error: 't.yml:2:22: cannot parse "yesterday" to a valid timestamp' });
  const rfc = parseRuleTestFile('tests:\n  - start_timestamp: "2024-01-01T00:00:00Z"\n', 't.yml');
  assert.ok(rfc.ok);
  assert.equal(rfc.file.tests[0].startTimestamp, Date.UTC(2024, 0, 1));
});

test('YAML syntax errors name file, line and column', () => {
  const result = parseRuleTestFile('tests:\n  - [\n', 's.yml');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /^s\.yml:\d+:\d+: yaml: /);
});
