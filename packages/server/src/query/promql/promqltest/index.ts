import { Engine } from '../engine/index.ts';
import { formatExpr, parseExpr } from '../parser/index.ts';
import { runTestFile as runWith } from './runner.ts';
import type { TestFileResult } from './runner.ts';

/**
 * The promqltest conformance runner: reads Prometheus's PromQL test file format and checks Vigil's
 * engine against it the way Prometheus's own runner checks Prometheus. `vigil promql-test` and the
 * test of `../testdata/*.test` use it.
 */
export { parseScript } from './script.ts';
export type { Command, EvalCommand, LoadCommand, Problem, Script } from './script.ts';
export { parseSeriesDescription } from './series.ts';
export type { SeriesDescription } from './series.ts';
export type { RunDependencies, TestEngine, TestFileResult, TestParser } from './runner.ts';
export type { OutOfScopeReason } from './scope.ts';

export interface PromqlTestOptions {
  /** Default 5m, as Prometheus's test engine. */
  lookbackDelta?: number;
  /**
   * Remove `__name__` at the end of the query (Prometheus's `promql-delayed-name-removal`), as
   * Prometheus's test engine does: default true. False evaluates as Prometheus does by default.
   */
  delayedNameRemoval?: boolean;
}

/**
 * Runs one test file with the engine settings of Prometheus's test engine: experimental functions
 * enabled, delayed name removal, at most 10000 samples per query, a 100 s timeout, the default 5m
 * lookback, 1m for subqueries without a step.
 */
export async function runTestFile(text: string, options: PromqlTestOptions = {}): Promise<TestFileResult> {
  const engine = new Engine({
    experimentalFunctions: true,
    delayedNameRemoval: options.delayedNameRemoval ?? true,
    defaultEvaluationInterval: 60_000,
    maxSamples: 10_000,
    timeout: 100_000,
    ...(options.lookbackDelta !== undefined ? { lookbackDelta: options.lookbackDelta } : {}),
  });
  return runWith(text, {
    engine,
    parser: { parseExpr: (expr) => parseExpr(expr, { experimentalFunctions: true }), formatExpr },
  });
}
