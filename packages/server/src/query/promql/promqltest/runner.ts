import { compareLabels, formatLabels, isStaleNaN, labelsKey } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { Querier, Storage } from '../../../store/types.ts';
import { MemoryStorage } from '../../../store/memory/memory-storage.ts';
import type { Expr } from '../ast.ts';
import { QueryError } from '../value.ts';
import type { MatrixValue, QueryResult, QueryValue, VectorSample } from '../value.ts';
import { pinToTime, usesQueryContextFunctions, variantTimes } from './at-modifier.ts';
import { classifyFailure, emptyUnsupportedData, noteLoad } from './scope.ts';
import { describeCheck, isFailExpected, isOrdered, messageMatches, parseScript } from './script.ts';
import type { EvalCommand, LoadCommand, Problem } from './script.ts';

/**
 * Runs a promqltest file against Vigil's engine with the checks Prometheus's runner applies:
 * values equal within a relative 1e-6 (NaN equals NaN, the stale marker only itself), the exact set
 * of series, order only under `expect ordered`, annotations and errors as the `expect` lines say.
 * Every instant eval is also re-run with `@` pinned selectors at other times, and as a range query
 * around its time. An eval Vigil cannot run (native histograms, start timestamps) counts as failed.
 */

export interface TestQueryable {
  querier(mint: number, maxt: number): Querier;
}

/** What the runner needs from an engine; Vigil's `Engine` provides it. */
export interface TestEngine {
  instantQuery(queryable: TestQueryable, query: string, time: number): Promise<QueryResult>;
  rangeQuery(queryable: TestQueryable, query: string, start: number, end: number, step: number): Promise<QueryResult>;
}

/** What the runner needs from the parser, to build the `@`-pinned variants of instant evals. */
export interface TestParser {
  parseExpr(text: string): Expr;
  formatExpr(expr: Expr): string;
}

export interface RunDependencies {
  engine: TestEngine;
  parser: TestParser;
  /** Storage for each `clear`ed state; defaults to an empty MemoryStorage. */
  newStorage?: () => Storage;
}

export interface TestFileResult {
  /** Evals that met every expectation. */
  passed: number;
  /** Evals that did not, plus lines that could not be read or loaded. */
  failed: number;
  /** Sorted by line. */
  failures: Problem[];
}

/** Prometheus's `defaultEpsilon`: the relative error allowed between expected and actual values. */
const EPSILON = 0.000001;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's `almost.Equal`. */
export function almostEqual(a: number, b: number): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absoluteSum = Math.abs(a) + Math.abs(b);
  const difference = Math.abs(a - b);
  if (a === 0 || b === 0 || absoluteSum < MIN_NORMAL) return difference < EPSILON * MIN_NORMAL;
  return difference / Math.min(absoluteSum, Number.MAX_VALUE) < EPSILON;
}

/** Formats a number as Go's `%v` does for the values it prints (`+Inf`, `NaN`, `1e+06`). */
export function formatNumber(value: number): string {
  if (isStaleNaN(value)) return 'stale';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(value);
}

class EvalFailure extends Error {}

function fail(message: string): never {
  throw new EvalFailure(message);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runTestFile(text: string, dependencies: RunDependencies): Promise<TestFileResult> {
  const script = parseScript(text);
  const failures: Problem[] = [...script.problems];
  let passed = 0;
  const newStorage = dependencies.newStorage ?? (() => new MemoryStorage());
  let storage = newStorage();
  let unsupported = emptyUnsupportedData();
  try {
    for (const command of script.commands) {
      switch (command.kind) {
        case 'clear':
          await storage.close();
          storage = newStorage();
          unsupported = emptyUnsupportedData();
          break;
        case 'load':
          noteLoad(unsupported, command);
          failures.push(...(await load(storage, command)));
          break;
        case 'eval': {
          const evaluation: { parsed: Expr | null } = { parsed: null };
          try {
            await runEval(command, storage, dependencies, evaluation);
            passed++;
          } catch (error) {
            const message = error instanceof EvalFailure ? error.message : `runner error: ${errorText(error)}`;
            const outOfScope = classifyFailure(command, evaluation.parsed, message, unsupported);
            failures.push(outOfScope === null ? { line: command.line, message } : { line: command.line, message, outOfScope });
          }
          break;
        }
      }
    }
  } finally {
    await storage.close();
  }
  failures.sort((a, b) => a.line - b.line);
  return { passed, failed: failures.length, failures };
}

async function load(storage: Storage, command: LoadCommand): Promise<Problem[]> {
  const problems: Problem[] = [];
  // As in Prometheus, a series defined twice in one load keeps its last definition.
  const bySeries = new Map<string, LoadCommand['series'][number]>();
  for (const series of command.series) bySeries.set(labelsKey(series.description.labels), series);
  const appender = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (const series of bySeries.values()) {
    const { labels, values, present } = series.description;
    let ref = 0;
    for (let i = 0; i < values.length; i++) {
      if (present[i] === 0) continue;
      sample.timestamp = i * command.interval;
      sample.value = values[i];
      const result = appender.append(ref, ref === 0 ? labels : null, sample);
      if (result < 0) {
        problems.push({ line: series.line, message: `cannot load ${formatLabels(labels)} at ${sample.timestamp / 1000}s: ${appendError(result)}` });
        break;
      }
      ref = result;
    }
  }
  await appender.commit();
  return problems;
}

function appendError(status: number): string {
  switch (status) {
    case -1:
      return 'out of order sample';
    case -3:
      return 'duplicate sample for timestamp';
    case -4:
      return 'invalid labels';
    default:
      return `append refused (${status})`;
  }
}

async function runEval(command: EvalCommand, storage: Storage, dependencies: RunDependencies, evaluation: { parsed: Expr | null }): Promise<void> {
  if (command.usesNativeHistograms) fail('native histograms are not supported yet (expected values use {{…}})');
  let parsed: Expr;
  try {
    parsed = dependencies.parser.parseExpr(command.expr);
  } catch (error) {
    // Prometheus's runner rejects a file whose eval does not parse, `expect fail` or not: an
    // expected failure must come from evaluation, never from a feature the parser lacks.
    fail(`cannot parse ${JSON.stringify(command.expr)}: ${errorText(error)}`);
  }
  evaluation.parsed = parsed;
  if (command.isRange) {
    await runRangeEval(command, storage, dependencies.engine);
    return;
  }
  const queries: { expr: string; time: number }[] = [{ expr: command.expr, time: command.evalTime }];
  if (pinToTime(parsed, command.evalTime)) {
    const pinned = dependencies.parser.formatExpr(parsed);
    for (const time of variantTimes(command.evalTime)) queries.push({ expr: pinned, time });
  }
  for (const query of queries) await runInstantQuery(command, query.expr, query.time, storage, dependencies.engine);
}

/** Runs a query; a QueryError is an answer (checked against `expect fail`), anything else a crash. */
async function execute(run: () => Promise<QueryResult>): Promise<{ result: QueryResult } | { error: QueryError }> {
  try {
    return { result: await run() };
  } catch (error) {
    if (error instanceof QueryError) return { error };
    fail(`engine crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

function checkExpectedFailure(command: EvalCommand, error: QueryError, expr: string): void {
  const actual = error.message;
  if (command.expectedFailMessage !== null && command.expectedFailMessage !== actual) {
    fail(`expected error ${JSON.stringify(command.expectedFailMessage)} evaluating query ${JSON.stringify(expr)}, but got: ${actual}`);
  }
  if (command.expectedFailRegex !== null && !messageMatches(command.expectedFailRegex, actual)) {
    fail(`expected error matching ${describeCheck(command.expectedFailRegex)} evaluating query ${JSON.stringify(expr)}, but got: ${actual}`);
  }
  const check = command.expectFail[0];
  if (check !== undefined && !messageMatches(check, actual)) {
    fail(`expected error matching ${describeCheck(check)} evaluating query ${JSON.stringify(expr)}, but got: ${actual}`);
  }
}

async function runRangeEval(command: EvalCommand, storage: Storage, engine: TestEngine): Promise<void> {
  const outcome = await execute(() => engine.rangeQuery(storage, command.expr, command.start, command.end, command.step));
  if ('error' in outcome) {
    if (isFailExpected(command)) {
      checkExpectedFailure(command, outcome.error, command.expr);
      return;
    }
    fail(`error evaluating query ${JSON.stringify(command.expr)}: ${outcome.error.message}`);
  }
  if (isFailExpected(command)) fail(`expected error evaluating query ${JSON.stringify(command.expr)} but got none`);
  checkAnnotations(command, outcome.result);
  const problem = compareResult(command, outcome.result.value);
  if (problem !== null) fail(`${command.expr}: ${problem}`);
}

async function runInstantQuery(command: EvalCommand, expr: string, time: number, storage: Storage, engine: TestEngine): Promise<void> {
  const variant = expr === command.expr && time === command.evalTime ? '' : ` (variant ${JSON.stringify(expr)} at ${time / 1000}s)`;
  const outcome = await execute(() => engine.instantQuery(storage, expr, time));
  if ('error' in outcome) {
    if (isFailExpected(command)) {
      checkExpectedFailure(command, outcome.error, expr);
      return;
    }
    fail(`error evaluating query${variant}: ${outcome.error.message}`);
  }
  if (isFailExpected(command)) fail(`expected error evaluating query${variant} but got none`);
  checkAnnotations(command, outcome.result, variant);
  const problem = compareResult(command, outcome.result.value);
  if (problem !== null) fail(`${problem}${variant}`);

  if (command.excludeFromRangeQuery || usesQueryContextFunctions(expr)) return;
  // The same query as a range query must give the same answer at the middle step.
  const range = await execute(() => engine.rangeQuery(storage, expr, time - 60_000, time + 60_000, 60_000));
  if ('error' in range) fail(`error evaluating query in range mode${variant}: ${range.error.message}`);
  // Range results are always sorted by labels, so an ordered expectation cannot be checked there.
  if (isOrdered(command)) return;
  const matrix = range.result.value;
  if (matrix.type !== 'matrix') fail(`range mode${variant}: expected a matrix, got a ${matrix.type}`);
  const sortProblem = matrixSortProblem(matrix);
  if (sortProblem !== null) fail(`range mode${variant}: ${sortProblem}`);
  const samples: VectorSample[] = [];
  for (const series of matrix.series) {
    for (let i = 0; i < series.timestamps.length; i++) {
      if (series.timestamps[i] === time) {
        samples.push({ labels: series.labels, timestamp: time, value: series.values[i] });
        break;
      }
    }
  }
  let rangeProblem: string | null;
  if (outcome.result.value.type === 'scalar') {
    rangeProblem = samples.length === 0 ? 'expected a scalar, but the range query has no value at the evaluation time' : compareResult(command, { type: 'scalar', timestamp: time, value: samples[0].value });
  } else {
    rangeProblem = compareResult(command, { type: 'vector', samples });
  }
  if (rangeProblem !== null) fail(`range mode${variant}: ${rangeProblem}`);
}

/** Prometheus's `checkAnnotations`. */
export function checkAnnotations(command: EvalCommand, result: QueryResult, variant = ''): void {
  const { warnings, infos } = result;
  if (command.legacyWarn && warnings.length === 0) fail(`expected warnings evaluating query${variant} but got none`);
  if (command.legacyInfo && infos.length === 0) fail(`expected info annotations evaluating query${variant} but got none`);
  checkAnnotationsOfType(command.expectWarn, warnings, 'warn', variant);
  checkAnnotationsOfType(command.expectInfo, infos, 'info', variant);
  if (command.expectNoWarn && warnings.length > 0) fail(`unexpected warning annotations evaluating query${variant}: ${JSON.stringify(warnings)}`);
  if (command.expectNoInfo && infos.length > 0) fail(`unexpected info annotations evaluating query${variant}: ${JSON.stringify(infos)}`);
}

function checkAnnotationsOfType(expected: EvalCommand['expectWarn'], actual: string[], type: string, variant: string): void {
  if (expected.length === 0) return;
  if (actual.length === 0) fail(`expected ${type} annotations but none were found${variant}`);
  for (const check of expected) {
    if (!actual.some((text) => messageMatches(check, text))) {
      fail(`expected ${type} annotation matching ${describeCheck(check)} but no matching annotation was found${variant}, found: ${JSON.stringify(actual)}`);
    }
  }
  for (const text of actual) {
    if (!expected.some((check) => messageMatches(check, text))) fail(`unexpected ${type} annotation ${JSON.stringify(text)} found${variant}`);
  }
}

function matrixSortProblem(matrix: MatrixValue): string | null {
  for (let i = 0; i + 1 < matrix.series.length; i++) {
    if (compareLabels(matrix.series[i].labels, matrix.series[i + 1].labels) > 0) {
      return `matrix results should always be sorted by labels, but ${formatLabels(matrix.series[i + 1].labels)} sorts before ${formatLabels(matrix.series[i].labels)}`;
    }
  }
  return null;
}

function describeExpected(values: Float64Array, present: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) parts.push(present[i] === 1 ? formatNumber(values[i]) : '_');
  return `[${parts.join(' ')}]`;
}

function describeSeries(labels: Labels, timestamps: Float64Array, values: Float64Array): string {
  const points: string[] = [];
  for (let i = 0; i < timestamps.length; i++) points.push(`${formatNumber(values[i])} @[${timestamps[i]}]`);
  return `${formatLabels(labels)}: ${points.length} point${points.length === 1 ? '' : 's'} [${points.join(' ')}]`;
}

/** Prometheus's `compareResult`: the reason the value does not match the expectation, or null. */
export function compareResult(command: EvalCommand, value: QueryValue): string | null {
  switch (value.type) {
    case 'matrix': {
      if (isOrdered(command)) return 'expected ordered result, but query returned a matrix';
      if (command.expectScalar) return `expected scalar result, but got a matrix of ${value.series.length} series`;
      const sortProblem = matrixSortProblem(value);
      if (sortProblem !== null) return sortProblem;
      const seen = new Set<string>();
      for (const series of value.series) {
        const key = labelsKey(series.labels);
        const expected = command.expected.get(key);
        if (expected === undefined) return `unexpected metric ${formatLabels(series.labels)} in result, has ${describeSeries(series.labels, series.timestamps, series.values)}`;
        seen.add(key);
        const { values, present } = expected.description;
        const expectedTimes: number[] = [];
        const expectedValues: number[] = [];
        for (let i = 0; i < values.length; i++) {
          const time = command.start + i * command.step;
          if (time > command.end) return `expected ${values.length} points for ${formatLabels(expected.labels)}, but query time range cannot return this many points`;
          if (present[i] === 1) {
            expectedTimes.push(time);
            expectedValues.push(values[i]);
          }
        }
        if (expectedTimes.length !== series.timestamps.length) {
          return `expected ${expectedTimes.length} float points for ${formatLabels(expected.labels)}, but got ${describeSeries(series.labels, series.timestamps, series.values)}`;
        }
        for (let i = 0; i < expectedTimes.length; i++) {
          if (expectedTimes[i] !== series.timestamps[i]) {
            return `expected float value at index ${i} for ${formatLabels(expected.labels)} to have timestamp ${expectedTimes[i]}, but it had timestamp ${series.timestamps[i]} (result has ${describeSeries(series.labels, series.timestamps, series.values)})`;
          }
          if (!almostEqual(series.values[i], expectedValues[i])) {
            return `expected float value at index ${i} (t=${series.timestamps[i]}) for ${formatLabels(expected.labels)} to be ${formatNumber(expectedValues[i])}, but got ${formatNumber(series.values[i])} (result has ${describeSeries(series.labels, series.timestamps, series.values)})`;
          }
        }
      }
      for (const [key, expected] of command.expected) {
        if (!seen.has(key)) return `expected metric ${formatLabels(expected.labels)} not found`;
      }
      return null;
    }
    case 'vector': {
      if (command.expectScalar) return `expected scalar result, but got a vector of ${value.samples.length} samples`;
      const seen = new Set<string>();
      for (let position = 0; position < value.samples.length; position++) {
        const sample = value.samples[position];
        const key = labelsKey(sample.labels);
        const expected = command.expected.get(key);
        if (expected === undefined) return `unexpected metric ${formatLabels(sample.labels)} in result, has value ${formatNumber(sample.value)}`;
        const { values, present } = expected.description;
        if (isOrdered(command) && expected.position !== position + 1) {
          return `expected metric ${formatLabels(sample.labels)} with ${describeExpected(values, present)} at position ${expected.position} but was at ${position + 1}`;
        }
        if (values.length === 0) return `expected series ${formatLabels(expected.labels)} (line ${expected.line}) has no value to compare with`;
        if (!almostEqual(values[0], sample.value)) return `expected ${formatNumber(values[0])} for ${formatLabels(sample.labels)} but got ${formatNumber(sample.value)}`;
        seen.add(key);
      }
      for (const [key, expected] of command.expected) {
        if (!seen.has(key)) return `expected metric ${formatLabels(expected.labels)} with ${describeExpected(expected.description.values, expected.description.present)} not found`;
      }
      return null;
    }
    case 'scalar':
      if (!command.expectScalar) return `expected vector or matrix result, but got scalar ${formatNumber(value.value)}`;
      if (!almostEqual(command.scalar, value.value)) return `expected scalar ${formatNumber(command.scalar)} but got ${formatNumber(value.value)}`;
      return null;
    case 'string':
      if (command.expectedString !== value.value) return `expected string ${JSON.stringify(command.expectedString)} but got ${JSON.stringify(value.value)}`;
      return null;
  }
}
