import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertListString, formatFloatE, goDurationString, goLabelsString, indentLines, samplesString } from './go-format.ts';

test("formatFloatE prints as Go's strconv.FormatFloat(v, 'E', -1, 64)", () => {
  const cases: [number, string][] = [
    [50, '5E+01'],
    [1, '1E+00'],
    [0, '0E+00'],
    [-0, '-0E+00'],
    [1.5, '1.5E+00'],
    [1e-7, '1E-07'],
    [0.1 + 0.2, '3.0000000000000004E-01'],
    [1.2345678901234568e20, '1.2345678901234568E+20'],
    [5e-324, '5E-324'],
    [-2.5e300, '-2.5E+300'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, text] of cases) assert.equal(formatFloatE(value), text, String(value));
});

test("goDurationString prints as Go's time.Duration.String()", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [3_661_250, '1h1m1.25s'],
    [86_400_000, '24h0m0s'],
    [-60_000, '-1m0s'],
  ];
  for (const [ms, text] of cases) assert.equal(goDurationString(ms), text, String(ms));
});

test('goLabelsString keeps __name__ inside the braces and quotes values as Go does', () => {
  assert.equal(goLabelsString([]), '{}');
  assert.equal(goLabelsString(['__name__', 'up', 'job', 'a"b\n']), '{__name__="up", job="a\\"b\\n"}');
  assert.equal(goLabelsString(['service.name', 'x']), '{"service.name"="x"}');
});

test("alertListString and samplesString lay out lists as promtool's messages do", () => {
  assert.equal(alertListString([]), '[]');
  const two = alertListString([
    { labels: ['alertname', 'A', 'job', 'x'], annotations: [] },
    { labels: ['alertname', 'A'], annotations: ['summary', 's'] },
  ]);
  assert.equal(two, '[\n0:\n  Labels:{alertname="A", job="x"}\n  Annotations:{},\n1:\n  Labels:{alertname="A"}\n  Annotations:{summary="s"}\n]');
  assert.equal(indentLines('a\nb\nc', '  '), 'a\n  b\n  c');
  assert.equal(samplesString([]), 'nil');
  assert.equal(samplesString([{ labels: ['job', 'a'], value: 2 }, { labels: [], value: NaN }]), '{job="a"} 2E+00, {} NaN');
});
