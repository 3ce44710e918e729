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
  canceled: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
};

export function success(data: unknown, warnings?: string[]): Response {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings !== undefined && warnings.length > 0) body.warnings = warnings;
  return json(body, 200);
}

export function failure(error: unknown): Response {
  const apiError = error instanceof ApiError ? error : new ApiError('internal', error instanceof Error ? error.message : String(error));
  return json({ status: 'error', errorType: apiError.type, error: apiError.message }, STATUS[apiError.type]);
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Runs an API handler, turning any thrown error into the Prometheus error envelope. */
export async function api(handler: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    return failure(error);
  }
}
