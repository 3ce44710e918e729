import type { Hono } from 'hono';
import type { Storage } from '../store/index.ts';
import { QueryError } from '../query/promql/value.ts';
import type { QueryResult, QueryValue } from '../query/promql/value.ts';
import { ApiError, api, goJson } from './response.ts';
import { goQuote } from '../model/index.ts';
import { invalidParameter, limitParam, parseApiDuration, parseApiTime, readParams, timeParam } from './params.ts';
import { queryAnswerBytes } from './query-json.ts';
import { bufferedResponse } from './compress.ts';

/** Per-query options the API passes to the engine (all durations in ms). */
export interface QueryRequestOptions {
  signal?: AbortSignal;
  lookbackDelta?: number;
  timeout?: number;
}

/**
 * What the query endpoints need from the PromQL engine (query/promql/engine's `Engine` fits it).
 * Times in ms; it throws QueryError (ParseError for bad query text).
 */
export interface QueryEngine {
  instantQuery(queryable: Storage, query: string, time: number, options?: QueryRequestOptions): Promise<QueryResult>;
  rangeQuery(queryable: Storage, query: string, start: number, end: number, step: number, options?: QueryRequestOptions): Promise<QueryResult>;
}

export interface QueryApiOptions {
  storage: Storage;
  engine: QueryEngine;
  /** The clock for the default `time` of an instant query. */
  now?: () => number;
  /** The engine's own timeout (ms): as in Prometheus, a `timeout` parameter can only shorten it. */
  timeout?: number;
}

/** Prometheus refuses range queries with more points than this per series. */
export const MAX_POINTS_PER_SERIES = 11_000;
/** Annotations of each kind sent with a result; the rest are counted in one line, as Prometheus does. */
const MAX_ANNOTATIONS = 10;

/** `/api/v1/query` and `/api/v1/query_range`, as Prometheus answers them. */
export function mountQueryApi(app: Hono, options: QueryApiOptions): void {
  const now = options.now ?? Date.now;

  const instant = (request: Request) =>
    api(async () => {
      const params = await readParams(request);
      const limit = limitParam(params);
      const time = timeParam(params, 'time', now());
      const timeout = effectiveTimeout(timeoutParam(params), options.timeout);
      const lookbackDelta = lookbackDeltaParam(params);
      const query = params.get('query') ?? '';
      const result = await run(() => options.engine.instantQuery(options.storage, query, time, { signal: request.signal, timeout, lookbackDelta }));
      return respond(result, limit, params.get('stats'));
    });
  app.get('/api/v1/query', (c) => instant(c.req.raw));
  app.post('/api/v1/query', (c) => instant(c.req.raw));

  const range = (request: Request) =>
    api(async () => {
      const params = await readParams(request);
      const limit = limitParam(params);
      const start = requiredTime(params, 'start');
      const end = requiredTime(params, 'end');
      if (end < start) throw invalidParameter('end', new Error('end timestamp must not be before start time'));
      let step: number;
      try {
        step = parseApiDuration(params.get('step') ?? '');
      } catch (error) {
        throw invalidParameter('step', error);
      }
      if (!(step > 0)) throw invalidParameter('step', new Error('zero or negative query resolution step widths are not accepted. Try a positive integer'));
      // Go divides the two durations as integers (nanoseconds), so the quotient is truncated.
      if (Math.trunc((end - start) / step) > MAX_POINTS_PER_SERIES) {
        throw new ApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      }
      const timeout = effectiveTimeout(timeoutParam(params), options.timeout);
      const lookbackDelta = lookbackDeltaParam(params);
      const query = params.get('query') ?? '';
      // The engine counts in whole milliseconds, as Prometheus's does.
      const stepMs = Math.max(1, Math.trunc(step));
      const result = await run(() => options.engine.rangeQuery(options.storage, query, start, end, stepMs, { signal: request.signal, timeout, lookbackDelta }));
      return respond(result, limit, params.get('stats'));
    });
  app.get('/api/v1/query_range', (c) => range(c.req.raw));
  app.post('/api/v1/query_range', (c) => range(c.req.raw));
}

function requiredTime(params: URLSearchParams, name: string): number {
  try {
    return parseApiTime(params.get(name) ?? '');
  } catch (error) {
    throw invalidParameter(name, error);
  }
}

function timeoutParam(params: URLSearchParams): number | undefined {
  const text = params.get('timeout');
  if (text === null || text === '') return undefined;
  try {
    return parseApiDuration(text);
  } catch (error) {
    throw invalidParameter('timeout', error);
  }
}

function effectiveTimeout(requested: number | undefined, engineTimeout: number | undefined): number | undefined {
  if (requested === undefined || engineTimeout === undefined) return requested;
  return Math.min(requested, engineTimeout);
}

function lookbackDeltaParam(params: URLSearchParams): number | undefined {
  const text = params.get('lookback_delta');
  if (text === null || text === '') return undefined;
  try {
    const delta = parseApiDuration(text);
    // Prometheus treats 0 as "use the engine's default".
    return delta === 0 ? undefined : delta;
  } catch (error) {
    throw new ApiError('bad_data', `error parsing lookback delta duration: ${(error as Error).message}`);
  }
}

/**
 * Runs a query. A query that cannot be parsed or type-checked is a bad `query` parameter, as
 * Prometheus reports it when creating the query; every other error keeps the kind the engine gave it.
 */
async function run(query: () => Promise<QueryResult>): Promise<QueryResult> {
  try {
    return await query();
  } catch (error) {
    // Prometheus only reports bad_data while creating a query (parsing and checking types).
    if (error instanceof QueryError && error.kind === 'bad_data') throw invalidParameter('query', error);
    throw error;
  }
}

function respond(result: QueryResult, limit: number | undefined, stats: string | null): Response {
  const warnings = capped(result.warnings, 'warning');
  const infos = capped(result.infos, 'info');
  let value = result.value;
  if (limit !== undefined) {
    const truncated = truncate(value, limit);
    if (truncated !== value) {
      value = truncated;
      warnings.push('results truncated due to limit');
    }
  }
  // Prometheus accepts "true" and "all" and renders statistics, which Vigil does not yet: say so
  // rather than answer as if none were asked for. Other values still work there but are deprecated.
  if (stats === 'true' || stats === 'all') warnings.push('query statistics (stats) are not supported by Vigil yet');
  else if (stats !== null && stats !== '') {
    warnings.push(`value ${goQuote(stats)} for parameter "stats" is deprecated and will be rejected in the next major release, use "true" or "all"`);
  }
  let tail = '';
  if (warnings.length > 0) tail += `,"warnings":${goJson(JSON.stringify(warnings))}`;
  if (infos.length > 0) tail += `,"infos":${goJson(JSON.stringify(infos))}`;
  const body = queryAnswerBytes(value, tail);
  return bufferedResponse(body, { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
}

function capped(messages: readonly string[], kind: string): string[] {
  if (messages.length <= MAX_ANNOTATIONS) return [...messages];
  const kept = messages.slice(0, MAX_ANNOTATIONS);
  kept.push(`${messages.length - MAX_ANNOTATIONS} more ${kind} annotations omitted`);
  return kept;
}

/** The first `limit` series of a vector or matrix (Prometheus leaves scalars and strings alone). */
function truncate(value: QueryValue, limit: number): QueryValue {
  if (value.type === 'vector' && value.samples.length > limit) return { type: 'vector', samples: value.samples.slice(0, limit) };
  if (value.type === 'matrix' && value.series.length > limit) return { type: 'matrix', series: value.series.slice(0, limit) };
  return value;
}
