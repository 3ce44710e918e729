/**
 * promtool's report of a test run: `Unit Testing:  FILE` and any warnings, then `  SUCCESS` or
 * `  FAILED:` with each failure (on the error stream, each followed by a blank line on the output
 * stream), a blank line after each file; 1 when any file failed.
 */
import { runRuleTestFile } from './runner.ts';
import type { RuleTestOptions } from './runner.ts';

export interface ReportWriters {
  /** Standard output, one line at a time (without the newline). */
  out: (line: string) => void;
  /** Standard error. */
  err: (line: string) => void;
}

export async function testRuleFiles(files: readonly string[], options: RuleTestOptions, writers: ReportWriters): Promise<number> {
  let failed = false;
  for (const file of files) {
    writers.out(`Unit Testing:  ${file}`);
    const result = await runRuleTestFile(file, options);
    for (const warning of result.warnings) writers.err(warning);
    if (result.errors.length > 0) {
      failed = true;
      writers.err('  FAILED:');
      for (const error of result.errors) {
        writers.err(error);
        writers.out('');
      }
    } else {
      writers.out('  SUCCESS');
    }
    writers.out('');
  }
  return failed ? 1 : 0;
}
