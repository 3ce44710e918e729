import { readFile } from 'node:fs/promises';
import { UsageError, formatHelp, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';

const FLAGS: FlagSpec[] = [
  {
    name: 'immediate-name-removal',
    boolean: true,
    help: 'Drop __name__ where each operation stops applying to the metric, as Prometheus evaluates by default, instead of at the end of the query as its test engine does.',
  },
];

/**
 * `vigil promql-test FILE…`: runs PromQL test files in Prometheus's promqltest format against Vigil's
 * engine. Prints each file's counts and failures (`file:line: message`), then the totals; exits 1
 * when anything failed. An eval that cannot run counts as failed, never as skipped.
 */
export async function promqlTestCommand(args: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help === true) {
    process.stdout.write(
      formatHelp(
        'vigil promql-test [<flags>] <test-files>...',
        'Runs PromQL test files (Prometheus promqltest format: load, clear, eval, expect) against Vigil\'s engine,\nwith the settings of Prometheus\'s test engine. Prints "file: N passed, N failed", each failure as\n"file:line: message", then the totals. Exits 1 when any eval failed; one that cannot run counts as failed.',
        FLAGS,
      ),
    );
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one test file');
  const { runTestFile } = await import('../query/promql/promqltest/index.ts');
  let passed = 0;
  let failed = 0;
  const outOfScope = new Map<string, number>();
  for (const file of positionals) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      write(`${file}: cannot read: ${(error as Error).message}\n`);
      failed++;
      continue;
    }
    const result = await runTestFile(text, { delayedNameRemoval: values['immediate-name-removal'] !== true });
    passed += result.passed;
    failed += result.failed;
    write(`${file}: ${result.passed} passed, ${result.failed} failed\n`);
    for (const failure of result.failures) {
      const reason = failure.outOfScope === undefined ? '' : ` [not supported yet: ${failure.outOfScope}]`;
      if (failure.outOfScope !== undefined) outOfScope.set(failure.outOfScope, (outOfScope.get(failure.outOfScope) ?? 0) + 1);
      write(`${file}:${failure.line}: ${failure.message}${reason}\n`);
    }
  }
  // Failures that need what Vigil does not support yet (native histograms, flagged features) apart from the stable language's.
  if (outOfScope.size > 0) {
    const total = [...outOfScope.values()].reduce((sum, count) => sum + count, 0);
    const reasons = [...outOfScope].sort().map(([reason, count]) => `${reason} ${count}`).join(', ');
    write(`not supported yet: ${total} of the failures (${reasons}); stable language: ${failed - total} failed\n`);
  }
  write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
