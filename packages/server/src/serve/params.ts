import { goQuote, parseDuration, parseGoFloat } from '../model/index.ts';
import type { LabelMatcher } from '../model/index.ts';
import { parseSelector } from '../query/index.ts';
import { ApiError } from './response.ts';

/**
 * Query and form parameters of a request, as Go's `Request.FormValue` reads them: for POST, PUT and
 * PATCH a form-encoded body comes first, then the URL's query string (so `get` finds the body's value).
 */
export async function readParams(request: Request): Promise<URLSearchParams> {
  const query = new URL(request.url).searchParams;
  if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return query;
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return query;
  const params = new URLSearchParams(await request.text());
  for (const [key, value] of query) params.append(key, value);
  return params;
}

/** Prometheus's minimum and maximum API times (years ~ -292M and +292M around the epoch, in ms). */
export const MIN_TIME = -9223372036854;
export const MAX_TIME = 9223372036854;
/** How Prometheus prints its minimum and maximum times; clients send them back as-is. */
const MIN_TIME_TEXT = '-292273086-05-16T16:47:06Z';
const MAX_TIME_TEXT = '292277025-08-18T07:12:54.999999999Z';

/** Go's int64 bounds as float64 (2^63): durations and integers beyond them overflow. */
const INT64_LIMIT = 2 ** 63;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** An API time: float seconds since the epoch (rounded to the millisecond) or RFC 3339. Returns ms. */
export function parseApiTime(text: string): number {
  const seconds = parseGoFloat(text);
  if (seconds !== null && Number.isFinite(seconds)) {
    const whole = Math.trunc(seconds);
    // Go rounds the fraction to milliseconds half away from zero.
    const fraction = (seconds - whole) * 1000;
    return whole * 1000 + Math.sign(fraction) * Math.round(Math.abs(fraction));
  }
  if (RFC3339.test(text)) {
    const ms = Date.parse(text.toUpperCase());
    if (!Number.isNaN(ms)) return ms;
  }
  if (text === MIN_TIME_TEXT) return MIN_TIME;
  if (text === MAX_TIME_TEXT) return MAX_TIME;
  throw new Error(`cannot parse ${goQuote(text)} to a valid timestamp`);
}

/** An API duration: float seconds or a Prometheus duration (`5m`, `1h30m`). Returns ms. */
export function parseApiDuration(text: string): number {
  const seconds = parseGoFloat(text);
  if (seconds !== null) {
    const nanoseconds = seconds * 1e9;
    if (!(nanoseconds < INT64_LIMIT && nanoseconds >= -INT64_LIMIT)) {
      throw new Error(`cannot parse ${goQuote(text)} to a valid duration. It overflows int64`);
    }
    return seconds * 1000;
  }
  try {
    return parseDuration(text);
  } catch {
    throw new Error(`cannot parse ${goQuote(text)} to a valid duration`);
  }
}

/** `invalid parameter "name": …`, Prometheus's wording for a bad parameter. */
export function invalidParameter(name: string, error: unknown): ApiError {
  return new ApiError('bad_data', `invalid parameter ${goQuote(name)}: ${error instanceof Error ? error.message : String(error)}`);
}

/** An optional time parameter (`start`, `end`, `time`), with Prometheus's error text. */
export function timeParam(params: URLSearchParams, name: string, fallback: number): number {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  try {
    return parseApiTime(value);
  } catch (error) {
    throw invalidParameter(name, new Error(`invalid time value for '${name}': ${(error as Error).message}`));
  }
}

/** `match[]` selectors; errors carry the parser's text (callers wrap it where Prometheus does). */
export function matchersParam(params: URLSearchParams, name = 'match[]'): LabelMatcher[][] {
  return params.getAll(name).map((text) => {
    try {
      return parseSelector(text);
    } catch (error) {
      throw new ApiError('bad_data', (error as Error).message);
    }
  });
}

/** `limit`: a non-negative integer; 0 or absent means no limit (undefined). */
export function limitParam(params: URLSearchParams): number | undefined {
  const value = params.get('limit');
  if (value === null || value === '') return undefined;
  const limit = parseGoInt(value);
  if (limit < 0) throw invalidParameter('limit', new Error('limit must be non-negative'));
  return limit === 0 ? undefined : limit;
}

/** Go's `strconv.Atoi`, with its error texts (as `invalid parameter "limit"` shows them). */
function parseGoInt(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw invalidParameter('limit', new Error(`strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`));
  const value = Number(text);
  if (value >= INT64_LIMIT || value < -INT64_LIMIT) {
    throw invalidParameter('limit', new Error(`strconv.Atoi: parsing ${goQuote(text)}: value out of range`));
  }
  return value;
}

