import { parseTimeParam } from '../model/index.ts';
import type { LabelMatcher } from '../model/index.ts';
import { parseSelector } from '../query/index.ts';
import { ApiError } from './response.ts';

/** Query and form parameters of a GET or form POST, as Prometheus's API reads them. */
export async function readParams(request: Request): Promise<URLSearchParams> {
  const params = new URL(request.url).searchParams;
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(await request.text());
      for (const [key, value] of form) params.append(key, value);
    }
  }
  return params;
}

/** Prometheus's minimum and maximum API times (years ~ -292M and +292M around the epoch, in ms). */
export const MIN_TIME = -9223372036854;
export const MAX_TIME = 9223372036854;

export function timeParam(params: URLSearchParams, name: string, fallback: number): number {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  try {
    return parseTimeParam(value);
  } catch {
    throw new ApiError('bad_data', `invalid time value for '${name}': cannot parse ${JSON.stringify(value)} to a valid timestamp`);
  }
}

export function matchersParam(params: URLSearchParams, name = 'match[]'): LabelMatcher[][] {
  return params.getAll(name).map((text) => {
    try {
      return parseSelector(text);
    } catch (error) {
      throw new ApiError('bad_data', (error as Error).message);
    }
  });
}

export function limitParam(params: URLSearchParams): number | undefined {
  const value = params.get('limit');
  if (value === null || value === '') return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new ApiError('bad_data', `invalid limit: ${JSON.stringify(value)}`);
  return limit === 0 ? undefined : limit;
}
