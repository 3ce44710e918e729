/**
 * A panel's data: each visible target interpolated and sent to `/api/v1/query_range` (or
 * `/api/v1/query` for instant targets) with the step Grafana would pick for the panel's width, and
 * the answers turned into named series (`legendFormat` with `{{label}}`).
 */
import { formatSeriesName, queryInstant, queryRange } from '../../api/prometheus.ts';
import type { Labels, QueryData } from '../../api/prometheus.ts';
import { calculateInterval, parseInterval, rateInterval } from '../../components/format/time.ts';
import type { PanelModel, Target } from './model.ts';
import { interpolate } from './variables.ts';
import type { BuiltinValues, VariableState } from './variables.ts';

export interface Series {
  refId: string;
  name: string;
  labels: Labels;
  /** Milliseconds. */
  timestamps: Float64Array;
  /** NaN where there is no sample at that step. */
  values: Float64Array;
}

export interface PanelData {
  series: Series[];
  warnings: string[];
  /** Errors by target (`A: parse error …`). */
  errors: string[];
  /** The step used for range queries, ms. */
  stepMs: number;
  /** The queries as sent, for the panel's inspector. */
  queries: string[];
}

/** Prometheus's default scrape interval: Grafana's default minimum step for a Prometheus source. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;

/** `{{label}}` placeholders filled from the series' labels (missing labels become empty). */
export function formatLegend(legendFormat: string, labels: Labels): string {
  if (legendFormat === '' || legendFormat === '__auto') return formatSeriesName(labels);
  return legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_whole, name: string) => labels[name] ?? '');
}

function seriesFromAnswer(target: Target, data: QueryData, endMs: number): Series[] {
  switch (data.resultType) {
    case 'matrix':
      return data.result.map((entry) => {
        const values = entry.values ?? [];
        const timestamps = new Float64Array(values.length);
        const numbers = new Float64Array(values.length);
        for (let index = 0; index < values.length; index++) {
          timestamps[index] = values[index][0] * 1000;
          numbers[index] = Number.parseFloat(values[index][1]);
        }
        return { refId: target.refId, name: formatLegend(target.legendFormat, entry.metric), labels: entry.metric, timestamps, values: numbers };
      });
    case 'vector':
      return data.result.map((entry) => ({
        refId: target.refId,
        name: formatLegend(target.legendFormat, entry.metric),
        labels: entry.metric,
        timestamps: Float64Array.of(entry.value ? entry.value[0] * 1000 : endMs),
        values: Float64Array.of(entry.value ? Number.parseFloat(entry.value[1]) : Number.NaN),
      }));
    case 'scalar':
    case 'string':
      return [
        {
          refId: target.refId,
          name: target.legendFormat || target.expr,
          labels: {},
          timestamps: Float64Array.of(data.result[0] * 1000),
          values: Float64Array.of(Number.parseFloat(data.result[1])),
        },
      ];
    default:
      return [];
  }
}

export interface QueryContext {
  fromMs: number;
  toMs: number;
  /** Panel width in pixels: Grafana's default maxDataPoints. */
  widthPixels: number;
  variables: Map<string, VariableState>;
  dashboardTitle: string;
  dashboardUid: string;
  /** Scoped values (repeated panels). */
  scoped?: Record<string, string>;
  signal?: AbortSignal;
}

/** Interval and built-ins for a panel at this range and width. */
export function panelBuiltins(panel: PanelModel, context: QueryContext, target?: Target): BuiltinValues {
  const rangeMs = context.toMs - context.fromMs;
  // Grafana writes minimum intervals as `30s` or `>30s` (both mean "at least").
  const minimum = parseInterval(interpolateSimple(target?.interval || panel.interval, context).replace(/^>/, '')) ?? DEFAULT_SCRAPE_INTERVAL_MS;
  const intervalMs = calculateInterval({ rangeMs, maxDataPoints: panel.maxDataPoints ?? Math.max(100, Math.round(context.widthPixels)), minIntervalMs: minimum });
  return {
    intervalMs,
    rateIntervalMs: rateInterval(intervalMs, DEFAULT_SCRAPE_INTERVAL_MS),
    rangeMs,
    fromMs: context.fromMs,
    toMs: context.toMs,
    dashboardTitle: context.dashboardTitle,
    dashboardUid: context.dashboardUid,
  };
}

function interpolateSimple(text: string, context: QueryContext): string {
  if (!text.includes('$')) return text;
  const rangeMs = context.toMs - context.fromMs;
  return interpolate(text, context.variables, { intervalMs: 0, rateIntervalMs: 0, rangeMs, fromMs: context.fromMs, toMs: context.toMs, dashboardTitle: context.dashboardTitle, dashboardUid: context.dashboardUid }, context.scoped);
}

/** Runs every visible target of `panel`; a failing target reports its error, the others still draw. */
export async function loadPanelData(panel: PanelModel, context: QueryContext): Promise<PanelData> {
  const visible = panel.targets.filter((target) => !target.hide && target.expr.trim() !== '');
  const result: PanelData = { series: [], warnings: [], errors: [], stepMs: 0, queries: [] };
  const answers = await Promise.all(
    visible.map(async (target) => {
      const builtins = panelBuiltins(panel, context, target);
      const stepMs = builtins.intervalMs * Math.max(1, target.intervalFactor);
      const expr = interpolate(target.expr, context.variables, builtins, context.scoped);
      // Grafana aligns both ends down to the step, so successive refreshes hit the same points.
      const startMs = Math.floor(context.fromMs / stepMs) * stepMs;
      const endMs = Math.max(startMs, Math.floor(context.toMs / stepMs) * stepMs);
      try {
        const answer = target.instant ? await queryInstant(expr, context.toMs, context.signal) : await queryRange(expr, startMs, endMs, stepMs / 1000, context.signal);
        return { target, expr, stepMs, answer, error: null };
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        return { target, expr, stepMs, answer: null, error: (error as Error).message };
      }
    }),
  );
  for (const { target, expr, stepMs, answer, error } of answers) {
    result.queries.push(expr);
    result.stepMs = Math.max(result.stepMs, stepMs);
    if (error !== null) result.errors.push(visible.length > 1 ? `${target.refId}: ${error}` : error);
    if (!answer) continue;
    result.warnings.push(...answer.warnings);
    result.series.push(...seriesFromAnswer(target, answer.data, context.toMs));
  }
  return result;
}

/** Reducers of Grafana's `reduceOptions.calcs` and legend `calcs`. */
export function reduceSeries(series: Series, calc: string): number | null {
  const values = series.values;
  let count = 0;
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  let first: number | null = null;
  let last: number | null = null;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (Number.isNaN(value)) continue;
    if (first === null) first = value;
    last = value;
    count++;
    sum += value;
    if (value > max) max = value;
    if (value < min) min = value;
  }
  switch (calc) {
    case 'lastNotNull':
    case 'current':
      return last;
    case 'last': {
      const value = values.length > 0 ? values[values.length - 1] : Number.NaN;
      return Number.isNaN(value) ? null : value;
    }
    case 'firstNotNull':
      return first;
    case 'first': {
      const value = values.length > 0 ? values[0] : Number.NaN;
      return Number.isNaN(value) ? null : value;
    }
    case 'mean':
    case 'avg':
      return count === 0 ? null : sum / count;
    case 'max':
      return count === 0 ? null : max;
    case 'min':
      return count === 0 ? null : min;
    case 'sum':
    case 'total':
      return count === 0 ? null : sum;
    case 'count':
      return count;
    case 'range':
      return count === 0 ? null : max - min;
    case 'delta':
    case 'diff':
      return first === null || last === null ? null : last - first;
    default:
      return last;
  }
}

/**
 * All series on one time axis for uPlot: the union of timestamps (seconds), each series with null
 * where it has no sample. Series from one range query share the step, so this is usually one pass.
 */
export function alignSeries(series: Series[]): { x: number[]; ys: (number | null)[][] } {
  const stamps = new Set<number>();
  for (const entry of series) for (const timestamp of entry.timestamps) stamps.add(timestamp);
  const x = [...stamps].sort((left, right) => left - right);
  const indexOf = new Map<number, number>();
  for (let index = 0; index < x.length; index++) indexOf.set(x[index], index);
  const ys = series.map((entry) => {
    const column = new Array<number | null>(x.length).fill(null);
    for (let index = 0; index < entry.timestamps.length; index++) {
      const value = entry.values[index];
      column[indexOf.get(entry.timestamps[index])!] = Number.isFinite(value) ? value : null;
    }
    return column;
  });
  return { x: x.map((timestamp) => timestamp / 1000), ys };
}
