import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { LabelMatcher } from '../model/index.ts';
import { parseSelector } from '../query/index.ts';
import { ApiError, api, noContent, success } from './response.ts';
import { goQuote } from '../model/index.ts';
import { MAX_TIME, MIN_TIME, invalidParameter, readParams, timeParam } from './params.ts';

/** The storage operations behind the TSDB admin endpoints (the Tsdb class provides them). */
export interface AdminOperations {
  /** The storage directory; snapshots go to `<dataDir>/snapshots/<name>`. */
  dataDir: string;
  deleteSeries(matchers: readonly LabelMatcher[], mint: number, maxt: number): Promise<void>;
  cleanTombstones(): Promise<void>;
  snapshot(dir: string, withHead: boolean): Promise<void>;
}

export interface AdminApiOptions {
  /** Null when `--web.enable-admin-api` is off: every admin endpoint then says so. */
  admin: AdminOperations | null;
  now?: () => number;
}

/** `/api/v1/admin/tsdb/{delete_series,clean_tombstones,snapshot}` (POST and PUT), as Prometheus answers them. */
export function mountAdminApi(app: Hono, options: AdminApiOptions): void {
  const now = options.now ?? Date.now;
  const enabled = (): AdminOperations => {
    if (options.admin === null) throw new ApiError('unavailable', 'admin APIs disabled');
    return options.admin;
  };

  const deleteSeries = (request: Request) =>
    api(async () => {
      const admin = enabled();
      const params = await readParams(request);
      const selectors = params.getAll('match[]');
      if (selectors.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
      const start = timeParam(params, 'start', MIN_TIME);
      const end = timeParam(params, 'end', MAX_TIME);
      for (const text of selectors) {
        let matchers: LabelMatcher[];
        try {
          matchers = parseSelector(text);
        } catch (error) {
          throw invalidParameter('match[]', error);
        }
        try {
          await admin.deleteSeries(matchers, start, end);
        } catch (error) {
          throw new ApiError('internal', (error as Error).message);
        }
      }
      return noContent();
    });

  const cleanTombstones = () =>
    api(async () => {
      const admin = enabled();
      try {
        await admin.cleanTombstones();
      } catch (error) {
        throw new ApiError('internal', (error as Error).message);
      }
      return noContent();
    });

  const snapshot = (request: Request) =>
    api(async () => {
      const admin = enabled();
      const params = await readParams(request);
      const skipHeadText = params.get('skip_head') ?? '';
      let skipHead = false;
      if (skipHeadText !== '') skipHead = parseGoBool(skipHeadText);
      const name = `${snapshotTime(now())}-${randomBytes(8).toString('hex')}`;
      const dir = join(admin.dataDir, 'snapshots', name);
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw new ApiError('internal', `create snapshot directory: ${(error as Error).message}`);
      }
      try {
        await admin.snapshot(dir, !skipHead);
      } catch (error) {
        throw new ApiError('internal', `create snapshot: ${(error as Error).message}`);
      }
      return success({ name });
    });

  for (const method of ['post', 'put'] as const) {
    app[method]('/api/v1/admin/tsdb/delete_series', (c) => deleteSeries(c.req.raw));
    app[method]('/api/v1/admin/tsdb/clean_tombstones', () => cleanTombstones());
    app[method]('/api/v1/admin/tsdb/snapshot', (c) => snapshot(c.req.raw));
  }
}

/** Go's `strconv.ParseBool`, with the error Prometheus shows for `skip_head`. */
function parseGoBool(text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw invalidParameter('skip_head', new Error(`unable to parse boolean: strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`));
}

/** `20060102T150405Z`: the time part of a snapshot's name, in UTC as Prometheus writes it. */
function snapshotTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
