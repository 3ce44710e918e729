import type { Hono } from 'hono';
import type { LabelMatcher, Labels } from '../model/index.ts';
import type { Expr } from '../query/promql/ast.ts';
import { parseExpr } from '../query/promql/parser/index.ts';
import { ApiError, api, goJson, jsonText, noContent } from './response.ts';
import { MAX_TIME, MIN_TIME, readParams, timeParam } from './params.ts';
import { formatSampleValue, formatTimestamp, labelsJson } from './query-json.ts';

/** Exemplars of one series, as the storage hands them out (times in ms). */
export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: { labels: Labels; value: number; timestamp: number }[];
}

/** Exemplars of the series matching any of the selectors, within [mint, maxt]. */
export type ExemplarQuery = (selectors: readonly (readonly LabelMatcher[])[], mint: number, maxt: number) => ExemplarSeries[];

/** `/api/v1/query_exemplars`: the exemplars of the series a query's selectors match. */
export function mountExemplarsApi(app: Hono, exemplars: ExemplarQuery | undefined): void {
  const handler = (request: Request) =>
    api(async () => {
      const params = await readParams(request);
      const start = timeParam(params, 'start', MIN_TIME);
      const end = timeParam(params, 'end', MAX_TIME);
      if (end < start) throw new ApiError('bad_data', 'end timestamp must not be before start timestamp');
      let expr: Expr;
      try {
        expr = parseExpr(params.get('query') ?? '');
      } catch (error) {
        throw new ApiError('bad_data', (error as Error).message);
      }
      const selectors = selectorsOf(expr);
      // Prometheus answers a query without selectors with no data at all.
      if (selectors.length === 0) return noContent();
      const found = exemplars === undefined ? [] : exemplars(selectors, start, end);
      return jsonText(`{"status":"success","data":${exemplarsJson(found)}}`);
    });
  app.get('/api/v1/query_exemplars', (c) => handler(c.req.raw));
  app.post('/api/v1/query_exemplars', (c) => handler(c.req.raw));
}

/** The matchers of every vector selector in the expression, in the order they are written. */
export function selectorsOf(expr: Expr): LabelMatcher[][] {
  const out: LabelMatcher[][] = [];
  const visit = (node: Expr): void => {
    switch (node.type) {
      case 'VectorSelector':
        out.push(node.matchers);
        return;
      case 'MatrixSelector':
        out.push(node.vectorSelector.matchers);
        return;
      case 'SubqueryExpr':
      case 'ParenExpr':
      case 'UnaryExpr':
        visit(node.expr);
        return;
      case 'BinaryExpr':
        visit(node.lhs);
        visit(node.rhs);
        return;
      case 'AggregateExpr':
        if (node.param !== null) visit(node.param);
        visit(node.expr);
        return;
      case 'Call':
        for (const arg of node.args) visit(arg);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
    }
  };
  visit(expr);
  return out;
}

function exemplarsJson(series: readonly ExemplarSeries[]): string {
  const parts = series.map((s) => {
    const exemplars = s.exemplars.map((e) => `{"labels":${labelsJson(e.labels)},"value":"${formatSampleValue(e.value)}","timestamp":${formatTimestamp(e.timestamp)}}`);
    return `{"seriesLabels":${labelsJson(s.seriesLabels)},"exemplars":[${exemplars.join(',')}]}`;
  });
  return goJson(`[${parts.join(',')}]`);
}
