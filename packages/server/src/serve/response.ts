import { QueryError } from '../query/promql/value.ts';

/**
 * The Prometheus API envelope, and the one place typed errors become `errorType` and HTTP codes.
 */
export type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found';

export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  // Prometheus answers a canceled query (the client went away) with nginx's 499 "client closed request".
  canceled: 499,
  internal: 500,
  // Prometheus has no status of its own for `unavailable` (admin APIs disabled, TSDB not ready): 500.
  unavailable: 500,
  not_found: 404,
};

export function success(data: unknown, warnings?: readonly string[], infos?: readonly string[]): Response {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings !== undefined && warnings.length > 0) body.warnings = warnings;
  if (infos !== undefined && infos.length > 0) body.infos = infos;
  return json(body, 200);
}

/** What Prometheus sends for a successful call without data (admin endpoints): 204 No Content. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** The HTTP status Prometheus uses for an error type. */
export function errorStatus(type: ErrorType): number {
  return STATUS[type];
}

export function failure(error: unknown): Response {
  const apiError = toApiError(error);
  return json({ status: 'error', errorType: apiError.type, error: apiError.message }, STATUS[apiError.type]);
}

/** Any thrown error as an ApiError: a query's error keeps its kind; anything else is internal. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof QueryError) return new ApiError(error.kind, error.message);
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}

export function json(body: unknown, status = 200): Response {
  return jsonText(goJson(JSON.stringify(body)), status);
}

/**
 * A response whose body is already JSON text. Its length is stated, so the compression middleware
 * leaves small answers alone: compressing an empty result costs more than sending it.
 */
export function jsonText(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
}

const GO_SPECIAL = /[<>&\u2028\u2029]|\\[bf]/;
const GO_REWRITE = /\\[\s\S]|[<>&\u2028\u2029]/g;

/**
 * Go's encoder (jsoniter, as Prometheus configures it) escapes `<`, `>`, `&`, U+2028 and U+2029 inside
 * strings and writes backspace and form feed as `\u0008` and `\u000c`, where JSON.stringify leaves
 * the first five alone and writes `\b` and `\f`. Those characters only ever occur inside strings of
 * JSON text, and escape pairs are taken whole, so rewriting the whole text is exact.
 */
export function goJson(text: string): string {
  if (!GO_SPECIAL.test(text)) return text;
  return text.replace(GO_REWRITE, (match) => {
    if (match.length === 2) return match === '\\b' ? '\\u0008' : match === '\\f' ? '\\u000c' : match;
    return `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Runs an API handler, turning any thrown error into the Prometheus error envelope. */
export async function api(handler: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    return failure(error);
  }
}
