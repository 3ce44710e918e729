import { formatFloat } from '../model/index.ts';
import type { Hono } from 'hono';
import type { LabelMatcher } from '../model/index.ts';
import type { AtModifier, Expr } from '../query/promql/ast.ts';
import { parseExpr, prettifyExpr } from '../query/promql/parser/index.ts';
import { api, goJson, jsonText, success } from './response.ts';
import { invalidParameter, readParams } from './params.ts';

/** `/api/v1/format_query` and `/api/v1/parse_query`: a query pretty-printed, or its syntax tree as JSON. */
export function mountParseApi(app: Hono): void {
  const parse = async (request: Request): Promise<Expr> => {
    const params = await readParams(request);
    try {
      return parseExpr(params.get('query') ?? '');
    } catch (error) {
      throw invalidParameter('query', error);
    }
  };

  const format = (request: Request) => api(async () => success(prettifyExpr(await parse(request))));
  app.get('/api/v1/format_query', (c) => format(c.req.raw));
  app.post('/api/v1/format_query', (c) => format(c.req.raw));

  const tree = (request: Request) =>
    api(async () => {
      const expr = await parse(request);
      return jsonText(`{"status":"success","data":${goJson(sortedJson(syntaxTree(expr)))}}`);
    });
  app.get('/api/v1/parse_query', (c) => tree(c.req.raw));
  app.post('/api/v1/parse_query', (c) => tree(c.req.raw));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The syntax tree in the JSON shape Prometheus's UI reads (its `translateAST`). */
export function syntaxTree(expr: Expr): Json {
  switch (expr.type) {
    case 'AggregateExpr':
      return { type: 'aggregation', op: expr.op, expr: syntaxTree(expr.expr), param: expr.param === null ? null : syntaxTree(expr.param), grouping: expr.grouping, without: expr.without };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr',
        op: expr.op,
        lhs: syntaxTree(expr.lhs),
        rhs: syntaxTree(expr.rhs),
        matching:
          expr.matching === null
            ? null
            : { card: expr.matching.card, labels: expr.matching.matchingLabels, on: expr.matching.on, include: expr.matching.include, fillValues: { lhs: null, rhs: null } },
        bool: expr.returnBool,
      };
    case 'Call':
      return {
        type: 'call',
        func: { name: expr.func.name, argTypes: expr.func.argTypes, variadic: expr.func.variadic, returnType: expr.func.returnType },
        args: expr.args.map(syntaxTree),
      };
    case 'MatrixSelector': {
      const selector = expr.vectorSelector;
      return {
        type: 'matrixSelector',
        name: selector.name,
        range: expr.range,
        rangeExpr: null,
        offset: selector.offset,
        offsetExpr: null,
        matchers: matchersTree(selector.matchers),
        ...atTree(selector.at),
        anchored: false,
        smoothed: false,
      };
    }
    case 'SubqueryExpr':
      return {
        type: 'subquery',
        expr: syntaxTree(expr.expr),
        range: expr.range,
        rangeExpr: null,
        offset: expr.offset,
        offsetExpr: null,
        step: expr.step,
        stepExpr: null,
        ...atTree(expr.at),
      };
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatFloat(expr.value, 'f', -1) };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: syntaxTree(expr.expr) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: expr.value };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: expr.op, expr: syntaxTree(expr.expr) };
    case 'VectorSelector':
      return {
        type: 'vectorSelector',
        name: expr.name,
        offset: expr.offset,
        offsetExpr: null,
        matchers: matchersTree(expr.matchers),
        ...atTree(expr.at),
        anchored: false,
        smoothed: false,
      };
  }
}

function matchersTree(matchers: readonly LabelMatcher[]): Json {
  return matchers.map((m) => ({ name: m.name, value: m.value, type: m.type }));
}

function atTree(at: AtModifier): { timestamp: number | null; startOrEnd: string | null } {
  if (at === null) return { timestamp: null, startOrEnd: null };
  if (at.kind === 'time') return { timestamp: at.time, startOrEnd: null };
  return { timestamp: null, startOrEnd: at.kind };
}

/** JSON with object keys sorted, as Go writes its maps. */
export function sortedJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${sortedJson(value[key])}`).join(',')}}`;
}
