import { METRIC_NAME, getLabel, labelsFromPairs } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { Expr, VectorSelector } from '../ast.ts';
import type { EvalCommand, LoadCommand } from './script.ts';

/**
 * Why a failing eval of a promqltest file is outside what Vigil supports yet, rather than a failure
 * of PromQL's stable language. Prometheus's own test files mix both; this split is how Vigil measures
 * "every eval of the stable language passes" on them.
 *
 * - `native histograms`: the expected values are native histograms, or the query reads a series that
 *   had native histogram samples in the loaded data (Vigil loads only its float samples, so
 *   Prometheus's answer — values, annotations — depends on samples Vigil does not have), or it calls a
 *   native-histogram-only function or operator.
 * - `start timestamps`: the query reads a series loaded with start timestamps (`@st` lines).
 * - `feature flag`: syntax or functions Prometheus keeps behind feature flags that Vigil rejects with
 *   "not supported yet" (duration expressions, `anchored`/`smoothed`, `fill` modifiers, `info()`).
 */
export type OutOfScopeReason = 'native histograms' | 'start timestamps' | 'feature flag';

/** The series of the current loaded state (since the last `clear`) that Vigil could not load fully. */
export interface UnsupportedData {
  histogramSeries: Labels[];
  startTimestampSeries: Labels[];
}

export function emptyUnsupportedData(): UnsupportedData {
  return { histogramSeries: [], startTimestampSeries: [] };
}

/** Records the series of a `load` command that carry native histograms or start timestamps. */
export function noteLoad(data: UnsupportedData, command: LoadCommand): void {
  for (const series of command.series) {
    if (series.description.histograms > 0) data.histogramSeries.push(series.description.labels);
    // `load_with_nhcb` also converts classic histograms into native ones under the base name.
    if (command.withNativeHistograms) {
      const converted = convertedHistogramLabels(series.description.labels);
      if (converted !== null) data.histogramSeries.push(converted);
    }
  }
  data.startTimestampSeries.push(...command.startTimestampSeries);
}

function convertedHistogramLabels(labels: Labels): Labels | null {
  const name = getLabel(labels, METRIC_NAME);
  const suffix = /_(bucket|count|sum)$/.exec(name);
  if (suffix === null) return null;
  const pairs: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === 'le') continue;
    pairs.push(labels[i], labels[i] === METRIC_NAME ? name.slice(0, suffix.index) : labels[i + 1]);
  }
  return labelsFromPairs(pairs);
}

/** Functions whose input can only be native histograms: over floats they answer nothing. */
const NATIVE_HISTOGRAM_MESSAGE = /native histogram|trim operator|function "histogram_(count|sum|avg|stddev|stdvar)"/;
const START_TIMESTAMP_MESSAGE = /start timestamp|function "start_timestamp"/;

/**
 * Classifies a failed eval: the reason it is out of scope, or null when it is a failure of the
 * stable language. `parsed` is null when the query did not parse.
 */
export function classifyFailure(command: EvalCommand, parsed: Expr | null, message: string, data: UnsupportedData): OutOfScopeReason | null {
  if (command.usesNativeHistograms) return 'native histograms';
  if (/not supported yet/.test(message)) {
    if (NATIVE_HISTOGRAM_MESSAGE.test(message)) return 'native histograms';
    if (START_TIMESTAMP_MESSAGE.test(message)) return 'start timestamps';
    return 'feature flag';
  }
  if (parsed === null) return null;
  const selectors = vectorSelectors(parsed);
  if (selectors.some((selector) => data.histogramSeries.some((labels) => selects(selector, labels)))) return 'native histograms';
  if (selectors.some((selector) => data.startTimestampSeries.some((labels) => selects(selector, labels)))) return 'start timestamps';
  return null;
}

function selects(selector: VectorSelector, labels: Labels): boolean {
  return selector.matchers.every((matcher) => matcher.matches(getLabel(labels, matcher.name)));
}

function vectorSelectors(expr: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  const visit = (node: Expr): void => {
    switch (node.type) {
      case 'VectorSelector':
        out.push(node);
        break;
      case 'MatrixSelector':
        out.push(node.vectorSelector);
        break;
      case 'SubqueryExpr':
      case 'ParenExpr':
      case 'UnaryExpr':
        visit(node.expr);
        break;
      case 'BinaryExpr':
        visit(node.lhs);
        visit(node.rhs);
        break;
      case 'AggregateExpr':
        visit(node.expr);
        if (node.param !== null) visit(node.param);
        break;
      case 'Call':
        for (const argument of node.args) visit(argument);
        break;
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
    }
  };
  visit(expr);
  return out;
}
