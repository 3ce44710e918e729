/**
 * Interop: `vigil test rules` and Debian's `promtool test rules` (2.42) on the shared set of
 * rule-test files in test/rules-tests agree on pass/fail per file and on every line printed. Where
 * Prometheus 3 (which Vigil follows) and promtool 2.42 differ, or where Vigil words an error its own
 * way, the table below says so file by file and what is compared instead.
 *
 * The first part runs Vigil alone (no promtool needed) and checks each file's outcome; the second
 * runs both tools.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { runRuleTestFile } from '../../packages/server/src/rules/unittest/index.ts';
import { ROOT, VIGIL_BIN, requireBinary } from '../support/vigil.ts';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const skip = requireBinary(PROMTOOL);
const run = promisify(execFile);
const DIRECTORY = join(ROOT, 'test/rules-tests');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function execute(command: string, args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 120_000, cwd: DIRECTORY });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * How the two tools' reports compare:
 * - `same`: exit status, standard output and standard error byte for byte;
 * - `positions`: the same once `file:line:col` positions are taken out (Vigil names where every
 *   problem is; promtool 2.42 gives some positions in another form, others not at all);
 * - `own-words`: both fail with the same number of failures, worded differently (the reason is given);
 * - `outcome`: pass/fail differ on purpose (a Prometheus 2 → 3 change, the reason is given).
 */
type Comparison = { kind: 'same' } | { kind: 'positions' } | { kind: 'own-words'; why: string } | { kind: 'outcome'; promtool: 'pass' | 'fail'; why: string };

interface Expectation {
  /** Vigil's outcome. */
  vigil: 'pass' | 'fail';
  compare: Comparison;
}

const SAME: Comparison = { kind: 'same' };

const EXPECTATIONS: Record<string, Expectation> = {
  'alerts-for.test.yml': { vigil: 'pass', compare: SAME },
  'external-labels.test.yml': { vigil: 'pass', compare: SAME },
  'group-order.test.yml': { vigil: 'pass', compare: SAME },
  'group-order-reversed.test.yml': { vigil: 'pass', compare: SAME },
  'histogram.test.yml': { vigil: 'pass', compare: SAME },
  'keep-firing.test.yml': { vigil: 'pass', compare: SAME },
  'recording.test.yml': { vigil: 'pass', compare: SAME },
  'seed-chorus-bridge.test.yml': { vigil: 'pass', compare: SAME },
  'seed-metamask-integration.test.yml': { vigil: 'pass', compare: SAME },
  'seed-quant-backend.test.yml': { vigil: 'pass', compare: SAME },
  'staleness.test.yml': { vigil: 'pass', compare: SAME },
  'templates.test.yml': { vigil: 'pass', compare: SAME },
  'timing.test.yml': { vigil: 'pass', compare: SAME },
  'warn-no-match.test.yml': { vigil: 'pass', compare: SAME },
  'fail-alerts.test.yml': { vigil: 'fail', compare: SAME },
  'fail-eval-error.test.yml': { vigil: 'fail', compare: SAME },
  'fail-edge-cases.test.yml': { vigil: 'fail', compare: SAME },
  'fail-exprs.test.yml': { vigil: 'fail', compare: SAME },
  'fail-format.test.yml': { vigil: 'fail', compare: SAME },
  'fail-group-order.test.yml': { vigil: 'fail', compare: SAME },
  'fail-setup.test.yml': { vigil: 'fail', compare: SAME },
  'fail-duration.test.yml': { vigil: 'fail', compare: { kind: 'positions' } },
  'fail-rule-file.test.yml': { vigil: 'fail', compare: { kind: 'positions' } },
  'fail-input-selector.test.yml': { vigil: 'fail', compare: SAME },
  'fail-input-series.test.yml': {
    vigil: 'fail',
    compare: { kind: 'own-words', why: "for values, promtool names the series grammar's token at its column; Vigil quotes the series and the item at fault" },
  },
  'fail-yaml-syntax.test.yml': {
    vigil: 'fail',
    compare: { kind: 'own-words', why: "YAML syntax errors come from different YAML parsers (go-yaml's text vs Vigil's, with file:line:col)" },
  },
  'differs-range-boundary.test.yml': {
    vigil: 'fail',
    compare: { kind: 'outcome', promtool: 'pass', why: 'range selectors are left-open in Prometheus 3: [1m] over samples 1m apart holds one sample, so rate() is empty' },
  },
  'differs-default-interval.test.yml': {
    vigil: 'pass',
    compare: { kind: 'outcome', promtool: 'fail', why: "a test without `interval` spaces samples by evaluation_interval in Prometheus 3; promtool 2.42 loads them all at 0 ('load 0s')" },
  },
  'differs-prometheus3-fields.test.yml': {
    vigil: 'pass',
    compare: { kind: 'outcome', promtool: 'fail', why: 'fuzzy_compare and start_timestamp are Prometheus 3 fields promtool 2.42 refuses as unknown' },
  },
};

const FILES = readdirSync(DIRECTORY)
  .filter((name) => name.endsWith('.test.yml'))
  .sort();

/** Takes positions out: `rules/x.yml: 5:11: …` (promtool 2.42), `rules/x.yml:5:11: …` (Vigil), and Vigil's `test.yml:8:20: ` in front of decoding errors. */
function withoutPositions(text: string, testFile: string): string {
  return text
    .split('\n')
    .map((line) => {
      const own = `${testFile}:`;
      if (line.startsWith(own)) return line.replace(/^[^:]+:\d+:\d+: /, '');
      return line.replace(/^(\S+\.ya?ml):(?: ?\d+:\d+:)? /, '$1: ');
    })
    .join('\n');
}

function failures(stdout: string): number {
  // promtool prints one empty line on the output stream per failure, and one after each file.
  return stdout.split('\n').filter((line) => line === '').length;
}

describe('vigil test rules on the shared rule-test files', () => {
  it('every file in test/rules-tests has an expectation', () => {
    assert.deepEqual(FILES, Object.keys(EXPECTATIONS).sort());
  });

  for (const file of FILES) {
    it(file, async () => {
      const expectation = EXPECTATIONS[file];
      const result = await runRuleTestFile(join(DIRECTORY, file));
      if (expectation.vigil === 'pass') assert.deepEqual(result.errors, []);
      else assert.notEqual(result.errors.length, 0);
    });
  }

  it('several files at once: one report each, exit 1 when any fails', async () => {
    const vigil = await execute(process.execPath, [VIGIL_BIN, 'test', 'rules', 'recording.test.yml', 'fail-group-order.test.yml', 'keep-firing.test.yml']);
    assert.equal(vigil.code, 1);
    assert.equal(vigil.stdout, 'Unit Testing:  recording.test.yml\n  SUCCESS\n\nUnit Testing:  fail-group-order.test.yml\n\n\nUnit Testing:  keep-firing.test.yml\n  SUCCESS\n\n');
    assert.equal(vigil.stderr, '  FAILED:\ngroup name repeated in evaluation order: nodes\n');
  });
});

describe('vigil test rules agrees with promtool test rules (2.42)', { skip }, () => {
  for (const file of FILES) {
    it(file, async () => {
      const expectation = EXPECTATIONS[file];
      const [promtool, vigil] = await Promise.all([execute(PROMTOOL, ['test', 'rules', file]), execute(process.execPath, [VIGIL_BIN, 'test', 'rules', file])]);
      const compare = expectation.compare;
      switch (compare.kind) {
        case 'same':
          assert.equal(vigil.code, promtool.code);
          assert.equal(vigil.stdout, promtool.stdout);
          assert.equal(vigil.stderr, promtool.stderr);
          break;
        case 'positions':
          assert.equal(vigil.code, promtool.code);
          assert.equal(vigil.stdout, promtool.stdout);
          assert.equal(withoutPositions(vigil.stderr, file), withoutPositions(promtool.stderr, file));
          break;
        case 'own-words':
          assert.equal(vigil.code, 1);
          assert.equal(promtool.code, 1);
          assert.equal(failures(vigil.stdout), failures(promtool.stdout), `${compare.why}\npromtool:\n${promtool.stderr}\nvigil:\n${vigil.stderr}`);
          break;
        case 'outcome':
          assert.equal(promtool.code, compare.promtool === 'pass' ? 0 : 1, `${compare.why}\n${promtool.stderr}`);
          assert.equal(vigil.code, expectation.vigil === 'pass' ? 0 : 1, vigil.stderr);
          assert.notEqual(vigil.code, promtool.code);
          break;
      }
    });
  }
});
