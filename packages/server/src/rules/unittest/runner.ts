/**
 * Runs rule unit-test files as `promtool test rules` does (cmd/promtool/unittest.go): per test
 * group a fresh store, the input series loaded lazily (only samples up to the evaluation time are
 * visible), every rule group evaluated at each `evaluation_interval` step from the start up to the
 * largest `eval_time` in `group_eval_order`, firing alerts compared after the step whose interval
 * holds their `eval_time`, expressions queried at the end. Messages are promtool's, byte for byte.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { glob } from '../../config/index.ts';
import type { Labels } from '../../model/index.ts';
import { AnchoredRegex, compareLabels, compareStrings, formatDuration, goQuote, labelsKey } from '../../model/index.ts';
import { Engine } from '../../query/promql/engine/index.ts';
import { parseExpr } from '../../query/promql/parser/index.ts';
import { parseSeriesDescription } from '../../query/promql/promqltest/index.ts';
import type { SeriesDescription } from '../../query/promql/promqltest/index.ts';
import { MemoryStorage, appendStatusName } from '../../store/index.ts';
import type { Storage } from '../../store/index.ts';
import { buildRuleGroup, engineQueryFunction, readRuleFile } from '../index.ts';
import type { RuleGroup, RuleGroupDefinition } from '../index.ts';
import { parseRuleTestFile } from './format.ts';
import type { AlertTestCase, RuleTestFile, TestGroup } from './format.ts';
import { alertListString, goDurationString, indentLines, samplesString } from './go-format.ts';
import type { LabelsAndAnnotations, ParsedSample } from './go-format.ts';

export interface RuleTestOptions {
  /** Only test groups whose `name` matches one of these regular expressions (RE2, unanchored). */
  run?: readonly string[];
  /** Rule names as Prometheus 3 (`utf8`, default) or 2 (`legacy`) validate them. */
  nameValidation?: 'legacy' | 'utf8';
}

export interface RuleTestFileResult {
  file: string;
  /** promtool's `  WARNING: …` lines (a rule_files pattern that matched nothing). */
  warnings: string[];
  /** One entry per failure, possibly multi-line, as promtool prints them; empty when the file passed. */
  errors: string[];
  /** The test groups run (skipped ones by `run` left out), each with its failures. */
  cases: { name: string; failures: string[] }[];
  /** The error that stopped the file before its tests (it is also in `errors`). */
  aborted: string | null;
  /** Local time the tests started (`2006-01-02T15:04:05`); null when the file stopped before. */
  startedAt: string | null;
}

const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
/** The limits of promtool's test engine (promql.NewLazyLoader): 10000 samples, 100 s. */
const MAX_SAMPLES = 10_000;
const QUERY_TIMEOUT_MS = 100_000;

/** Compiles `--run` patterns into one unanchored matcher, as promtool joins them with `|`. */
export function runFilter(patterns: readonly string[] | undefined): ((name: string) => boolean) | null {
  if (patterns === undefined || patterns.length === 0) return null;
  const regex = new AnchoredRegex(`(?s:.*(?:${patterns.join('|')}).*)`);
  return (name) => regex.matches(name);
}

/** Runs one test file. Never throws for bad input: problems are in `errors`. */
export async function runRuleTestFile(filename: string, options: RuleTestOptions = {}): Promise<RuleTestFileResult> {
  const result: RuleTestFileResult = { file: filename, warnings: [], errors: [], cases: [], aborted: null, startedAt: null };
  const abort = (message: string): RuleTestFileResult => {
    result.errors.push(message);
    result.aborted = message;
    return result;
  };
  let text: string;
  try {
    text = await readFile(filename, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return abort(`open ${filename}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`);
  }
  const parsed = parseRuleTestFile(text, filename);
  if (!parsed.ok) {
    return abort(parsed.error);
  }
  const file = parsed.file;
  const ruleFiles: string[] = [];
  for (const pattern of file.ruleFiles) {
    const resolved = pattern !== '' && !isAbsolute(pattern) ? join(dirname(filename), pattern) : pattern;
    let matches: string[];
    try {
      matches = resolved === '' ? [] : await glob(resolved);
    } catch (error) {
      return abort((error as Error).message);
    }
    if (matches.length === 0) result.warnings.push(`  WARNING: no file match pattern ${resolved}`);
    ruleFiles.push(...matches);
  }
  result.startedAt = localTimestamp(new Date());
  const evaluationIntervalMs = file.evaluationIntervalMs > 0 ? file.evaluationIntervalMs : DEFAULT_EVALUATION_INTERVAL_MS;
  const groupOrder = new Map<string, number>();
  for (const [index, name] of file.groupEvalOrder.entries()) {
    if (groupOrder.has(name)) {
      return abort(`group name repeated in evaluation order: ${name}`);
    }
    groupOrder.set(name, index);
  }
  let matchesRun: ((name: string) => boolean) | null;
  try {
    matchesRun = runFilter(options.run);
  } catch (error) {
    return abort(`--run: ${(error as Error).message}`);
  }
  for (const [index, test] of file.tests.entries()) {
    if (matchesRun !== null && !matchesRun(test.name)) continue;
    const failures = await runTestGroup(test, { file, ruleFiles, evaluationIntervalMs, groupOrder, nameValidation: options.nameValidation ?? 'utf8' });
    result.cases.push({ name: test.name !== '' ? test.name : `unnamed#${index}`, failures });
    result.errors.push(...failures);
  }
  return result;
}

/** Go's `time.Now().Format("2006-01-02T15:04:05")`: local time, no zone. */
function localTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

interface TestContext {
  file: RuleTestFile;
  ruleFiles: string[];
  evaluationIntervalMs: number;
  groupOrder: Map<string, number>;
  nameValidation: 'legacy' | 'utf8';
}

/** One test group: its own store, engine and rule groups. Returns promtool's error texts. */
export async function runTestGroup(test: TestGroup, context: TestContext): Promise<string[]> {
  // Prometheus 3: a test without `interval` spaces its samples by the evaluation interval.
  const intervalMs = test.intervalMs > 0 ? test.intervalMs : context.evaluationIntervalMs;
  const start = test.startTimestamp;
  const loaded = loadInputSeries(test, intervalMs, start);
  if (typeof loaded === 'string') return [loaded];

  const definitions: RuleGroupDefinition[] = [];
  for (const ruleFile of context.ruleFiles) {
    const parsed = await readRuleFile(ruleFile, { nameValidation: context.nameValidation });
    // As promtool's LoadGroups: the first file with problems ends the test with its problems.
    if (parsed.errors.length > 0) return parsed.errors;
    definitions.push(...parsed.groups);
  }

  const storage = new MemoryStorage();
  try {
    const engine = new Engine({ maxSamples: MAX_SAMPLES, timeout: QUERY_TIMEOUT_MS, defaultEvaluationInterval: context.evaluationIntervalMs });
    const query = engineQueryFunction(engine, storage);
    const groups = definitions
      .map((definition, index) => ({ index, group: buildRuleGroup(definition, { query, storage, evaluationIntervalMs: intervalMs, externalLabels: test.externalLabels, externalURL: test.externalURL, shouldRestore: false }) }))
      // promtool orders only the groups it is told about; the rest sort as if first, in file order here.
      .sort((a, b) => (context.groupOrder.get(a.group.name) ?? 0) - (context.groupOrder.get(b.group.name) ?? 0) || a.index - b.index)
      .map((entry) => entry.group);

    const alertTests = new Map<number, AlertTestCase[]>();
    for (const alertTest of test.alertRuleTests) {
      if (alertTest.alertname === '') {
        const inGroup = test.name !== '' ? ` (in TestGroup ${test.name})` : '';
        return [`an item under alert_rule_test misses required attribute alertname at eval_time ${formatDuration(alertTest.evalTime)}${inGroup}`];
      }
      const list = alertTests.get(alertTest.evalTime) ?? [];
      list.push(alertTest);
      alertTests.set(alertTest.evalTime, list);
    }
    const alertEvalTimes = [...alertTests.keys()].sort((a, b) => a - b);
    const maxEvalTime = Math.max(0, ...test.alertRuleTests.map((t) => t.evalTime), ...test.promqlExprTests.map((t) => t.evalTime));
    const end = start + maxEvalTime;
    const step = context.evaluationIntervalMs;

    const errors: string[] = [];
    let current = 0;
    for (let time = start; time <= end; time += step) {
      const loadError = await loaded.appendUntil(storage, time);
      if (loadError !== null) {
        // promtool records the error and skips this step's evaluation.
        errors.push(loadError);
      } else {
        const evaluationErrors: string[] = [];
        for (const group of groups) {
          await group.evaluate(time);
          for (const rule of group.rules) {
            if (rule.lastError !== null) evaluationErrors.push(`    rule: ${rule.name}, time: ${goDurationString(time)}, err: ${rule.lastError}`);
          }
        }
        if (evaluationErrors.length > 0) return [...errors, ...evaluationErrors];
      }
      // Alerts whose eval_time falls in [time, time + step) are compared with this evaluation.
      while (current < alertEvalTimes.length && time - start <= alertEvalTimes[current] && alertEvalTimes[current] < time + step - start) {
        const evalTime = alertEvalTimes[current];
        for (const alertTest of alertTests.get(evalTime) ?? []) {
          const failure = compareAlerts(alertTest, groups, test.name);
          if (failure !== null) errors.push(failure);
        }
        current++;
      }
    }

    for (const exprTest of test.promqlExprTests) {
      const failure = await checkExpression(engine, storage, start, exprTest, context.file.fuzzyCompare);
      if (failure !== null) errors.push(failure);
    }
    return errors;
  } finally {
    await storage.close();
  }
}

/** The input series, appended step by step as promtool's lazy loader does. */
interface LoadedSeries {
  appendUntil(storage: Storage, time: number): Promise<string | null>;
}

function loadInputSeries(test: TestGroup, intervalMs: number, start: number): LoadedSeries | string {
  // A series given twice keeps its last definition, as in a promqltest `load`.
  const bySeries = new Map<string, SeriesDescription>();
  for (const input of test.inputSeries) {
    const line = `${input.series} ${input.values}`;
    let description: SeriesDescription;
    try {
      description = parseSeriesDescription(line);
    } catch (error) {
      return seriesError(input.series, line, (error as Error).message);
    }
    if (description.histograms > 0) return `input series ${goQuote(input.series)}: native histogram values are not supported`;
    bySeries.set(labelsKey(description.labels), description);
  }
  const series = [...bySeries.values()];
  const next = series.map(() => 0);
  return {
    async appendUntil(storage, time) {
      const appender = storage.appender();
      const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
      for (let i = 0; i < series.length; i++) {
        const { labels, values, present } = series[i];
        for (; next[i] < values.length && start + next[i] * intervalMs <= time; next[i]++) {
          if (present[next[i]] === 0) continue;
          sample.timestamp = start + next[i] * intervalMs;
          sample.value = values[next[i]];
          const result = appender.append(0, labels, sample);
          if (result < 0) {
            appender.rollback();
            return `load ${goLabelsText(labels)} at ${goDurationString(sample.timestamp)}: ${appendStatusName(result)}`;
          }
        }
      }
      await appender.commit();
      return null;
    },
  };
}

/**
 * An input series that cannot be read. When the selector itself is at fault, the PromQL lexer's
 * error over the whole line is promtool's own (`1:14: parse error: unexpected character inside
 * braces: '1'`); a fault in the values is described with the series quoted.
 */
function seriesError(series: string, line: string, message: string): string {
  let selectorFault = false;
  try {
    parseSeriesDescription(series);
  } catch {
    selectorFault = true;
  }
  if (selectorFault) {
    try {
      parseExpr(line.trim());
    } catch (error) {
      const text = (error as Error).message;
      if (/^1:\d+: parse error: .*(?: in label (?:matching|set)| inside braces)/.test(text)) return text.replace(' in label matching,', ' in label set,');
    }
  }
  return `input series ${goQuote(line.trim())}: ${message}`;
}

function goLabelsText(labels: Labels): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) parts.push(`${labels[i]}=${goQuote(labels[i + 1])}`);
  return `{${parts.join(', ')}}`;
}

/** A record as sorted labels, empty values kept (promtool's labels.FromMap). */
function recordLabels(record: Readonly<Record<string, string>>): Labels {
  const out: string[] = [];
  for (const name of Object.keys(record).sort(compareStrings)) out.push(name, record[name]);
  return out;
}

function compareAlertEntries(a: LabelsAndAnnotations, b: LabelsAndAnnotations): number {
  return compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);
}

function labelsEqual(a: Labels, b: Labels): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** The union of firing alerts of every rule named `alertname`, against the expected ones. */
function compareAlerts(alertTest: AlertTestCase, groups: readonly RuleGroup[], testName: string): string | null {
  const got: LabelsAndAnnotations[] = [];
  for (const group of groups) {
    for (const rule of group.alertingRules()) {
      if (rule.name !== alertTest.alertname) continue;
      for (const alert of rule.activeAlerts()) {
        if (alert.state === 'firing') got.push({ labels: alert.labels, annotations: recordLabels(alert.annotations) });
      }
    }
  }
  const expected: LabelsAndAnnotations[] = alertTest.expAlerts.map((alert) => ({
    labels: recordLabels({ ...alert.labels, alertname: alertTest.alertname }),
    annotations: recordLabels(alert.annotations),
  }));
  got.sort(compareAlertEntries);
  expected.sort(compareAlertEntries);
  const equal = got.length === expected.length && got.every((alert, index) => labelsEqual(alert.labels, expected[index].labels) && labelsEqual(alert.annotations, expected[index].annotations));
  if (equal) return null;
  const name = testName !== '' ? `    name: ${testName},\n` : '';
  const indent = ' '.repeat(12);
  return `${name}    alertname: ${alertTest.alertname}, time: ${formatDuration(alertTest.evalTime)}, \n        exp:${indentLines(alertListString(expected), indent)}, \n        got:${indentLines(alertListString(got), indent)}`;
}

/** Go's math.Nextafter toward ±Inf. */
function nextAfter(value: number, direction: 1 | -1): number {
  if (Number.isNaN(value) || !Number.isFinite(value)) return value;
  if (value === 0) return direction * Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, (value > 0) === (direction > 0) ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** promtool's comparison: exact (NaN never equals NaN); with fuzzy_compare, one ulp apart is equal too. */
export function floatsEqual(a: number, b: number, fuzzy: boolean): boolean {
  if (a === b) return true;
  return fuzzy && (nextAfter(a, -1) === b || nextAfter(a, 1) === b);
}

async function checkExpression(engine: Engine, storage: Storage, start: number, test: TestGroup['promqlExprTests'][number], fuzzy: boolean): Promise<string | null> {
  const head = `    expr: ${goQuote(test.expr)}, time: ${formatDuration(test.evalTime)}`;
  const got: ParsedSample[] = [];
  try {
    const result = await engine.instantQuery(storage, test.expr, start + test.evalTime);
    const value = result.value;
    if (value.type === 'vector') for (const sample of value.samples) got.push({ labels: sample.labels, value: sample.value });
    else if (value.type === 'scalar') got.push({ labels: [], value: value.value });
    else throw new Error('rule result is not a vector or scalar');
  } catch (error) {
    return `${head}, err: ${(error as Error).message}`;
  }
  const expected: ParsedSample[] = [];
  for (const sample of test.expSamples) {
    const labels = parseSampleLabels(sample.labels);
    if (typeof labels === 'string') return `${head}, err: labels ${goQuote(sample.labels)}: ${labels}`;
    expected.push({ labels, value: sample.value });
  }
  expected.sort((a, b) => compareLabels(a.labels, b.labels));
  got.sort((a, b) => compareLabels(a.labels, b.labels));
  const equal = got.length === expected.length && got.every((sample, index) => labelsEqual(sample.labels, expected[index].labels) && floatsEqual(expected[index].value, sample.value, fuzzy));
  if (equal) return null;
  return `${head},\n        exp: ${samplesString(expected)}\n        got: ${samplesString(got)}`;
}

/** promtool's parser.ParseMetric: `metric{label="value"}`, `{…}` or nothing; a string is the error. */
export function parseSampleLabels(text: string): Labels | string {
  if (text.trim() === '') return [];
  let description: SeriesDescription | null = null;
  let problem = '';
  try {
    description = parseSeriesDescription(text);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (description !== null && description.values.length === 0 && description.histograms === 0) {
    return description.labels;
  }
  // Prefer the PromQL parser's wording (promtool's), where it finds the fault.
  try {
    parseExpr(text);
  } catch (error) {
    // Same lexer, but promtool parses a label set here, not a selector's matchers.
    return (error as Error).message.replace(' in label matching,', ' in label set,');
  }
  return problem !== '' ? problem : `unexpected values after the labels in ${JSON.stringify(text)}`;
}
