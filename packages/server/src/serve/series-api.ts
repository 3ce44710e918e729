import type { Hono } from 'hono';
import { compareStrings, labelsKey, labelsToRecord } from '../model/index.ts';
import type { LabelMatcher, Labels } from '../model/index.ts';
import type { Storage } from '../store/index.ts';
import { ApiError, api, success } from './response.ts';
import { MAX_TIME, MIN_TIME, invalidParameter, limitParam, matchersParam, readParams, timeParam } from './params.ts';

/** `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values`, as Prometheus answers them. */
export function mountSeriesApi(app: Hono, storage: Storage): void {
  // Prometheus does not check end >= start here: such a range simply matches nothing.
  const range = (params: URLSearchParams) => {
    const start = timeParam(params, 'start', MIN_TIME);
    const end = timeParam(params, 'end', MAX_TIME);
    return { start, end };
  };

  const series = async (request: Request) =>
    api(async () => {
      const params = await readParams(request);
      if (params.getAll('match[]').length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
      const limit = limitParam(params);
      const { start, end } = range(params);
      let selectors: LabelMatcher[][];
      try {
        selectors = matchersParam(params);
      } catch (error) {
        throw invalidParameter('match[]', error);
      }
      const querier = storage.querier(start, end);
      try {
        const seen = new Map<string, Labels>();
        for (const matchers of selectors) {
          for (const s of querier.select(matchers, { labelsOnly: true })) seen.set(labelsKey(s.labels), s.labels);
        }
        const all = [...seen.values()].sort((a, b) => compareStrings(labelsKey(a), labelsKey(b)));
        const warnings: string[] = [];
        if (limit !== undefined && all.length > limit) {
          all.length = limit;
          warnings.push('results truncated due to limit');
        }
        return success(all.map(labelsToRecord), warnings);
      } finally {
        querier.close();
      }
    });
  app.get('/api/v1/series', (c) => series(c.req.raw));
  app.post('/api/v1/series', (c) => series(c.req.raw));

  const collect = (selectors: LabelMatcher[][], each: (matchers: LabelMatcher[]) => string[]) => {
    const out = new Set<string>();
    for (const matchers of selectors.length === 0 ? [[]] : selectors) for (const value of each(matchers)) out.add(value);
    return [...out].sort(compareStrings);
  };

  const labels = async (request: Request) =>
    api(async () => {
      const params = await readParams(request);
      const limit = limitParam(params);
      const { start, end } = range(params);
      const querier = storage.querier(start, end);
      try {
        const names = collect(matchersParam(params), (matchers) => querier.labelNames(matchers));
        return truncated(names, limit);
      } finally {
        querier.close();
      }
    });
  app.get('/api/v1/labels', (c) => labels(c.req.raw));
  app.post('/api/v1/labels', (c) => labels(c.req.raw));

  app.get('/api/v1/label/:name/values', (c) =>
    api(async () => {
      let name = c.req.param('name');
      // Prometheus 3 accepts UTF-8 names escaped as U__<hex>_ sequences.
      if (name.startsWith('U__')) name = unescapeLabelName(name);
      const params = await readParams(c.req.raw);
      const limit = limitParam(params);
      const { start, end } = range(params);
      const querier = storage.querier(start, end);
      try {
        const values = collect(matchersParam(params), (matchers) => querier.labelValues(name, matchers));
        return truncated(values, limit);
      } finally {
        querier.close();
      }
    }),
  );
}

function truncated(values: string[], limit: number | undefined): Response {
  if (limit !== undefined && values.length > limit) return success(values.slice(0, limit), ['results truncated due to limit']);
  return success(values);
}

/** Reverses Prometheus's `U__` label-name escaping (`U__my_2e_label` → `my.label`, `__` → `_`). */
function unescapeLabelName(escaped: string): string {
  const body = escaped.slice(3);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '_') {
      out += body[i];
      continue;
    }
    if (body[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = body.indexOf('_', i + 1);
    if (end < 0) return escaped;
    const code = parseInt(body.slice(i + 1, end), 16);
    if (!Number.isFinite(code)) return escaped;
    out += String.fromCodePoint(code);
    i = end;
  }
  return out;
}
