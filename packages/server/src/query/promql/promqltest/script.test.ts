import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageMatches, parseScript } from './script.ts';
import type { EvalCommand, LoadCommand } from './script.ts';

const example = `# a comment
load 1m
  metric{a="1"} 1+1x3
  metric{a="2"} _ 5

eval instant at 2m metric
  expect no_warn
  expect ordered
  metric{a="1"} 3
  metric{a="2"} 5

eval range from 0 to 2m step 1m sum(metric)
  expect warn msg: PromQL warning: something (1:1)
  expect info regex: some.*thing
  {} 1 7 8

clear

eval instant at 0 scalar(metric)
  NaN

eval_fail instant at 1m foo
  expected_fail_message boom

eval instant at 1m "text"
  expect string "te\\"xt"

eval instant at 1m metric[1m]
  expect range vector from 10s to 1m step 10s
  metric{a="1"} 1 2 3 4 5 6
`;

test('commands, times, expectations and line numbers of a file', () => {
  const script = parseScript(example);
  assert.deepEqual(script.problems, []);
  assert.deepEqual(
    script.commands.map((c) => [c.kind, c.line]),
    [
      ['load', 2],
      ['eval', 6],
      ['eval', 12],
      ['clear', 17],
      ['eval', 19],
      ['eval', 22],
      ['eval', 25],
      ['eval', 28],
    ],
  );
  const load = script.commands[0] as LoadCommand;
  assert.equal(load.interval, 60_000);
  assert.deepEqual(
    load.series.map((s) => [s.line, s.description.values.length]),
    [
      [3, 4],
      [4, 2],
    ],
  );
  const instant = script.commands[1] as EvalCommand;
  assert.equal(instant.isRange, false);
  assert.equal(instant.evalTime, 120_000);
  assert.equal(instant.expectNoWarn, true);
  assert.equal(instant.expectOrdered, true);
  assert.deepEqual(
    [...instant.expected.values()].map((e) => [e.position, e.line]),
    [
      [1, 9],
      [2, 10],
    ],
  );
  const range = script.commands[2] as EvalCommand;
  assert.deepEqual([range.isRange, range.start, range.end, range.step, range.expr], [true, 0, 120_000, 60_000, 'sum(metric)']);
  assert.equal(range.expectWarn.length, 1);
  assert.ok(messageMatches(range.expectWarn[0], 'PromQL warning: something (1:1)'));
  assert.ok(!messageMatches(range.expectWarn[0], 'PromQL warning: something'));
  assert.ok(messageMatches(range.expectInfo[0], 'an info: something else'), 'regexes are unanchored');
  const scalar = script.commands[4] as EvalCommand;
  assert.equal(scalar.expectScalar, true);
  assert.ok(Number.isNaN(scalar.scalar));
  const legacy = script.commands[5] as EvalCommand;
  assert.equal(legacy.legacyFail, true);
  assert.equal(legacy.expectedFailMessage, 'boom');
  const text = script.commands[6] as EvalCommand;
  assert.equal(text.expectedString, 'te"xt');
  assert.equal(text.excludeFromRangeQuery, true);
  const rangeVector = script.commands[7] as EvalCommand;
  assert.deepEqual([rangeVector.expectRangeVector, rangeVector.start, rangeVector.end, rangeVector.step, rangeVector.evalTime], [true, 10_000, 60_000, 10_000, 60_000]);
});

const problems: [string, string, number, RegExp][] = [
  ['unknown command', 'frobnicate 1m\n', 1, /invalid command/],
  ['bad load step', 'load 1x\n  m 1\n', 1, /invalid step definition/],
  ['bad series line', 'load 1m\n  m 1 2 +\n', 2, /invalid series line/],
  ['native histogram load', 'load 1m\n  m {{schema:0 sum:1 count:1}}\n', 2, /native histograms are not supported yet/],
  ['load_with_nhcb', 'load_with_nhcb 1m\n  m_bucket{le="1"} 1\n', 1, /native histograms are not supported yet/],
  ['start timestamps', 'load 1m\n  m@st 0 0\n  m 1 2\n', 2, /start timestamps/],
  ['bad eval', 'eval sometime m\n', 1, /invalid evaluation command/],
  ['bad eval time', 'eval instant at 1x m\n', 1, /invalid timestamp definition/],
  ['range end before start', 'eval range from 2m to 1m step 1m m\n', 1, /end timestamp \(1m\) is before start timestamp \(2m\)/],
  ['several values in an instant eval', 'eval instant at 1m m\n  m 1 2\n', 2, /expecting multiple values in instant evaluation not allowed/],
  ['warn with no_warn', 'eval instant at 1m m\n  expect warn\n  expect no_warn\n', 3, /warn and no_warn cannot be used together/],
  ['two expect fail', 'eval instant at 1m m\n  expect fail\n  expect fail msg: x\n', 3, /multiple expect fail lines/],
  ['bad expect', 'eval instant at 1m m\n  expect sometimes\n', 2, /invalid expect statement/],
  ['bad regex', 'eval instant at 1m m\n  expect fail regex: (\n', 2, /invalid regex/],
  ['unquoted string', 'eval instant at 1m "a"\n  expect string a\n', 2, /check that the string is correctly quoted/],
];

for (const [name, text, line, message] of problems) {
  test(`file problem: ${name}`, () => {
    const script = parseScript(text);
    assert.equal(script.problems.length, 1, JSON.stringify(script.problems));
    assert.equal(script.problems[0].line, line);
    assert.match(script.problems[0].message, message);
  });
}

test('reading goes on after a broken command', () => {
  const script = parseScript('bogus\n  more bogus\n\neval instant at 0 1\n  1\n');
  assert.equal(script.problems.length, 1);
  assert.equal(script.commands.length, 1);
  assert.equal(script.commands[0].line, 4);
});

test('native histograms in expected values mark the eval', () => {
  const script = parseScript('eval instant at 0 m\n  m {{schema:0 count:1 sum:1}}\n');
  assert.equal((script.commands[0] as EvalCommand).usesNativeHistograms, true);
});

test('a blank or comment line ends an eval block', () => {
  const script = parseScript('eval instant at 0 m\n  m 1\n  # comment\n  n 2\n');
  assert.equal((script.commands[0] as EvalCommand).expected.size, 1);
  assert.equal(script.problems.length, 1, 'the orphan series line is an invalid command');
  assert.equal(script.problems[0].line, 4);
});
