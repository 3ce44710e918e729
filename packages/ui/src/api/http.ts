/** Fetch helpers for Vigil's HTTP APIs: one error type carrying the API's own message. */

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

/** GET or POST JSON; throws ApiRequestError with the server's `error` text when the call fails. */
export async function fetchJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiRequestError(`cannot reach Vigil: ${(error as Error).message}`, 0);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    if (!response.ok) throw new ApiRequestError(text.trim() || `${response.status} ${response.statusText}`, response.status);
    throw new ApiRequestError(`${url}: the answer is not JSON`, response.status);
  }
  if (!response.ok) {
    const failure = body as { error?: string; message?: string; errorType?: string } | null;
    throw new ApiRequestError(failure?.error ?? failure?.message ?? `${response.status} ${response.statusText}`, response.status, failure?.errorType);
  }
  return body as T;
}

/** POSTs a form body, as Prometheus's query endpoints accept (no URL length limit for long queries). */
export function postForm<T>(url: string, parameters: Record<string, string>, signal?: AbortSignal): Promise<T> {
  return fetchJson<T>(url, {
    method: 'POST',
    body: new URLSearchParams(parameters),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    signal,
  });
}
