import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { floatsEqual, parseSampleLabels, runFilter, runRuleTestFile } from './runner.ts';
import { junitXml, testRuleFiles } from './report.ts';

const directory = mkdtempSync(join(tmpdir(), 'vigil-rule-tests-'));
after(() => rmSync(directory, { recursive: true, force: true }));
mkdirSync(join(directory, 'rules'));
writeFileSync(
  join(directory, 'rules/alerts.yml'),
  `groups:
  - name: g
    rules:
      - record: doubled
        expr: value * 2
      - alert: High
        expr: value > 5
        for: 2m
        annotations:
          summary: "{{ $labels.instance }} at {{ $value }}"
`,
);

function write(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

test('rule files are relative to the test file; a pattern matching nothing is a warning', async () => {
  const path = write(
    'relative.yml',
    `rule_files: [rules/alerts.yml, rules/none-*.yml]
tests:
  - interval: 1m
    input_series:
      - series: value{instance="a"}
        values: 1 6 7 8 9
    alert_rule_test:
      - eval_time: 2m
        alertname: High
      - eval_time: 3m
        alertname: High
        exp_alerts:
          - exp_labels: {instance: a}
            exp_annotations: {summary: "a at 8"}
    promql_expr_test:
      - expr: doubled
        eval_time: 4m
        exp_samples:
          - labels: doubled{instance="a"}
            value: 18
`,
  );
  const result = await runRuleTestFile(path);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, [`  WARNING: no file match pattern ${join(directory, 'rules/none-*.yml')}`]);
});

test('samples are loaded only up to each evaluation, and never past the largest eval_time', async () => {
  const path = write(
    'lazy.yml',
    `tests:
  - interval: 1m
    input_series:
      - series: value
        values: 1 2 3 4 5
    promql_expr_test:
      # At 1m (the largest eval_time) the samples of 2m and later were never loaded: looking
      # ahead to 3m finds the sample of 1m.
      - expr: value offset -2m
        eval_time: 1m
        exp_samples:
          - labels: value
            value: 2
`,
  );
  assert.deepEqual((await runRuleTestFile(path)).errors, []);
  const later = write(
    'lazy-later.yml',
    `tests:
  - interval: 1m
    input_series:
      - series: value
        values: 1 2 3 4 5
    promql_expr_test:
      - expr: value offset -2m
        eval_time: 1m
        exp_samples:
          - labels: value
            value: 4
      - expr: value
        eval_time: 3m
        exp_samples:
          - labels: value
            value: 4
`,
  );
  assert.deepEqual((await runRuleTestFile(later)).errors, []);
});

test('a series given twice keeps its last values', async () => {
  const path = write(
    'twice.yml',
    `tests:
  - interval: 1m
    input_series:
      - series: 'x{a="1"}'
        values: 1 2 3
      - series: 'x{a="1"}'
        values: 7 8
    promql_expr_test:
      - expr: x
        eval_time: 2m
        exp_samples:
          - labels: 'x{a="1"}'
            value: 8
`,
  );
  assert.deepEqual((await runRuleTestFile(path)).errors, []);
});

test("failures are promtool's texts; a missing file and native histograms are reported", async () => {
  const path = write(
    'failing.yml',
    `rule_files: [rules/alerts.yml]
tests:
  - name: named
    interval: 1m
    input_series:
      - series: value{instance="a"}
        values: 9x5
    alert_rule_test:
      - eval_time: 1m
        alertname: High
        exp_alerts:
          - exp_labels: {instance: a}
    promql_expr_test:
      - expr: doubled
        eval_time: 1m
        exp_samples:
          - labels: doubled{instance="b"}
            value: 18
  - interval: 1m
    input_series:
      - series: h
        values: '{{schema:0 sum:1 count:1}}'
`,
  );
  const result = await runRuleTestFile(path);
  assert.deepEqual(result.errors, [
    '    name: named,\n    alertname: High, time: 1m, \n        exp:[\n            0:\n              Labels:{alertname="High", instance="a"}\n              Annotations:{}\n            ], \n        got:[]',
    '    expr: "doubled", time: 1m,\n        exp: {__name__="doubled", instance="b"} 1.8E+01\n        got: {__name__="doubled", instance="a"} 1.8E+01',
    'input series "h": native histogram values are not supported',
  ]);
  const missing = join(directory, 'missing.yml');
  assert.deepEqual((await runRuleTestFile(missing)).errors, [`open ${missing}: no such file or directory`]);
});

test('the report: promtool lines on the right streams, exit 1 when any file fails', async () => {
  const good = write('good.yml', 'tests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: vector(1)\n        exp_samples:\n          - labels: "{}"\n            value: 1\n');
  const bad = write('bad.yml', 'group_eval_order: [a, a]\n');
  const lines: string[] = [];
  const code = await testRuleFiles([good, bad], {}, { out: (line) => lines.push(`out ${line}`), err: (line) => lines.push(`err ${line}`) });
  assert.equal(code, 1);
  assert.deepEqual(lines, [`out Unit Testing:  ${good}`, 'out   SUCCESS', 'out ', `out Unit Testing:  ${bad}`, 'err   FAILED:', 'err group name repeated in evaluation order: a', 'out ', 'out ']);
  assert.equal(await testRuleFiles([good], {}, { out: () => {}, err: () => {} }), 0);
});

test('--run selects test groups by name, unanchored', async () => {
  const path = write('run.yml', 'tests:\n  - name: alpha one\n    promql_expr_test:\n      - expr: vector(1)\n  - name: beta\n    promql_expr_test:\n      - expr: vector(1)\n');
  assert.equal((await runRuleTestFile(path, { run: ['alpha'] })).errors.length, 1);
  assert.equal((await runRuleTestFile(path, { run: ['^beta$', 'one'] })).errors.length, 2);
  assert.equal((await runRuleTestFile(path, { run: ['gamma'] })).errors.length, 0);
  const filter = runFilter(['a|b']);
  assert.ok(filter !== null && filter('xbx') && !filter('c'));
  assert.equal(runFilter([]), null);
});

test('float comparison is exact unless fuzzy, which allows one ulp either way', () => {
  assert.ok(floatsEqual(0.3, 0.3, false));
  assert.ok(floatsEqual(0, -0, false));
  assert.ok(!floatsEqual(NaN, NaN, true));
  assert.ok(!floatsEqual(0.3, 0.1 + 0.2, false));
  assert.ok(floatsEqual(0.3, 0.1 + 0.2, true));
  assert.ok(floatsEqual(0, Number.MIN_VALUE, true));
  assert.ok(!floatsEqual(1, 1 + 4 * Number.EPSILON, true));
});

test('expected sample labels parse as promtool parses a metric', () => {
  assert.deepEqual(parseSampleLabels(''), []);
  assert.deepEqual(parseSampleLabels('{}'), []);
  assert.deepEqual(parseSampleLabels('up{job="a", instance="b"}'), ['__name__', 'up', 'instance', 'b', 'job', 'a']);
  assert.equal(parseSampleLabels('up{job=api}'), '1:8: parse error: unexpected identifier "api" in label set, expected string');
  assert.equal(typeof parseSampleLabels('up 5'), 'string');
});

test("--junit: Prometheus 3's JUnit XML, one suite per file and one case per test group", async () => {
  const path = write(
    'junit.yml',
    `tests:
  - name: 'passes & "quotes"'
    promql_expr_test:
      - expr: vector(1)
        exp_samples:
          - labels: '{}'
            value: 1
  - promql_expr_test:
      - expr: vector(2)
`,
  );
  const aborted = write('junit-aborted.yml', 'group_eval_order: [a, a]\n');
  let xml = '';
  await testRuleFiles([path, aborted], {}, { out: () => {}, err: () => {}, junit: (text) => (xml = text) });
  const started = /timestamp="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"/.exec(xml)?.[1] ?? 'missing';
  assert.equal(
    xml,
    `<testsuites><testsuite name="${path}" tests="2" failures="1" errors="0" skipped="0" timestamp="${started}">` +
      '<testcase name="passes &amp; &#34;quotes&#34;"></testcase>' +
      '<testcase name="unnamed#1"><failure>    expr: &#34;vector(2)&#34;, time: 0s,&#xA;        exp: nil&#xA;        got: {} 2E+00</failure></testcase></testsuite>' +
      `<testsuite name="${aborted}" tests="1" failures="0" errors="1" skipped="0" timestamp="${started}"><testcase name="unknown"><error>group name repeated in evaluation order: a</error></testcase></testsuite></testsuites>`,
  );
  assert.equal(junitXml([]), '<testsuites></testsuites>');
});
