/** Vigil's Prometheus HTTP API (`/api/v1/...`), typed as the UI uses it. */
import { fetchJson, postForm } from './http.ts';

export type Labels = Record<string, string>;
export interface MatrixSeries {
  metric: Labels;
  values?: [number, string][];
  histograms?: [number, unknown][];
}
export interface VectorSample {
  metric: Labels;
  value?: [number, string];
  histogram?: [number, unknown];
}
export type QueryData =
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'string'; result: [number, string] };

interface Envelope<T> {
  status: 'success' | 'error';
  data: T;
  warnings?: string[];
  infos?: string[];
}

export interface QueryAnswer {
  data: QueryData;
  warnings: string[];
}

/** `/api/v1/query_range`; times in milliseconds, step in seconds. */
export async function queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number, signal?: AbortSignal): Promise<QueryAnswer> {
  const answer = await postForm<Envelope<QueryData>>(
    '/api/v1/query_range',
    { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepSeconds) },
    signal,
  );
  return { data: answer.data, warnings: [...(answer.warnings ?? []), ...(answer.infos ?? [])] };
}

/** `/api/v1/query` at `timeMs`. */
export async function queryInstant(expr: string, timeMs: number, signal?: AbortSignal): Promise<QueryAnswer> {
  const answer = await postForm<Envelope<QueryData>>('/api/v1/query', { query: expr, time: String(timeMs / 1000) }, signal);
  return { data: answer.data, warnings: [...(answer.warnings ?? []), ...(answer.infos ?? [])] };
}

function rangeParameters(range?: { startMs: number; endMs: number }): string {
  return range ? `&start=${range.startMs / 1000}&end=${range.endMs / 1000}` : '';
}

/** `/api/v1/labels`, optionally restricted to series matching `match`. */
export async function labelNames(match?: string, range?: { startMs: number; endMs: number }): Promise<string[]> {
  const selector = match ? `match[]=${encodeURIComponent(match)}` : '';
  const answer = await fetchJson<Envelope<string[]>>(`/api/v1/labels?${selector}${rangeParameters(range)}`);
  return answer.data;
}

/** `/api/v1/label/<name>/values`, optionally restricted to series matching `match`. */
export async function labelValues(label: string, match?: string, range?: { startMs: number; endMs: number }): Promise<string[]> {
  const selector = match ? `match[]=${encodeURIComponent(match)}` : '';
  const answer = await fetchJson<Envelope<string[]>>(`/api/v1/label/${encodeURIComponent(label)}/values?${selector}${rangeParameters(range)}`);
  return answer.data;
}

/** `/api/v1/series` for one selector. */
export async function series(match: string, range?: { startMs: number; endMs: number }): Promise<Labels[]> {
  const answer = await fetchJson<Envelope<Labels[]>>(`/api/v1/series?match[]=${encodeURIComponent(match)}${rangeParameters(range)}`);
  return answer.data;
}

/** Formats a label set the way Prometheus prints a series: `name{a="b", c="d"}`. */
export function formatSeriesName(metric: Labels): string {
  const name = metric['__name__'] ?? '';
  const pairs = Object.entries(metric)
    .filter(([key]) => key !== '__name__')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return pairs.length === 0 && name ? name : `${name}{${pairs.join(', ')}}`;
}
