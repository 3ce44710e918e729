import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTestFile } from './index.ts';

/** Failing evals are told apart: what Vigil does not support yet versus the stable language. */

test('a failing eval is out of scope only when it needs native histograms, start timestamps or a flagged feature', async () => {
  const file = [
    'load 1m',
    '  mixed{job="a"} 1 {{schema:0 sum:1 count:1}} 3',
    '  floats{job="a"} 1 2 3',
    '  counter_total{job="b"}@st _ -1m -1m',
    '  counter_total{job="b"} _ 60 120',
    '  latency_bucket{le="1"} 1 2 3',
    '',
    '# Reads a series that had a histogram sample: Prometheus answers from samples Vigil lacks.',
    'eval instant at 2m sum({job="a"})',
    '  {} 100',
    '',
    '# Float-only data: a wrong answer is a failure of the stable language.',
    'eval instant at 2m floats',
    '  floats{job="a"} 100',
    '',
    'eval instant at 1m mixed',
    '  mixed{job="a"} {{schema:0 sum:1 count:1}}',
    '',
    'eval instant at 2m rate(floats[2m] anchored)',
    '  {job="a"} 1',
    '',
    'eval instant at 2m counter_total',
    '  counter_total{job="b"} 0',
    '',
    'eval instant at 2m histogram_count(floats)',
    '  {job="a"} 1',
    '',
  ].join('\n');
  const result = await runTestFile(file);
  const reasons = result.failures.map((failure) => [failure.line, failure.outOfScope ?? 'stable']);
  assert.deepEqual(reasons, [
    [2, 'native histograms'],
    [4, 'start timestamps'],
    [9, 'native histograms'],
    [13, 'stable'],
    [16, 'native histograms'],
    [19, 'feature flag'],
    [22, 'start timestamps'],
    // A function only native histograms feed answers "not supported yet".
    [25, 'native histograms'],
  ]);
});

test('load_with_nhcb: evals over the converted histogram name are out of scope, over the buckets they are not', async () => {
  const file = [
    'load_with_nhcb 1m',
    '  latency_bucket{le="1"} 1 2 3',
    '  latency_bucket{le="+Inf"} 2 4 6',
    '',
    'eval instant at 2m histogram_quantile(0.5, latency)',
    '  {} 1',
    '',
    'eval instant at 2m latency_bucket',
    '  latency_bucket{le="1"} 0',
    '  latency_bucket{le="+Inf"} 0',
    '',
  ].join('\n');
  const result = await runTestFile(file);
  assert.deepEqual(
    result.failures.map((failure) => [failure.line, failure.outOfScope ?? 'stable']),
    [
      [1, 'native histograms'],
      [5, 'native histograms'],
      [8, 'stable'],
    ],
  );
});
