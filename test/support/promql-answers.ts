/**
 * Comparing two answers of the Prometheus query API (`/api/v1/query`, `/api/v1/query_range`): the
 * same status, the same error type, the same result type, the same series (label sets), the same
 * timestamps, and values equal within a relative 1e-6 (NaN equals NaN, ±Inf exactly).
 */

export interface ApiAnswer {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
  /** Set when the request itself failed (no JSON, connection refused, timeout). */
  transportError?: string;
  httpStatus?: number;
}

/** Relative tolerance on values, and an absolute floor for results that should be exactly zero. */
export const RELATIVE_TOLERANCE = 1e-6;
export const ABSOLUTE_TOLERANCE = 1e-12;

export function parseSampleValue(text: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function valuesEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseSampleValue(a);
  const y = parseSampleValue(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  const difference = Math.abs(x - y);
  return difference <= ABSOLUTE_TOLERANCE || difference <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

type Point = [number, string];
interface VectorSample {
  metric: Record<string, string>;
  value: Point;
}
interface MatrixSeries {
  metric: Record<string, string>;
  values?: Point[];
}

export function labelKey(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function pointsEqual(a: Point, b: Point): string | null {
  if (a[0] !== b[0]) return `timestamp ${a[0]} vs ${b[0]}`;
  if (!valuesEqual(a[1], b[1])) return `value at ${a[0]}: ${a[1]} vs ${b[1]}`;
  return null;
}

function bySeries<T extends { metric: Record<string, string> }>(items: readonly T[], side: string): Map<string, T> | string {
  const map = new Map<string, T>();
  for (const item of items) {
    const key = labelKey(item.metric ?? {});
    if (map.has(key)) return `${side} has the series ${key} twice`;
    map.set(key, item);
  }
  return map;
}

/**
 * Returns null when the answers agree, else a one-line description of the first difference.
 * `expected` is Prometheus's answer, `actual` Vigil's. `ordered`: also compare the order of values
 * (a top-level sort in an instant query).
 */
export function compareAnswers(expected: ApiAnswer, actual: ApiAnswer, ordered = false): string | null {
  if (expected.transportError !== undefined) return `Prometheus request failed: ${expected.transportError}`;
  if (actual.transportError !== undefined) return `Vigil request failed: ${actual.transportError}`;
  if (expected.status !== actual.status) return `status ${expected.status} vs ${actual.status}`;
  if (expected.status === 'error') return expected.errorType === actual.errorType ? null : `errorType ${expected.errorType} vs ${actual.errorType}`;
  const e = expected.data;
  const a = actual.data;
  if (e === undefined || a === undefined) return 'missing data';
  if (e.resultType !== a.resultType) return `resultType ${e.resultType} vs ${a.resultType}`;
  switch (e.resultType) {
    case 'scalar':
    case 'string': {
      const ep = e.result as Point;
      const ap = a.result as Point;
      if (e.resultType === 'string') return ep[0] === ap[0] && ep[1] === ap[1] ? null : `string ${JSON.stringify(ep)} vs ${JSON.stringify(ap)}`;
      return pointsEqual(ep, ap);
    }
    case 'vector': {
      const ev = e.result as VectorSample[];
      const av = a.result as VectorSample[];
      if (ev.length !== av.length) return `${ev.length} vs ${av.length} samples`;
      const em = bySeries(ev, 'Prometheus');
      const am = bySeries(av, 'Vigil');
      if (typeof em === 'string') return em;
      if (typeof am === 'string') return am;
      for (const [key, sample] of em) {
        const other = am.get(key);
        if (other === undefined) return `series ${key} missing in Vigil`;
        const difference = pointsEqual(sample.value, other.value);
        if (difference !== null) return `${key}: ${difference}`;
      }
      if (ordered) {
        for (let i = 0; i < ev.length; i++) {
          if (!valuesEqual(ev[i].value[1], av[i].value[1])) return `order: position ${i} holds ${ev[i].value[1]} vs ${av[i].value[1]}`;
        }
      }
      return null;
    }
    case 'matrix': {
      const em = bySeries(e.result as MatrixSeries[], 'Prometheus');
      const am = bySeries(a.result as MatrixSeries[], 'Vigil');
      if (typeof em === 'string') return em;
      if (typeof am === 'string') return am;
      for (const key of am.keys()) if (!em.has(key)) return `series ${key} only in Vigil`;
      for (const [key, series] of em) {
        const other = am.get(key);
        if (other === undefined) return `series ${key} missing in Vigil`;
        const ep = series.values ?? [];
        const ap = other.values ?? [];
        if (ep.length !== ap.length) {
          const et = new Set(ep.map((p) => p[0]));
          const at = new Set(ap.map((p) => p[0]));
          const missing = ep.find((p) => !at.has(p[0]));
          const extra = ap.find((p) => !et.has(p[0]));
          return `${key}: ${ep.length} vs ${ap.length} points${missing ? `; first missing in Vigil at ${missing[0]}` : ''}${extra ? `; first extra in Vigil at ${extra[0]}` : ''}`;
        }
        for (let i = 0; i < ep.length; i++) {
          const difference = pointsEqual(ep[i], ap[i]);
          if (difference !== null) return `${key}: ${difference}`;
        }
      }
      return null;
    }
    default:
      return `unknown resultType ${e.resultType}`;
  }
}

/** Asks one server; never throws (failures come back as `transportError`). */
export async function askQueryApi(base: string, path: '/api/v1/query' | '/api/v1/query_range', params: Record<string, string>, timeoutMs = 60_000): Promise<ApiAnswer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      const body = JSON.parse(text) as ApiAnswer;
      body.httpStatus = response.status;
      return body;
    } catch {
      return { status: 'error', transportError: `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`, httpStatus: response.status };
    }
  } catch (error) {
    return { status: 'error', transportError: (error as Error).message };
  }
}

/** A short rendering of an answer for failure messages. */
export function summarizeAnswer(answer: ApiAnswer, limit = 600): string {
  const text = answer.transportError !== undefined ? `transport error: ${answer.transportError}` : JSON.stringify(answer.status === 'error' ? { errorType: answer.errorType, error: answer.error } : answer.data);
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} chars)` : text;
}
