import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseScript, runTestFile } from './index.ts';

/**
 * Vigil's own PromQL conformance files (`../testdata/*.test`, promqltest format) run through the
 * runner against the real engine: every eval must pass. This is how `npm test` covers them.
 */
const directory = fileURLToPath(new URL('../testdata/', import.meta.url));
const files = (await readdir(directory)).filter((name) => name.endsWith('.test')).sort();

test('the testdata directory holds conformance files', () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
});

// Each file runs with Prometheus's default name removal and with the delayed removal of its test engine.
for (const file of files) {
  for (const delayedNameRemoval of [false, true]) {
    test(`testdata/${file}${delayedNameRemoval ? ' (delayed name removal)' : ''}`, async () => {
      const result = await runTestFile(await readFile(directory + file, 'utf8'), { delayedNameRemoval });
      const report = result.failures.map((failure) => `${file}:${failure.line}: ${failure.message}`).join('\n');
      assert.equal(result.failed, 0, `${result.failed} failed:\n${report}`);
      assert.ok(result.passed > 0, 'no eval ran');
    });
  }
}

/**
 * Prometheus's own test files (its repository's `promql/promqltest/testdata/`, never copied into
 * Vigil): set PROMETHEUS_REPO to a clone or bare mirror of github.com/prometheus/prometheus. Every
 * failing eval must be one that needs native histograms, start timestamps or a feature Prometheus
 * keeps behind a flag (scope.ts); none of the stable language. At the commit below the counts per
 * file are pinned as docs/promql.md lists them, so a change either way shows.
 */
const PROMETHEUS_REPO = process.env.PROMETHEUS_REPO;
const PINNED_COMMIT = 'd15adb9ad7e5d9fbde3a9a8f30200593a5a14d86';
const TESTDATA = 'promql/promqltest/testdata/';

/** Per file: evals passed, then failed evals by reason: native histograms, feature flag, start timestamps. */
const PINNED_COUNTS: Record<string, [number, number, number, number]> = {
  aggregators: [126, 34, 0, 0],
  at_modifier: [78, 0, 0, 0],
  collision: [2, 0, 0, 0],
  duration_expression: [8, 0, 51, 0],
  extended_vectors: [30, 4, 135, 0],
  'fill-modifier': [1, 0, 45, 0],
  functions: [380, 51, 0, 0],
  histograms: [87, 84, 14, 0],
  info: [0, 0, 53, 0],
  limit: [15, 22, 0, 0],
  literals: [25, 0, 0, 0],
  name_label_dropping: [30, 0, 0, 0],
  native_histograms: [3, 515, 4, 0],
  operators: [145, 69, 0, 0],
  range_queries: [17, 1, 0, 0],
  selectors: [31, 0, 0, 0],
  staleness: [17, 0, 0, 0],
  start_timestamps: [2, 8, 0, 16],
  subquery: [32, 2, 0, 0],
  trig_functions: [19, 0, 0, 0],
  type_and_unit: [58, 0, 0, 0],
};

function git(...args: string[]): string {
  return execFileSync('git', ['-C', PROMETHEUS_REPO as string, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function hasCommit(commit: string): boolean {
  try {
    git('cat-file', '-e', `${commit}^{commit}`);
    return true;
  } catch {
    return false;
  }
}

const prometheusSkip = PROMETHEUS_REPO === undefined ? 'set PROMETHEUS_REPO to a clone of the prometheus/prometheus repository to run its promqltest files' : false;

test("Prometheus's own promqltest files: no eval of the stable language fails", { skip: prometheusSkip }, async () => {
  const pinned = hasCommit(PINNED_COMMIT);
  const revision = pinned ? PINNED_COMMIT : 'HEAD';
  const names = git('ls-tree', '--name-only', `${revision}:${TESTDATA}`).split('\n').filter((name) => name.endsWith('.test')).sort();
  assert.ok(names.length >= 15, `found ${names.length} files`);
  const stableFailures: string[] = [];
  const counts: Record<string, [number, number, number, number]> = {};
  for (const name of names) {
    const text = git('show', `${revision}:${TESTDATA}${name}`);
    const evalLines = new Set(parseScript(text).commands.filter((command) => command.kind === 'eval').map((command) => command.line));
    const result = await runTestFile(text);
    const fileCounts: [number, number, number, number] = [result.passed, 0, 0, 0];
    for (const failure of result.failures) {
      if (failure.outOfScope === undefined) stableFailures.push(`${name}:${failure.line}: ${failure.message}`);
      else if (evalLines.has(failure.line)) fileCounts[['native histograms', 'feature flag', 'start timestamps'].indexOf(failure.outOfScope) + 1]++;
    }
    counts[name.replace(/\.test$/, '')] = fileCounts;
  }
  assert.deepEqual(stableFailures, [], `evals of the stable language failed:\n${stableFailures.join('\n')}`);
  if (pinned) assert.deepEqual(counts, PINNED_COUNTS);
});
