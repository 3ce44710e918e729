/**
 * `vigil test rules FILE…`, like `promtool test rules`: runs rule unit-test files and prints
 * promtool's report (`Unit Testing:  FILE`, `  SUCCESS` or `  FAILED:` and the failures); exit 1
 * when any test fails.
 */
import { writeFile } from 'node:fs/promises';
import { runFilter, testRuleFiles } from '../rules/unittest/index.ts';
import { NAME_VALIDATION_FLAG, UsageError, formatHelp, nameValidationFlag, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';

const FLAGS: FlagSpec[] = [
  { name: 'run', help: 'Only run test groups whose names match this regular expression (repeatable).', multiple: true },
  { name: 'junit', help: 'File to write JUnit XML test results to (Prometheus 3).' },
  NAME_VALIDATION_FLAG,
];

export async function testRulesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil test rules [<flags>] <test-rule-file>...', 'Unit tests for rules, in the format of promtool test rules.', FLAGS));
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one test file');
  const nameValidation = nameValidationFlag(values);
  const run = values.run;
  const patterns = Array.isArray(run) ? run : typeof run === 'string' ? [run] : undefined;
  try {
    runFilter(patterns);
  } catch (error) {
    // RE2's reason without the wrapping the filter adds around the patterns.
    const reason = /error parsing regexp: ([^`]*?):? `/.exec((error as Error).message)?.[1] ?? (error as Error).message;
    throw new UsageError(`--run: invalid regular expression ${JSON.stringify((patterns ?? []).join('|'))}: ${reason}`);
  }
  const junitFile = typeof values.junit === 'string' && values.junit !== '' ? values.junit : null;
  let junit: string | null = null;
  const code = await testRuleFiles(positionals, { run: patterns, nameValidation }, {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    junit: (xml) => (junit = xml),
  });
  if (junitFile !== null && junit !== null) {
    try {
      await writeFile(junitFile, junit);
    } catch (error) {
      process.stderr.write(`failed to write JUnit XML: ${(error as Error).message}\n`);
    }
  }
  return code;
}
