/**
 * promtool's report of a test run: `Unit Testing:  FILE` and any warnings, then `  SUCCESS` or
 * `  FAILED:` with each failure (on the error stream, each followed by a blank line on the output
 * stream), a blank line after each file; 1 when any file failed. Optionally the JUnit XML that
 * Prometheus 3's `promtool test rules --junit` writes.
 */
import { runRuleTestFile } from './runner.ts';
import type { RuleTestFileResult, RuleTestOptions } from './runner.ts';

export interface ReportWriters {
  /** Standard output, one line at a time (without the newline). */
  out: (line: string) => void;
  /** Standard error. */
  err: (line: string) => void;
  /** Receives the JUnit XML of the whole run, when wanted. */
  junit?: (xml: string) => void;
}

export async function testRuleFiles(files: readonly string[], options: RuleTestOptions, writers: ReportWriters): Promise<number> {
  let failed = false;
  const results: RuleTestFileResult[] = [];
  for (const file of files) {
    writers.out(`Unit Testing:  ${file}`);
    const result = await runRuleTestFile(file, options);
    results.push(result);
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
  writers.junit?.(junitXml(results));
  return failed ? 1 : 0;
}

/**
 * Prometheus's util/junitxml as encoding/xml writes it: one `testsuite` per file, one `testcase` per
 * test group run, a `failure` per failure; an error that stopped the file is an `error` of an
 * `unknown` case.
 */
export function junitXml(results: readonly RuleTestFileResult[]): string {
  let xml = '<testsuites>';
  for (const result of results) {
    const cases = result.cases.map((item) => ({ name: item.name, failures: item.failures, error: '' }));
    if (result.aborted !== null) {
      if (cases.length === 0) cases.push({ name: 'unknown', failures: [], error: '' });
      cases[cases.length - 1].error = result.aborted;
    }
    const failures = cases.reduce((sum, item) => sum + item.failures.length, 0);
    xml += `<testsuite name="${escapeXml(result.file)}" tests="${cases.length}" failures="${failures}" errors="${result.aborted !== null ? 1 : 0}" skipped="0" timestamp="${escapeXml(result.startedAt ?? '')}">`;
    for (const item of cases) {
      xml += `<testcase name="${escapeXml(item.name)}">`;
      for (const failure of item.failures) xml += `<failure>${escapeXml(failure)}</failure>`;
      if (item.error !== '') xml += `<error>${escapeXml(item.error)}</error>`;
      xml += '</testcase>';
    }
    xml += '</testsuite>';
  }
  return xml + '</testsuites>';
}

/** Go's xml.EscapeText: the five specials as `&#34;`-style or named entities, tab and line ends as character references. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"'\t\n\r]/g, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '\t':
        return '&#x9;';
      case '\n':
        return '&#xA;';
      default:
        return '&#xD;';
    }
  });
}
