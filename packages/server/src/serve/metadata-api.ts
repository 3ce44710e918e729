import type { Hono } from 'hono';
import { compareStrings } from '../model/index.ts';
import { ApiError, api, success } from './response.ts';
import { readParams } from './params.ts';

/** One metric family's metadata as a target (or a remote-write sender) described it. */
export interface MetricMetadataEntry {
  metricFamily: string;
  type: string;
  help: string;
  unit: string;
}

/** Every metadata entry known now: scraped targets' TYPE/HELP/UNIT and remote-write metadata. */
export type MetadataSource = () => Iterable<Readonly<MetricMetadataEntry>>;

/** `/api/v1/metadata` (`metric`, `limit`, `limit_per_metric`), as Prometheus answers it. */
export function mountMetadataApi(app: Hono, source: MetadataSource): void {
  app.get('/api/v1/metadata', (c) =>
    api(async () => {
      const params = await readParams(c.req.raw);
      const limit = numberParam(params, 'limit');
      const limitPerMetric = numberParam(params, 'limit_per_metric');
      const metric = params.get('metric') ?? '';
      const families = new Map<string, Map<string, { type: string; help: string; unit: string }>>();
      for (const entry of source()) {
        if (metric !== '' && entry.metricFamily !== metric) continue;
        let distinct = families.get(entry.metricFamily);
        if (limitPerMetric > 0 && distinct !== undefined && distinct.size >= limitPerMetric) continue;
        if (distinct === undefined) families.set(entry.metricFamily, (distinct = new Map()));
        distinct.set(`${entry.type}\xff${entry.help}\xff${entry.unit}`, { type: entry.type, help: entry.help, unit: entry.unit });
      }
      const data: Record<string, { type: string; help: string; unit: string }[]> = {};
      for (const name of [...families.keys()].sort(compareStrings)) {
        // A negative limit is no limit; 0 gives nothing, as in Prometheus.
        if (limit >= 0 && Object.keys(data).length >= limit) break;
        data[name] = [...(families.get(name) as Map<string, { type: string; help: string; unit: string }>).values()];
      }
      return success(data);
    }),
  );
}

/** `limit` and `limit_per_metric`: any integer (Go's Atoi); -1 when absent. */
function numberParam(params: URLSearchParams, name: string): number {
  const text = params.get(name);
  if (text === null || text === '') return -1;
  if (!/^[+-]?\d+$/.test(text)) throw new ApiError('bad_data', `${name} must be a number`);
  return Number(text);
}
