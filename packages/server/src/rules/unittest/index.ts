/**
 * rules/unittest/: Prometheus's rule unit tests (`promtool test rules`): the test-file format
 * (`parseRuleTestFile`), the runner (`runRuleTestFile`) and promtool's report (`testRuleFiles`).
 */
export { parseRuleTestFile } from './format.ts';
export type { AlertTestCase, ExpectedAlert, ExpectedSample, InputSeries, ParseResult, PromqlTestCase, RuleTestFile, TestGroup } from './format.ts';
export { floatsEqual, parseSampleLabels, runFilter, runRuleTestFile } from './runner.ts';
export type { RuleTestFileResult, RuleTestOptions } from './runner.ts';
export { junitXml, testRuleFiles } from './report.ts';
export type { ReportWriters } from './report.ts';
export { alertListString, formatFloatE, goDurationString, goLabelsString, samplesString } from './go-format.ts';
