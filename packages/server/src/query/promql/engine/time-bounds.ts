import type { Expr, VectorSelector } from '../ast.ts';

/**
 * The earliest and latest sample time any selector of the query can read, as Prometheus's
 * FindMinMaxTime computes it (subquery ranges and offsets, `@`, lookback and ranges), so the
 * query opens one querier over that interval. (0, 0) when the query has no selector.
 */
export function selectorTimeBounds(expr: Expr, start: number, end: number, lookbackDelta: number): { mint: number; maxt: number } {
  let mint = Infinity;
  let maxt = -Infinity;
  const atTime = (at: VectorSelector['at']): number | null => (at === null ? null : at.kind === 'start' ? start : at.kind === 'end' ? end : at.time);

  const selector = (node: VectorSelector, range: number, subqueryOffset: number, subqueryRange: number, subqueryAt: number | null): void => {
    let from = subqueryAt ?? start;
    let to = subqueryAt ?? end;
    const at = atTime(node.at);
    if (at !== null) {
      from = at;
      to = at;
    } else {
      from -= subqueryOffset + subqueryRange;
      to -= subqueryOffset;
    }
    from -= (range === 0 ? lookbackDelta : range) - 1;
    from -= node.offset;
    to -= node.offset;
    if (from < mint) mint = from;
    if (to > maxt) maxt = to;
  };

  const walk = (node: Expr, subqueryOffset: number, subqueryRange: number, subqueryAt: number | null): void => {
    switch (node.type) {
      case 'VectorSelector':
        selector(node, 0, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'MatrixSelector':
        selector(node.vectorSelector, node.range, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'SubqueryExpr': {
        const at = atTime(node.at);
        if (at !== null) walk(node.expr, node.offset, node.range, at);
        else walk(node.expr, subqueryOffset + node.offset, subqueryRange + node.range, subqueryAt);
        return;
      }
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(node.expr, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'BinaryExpr':
        walk(node.lhs, subqueryOffset, subqueryRange, subqueryAt);
        walk(node.rhs, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'AggregateExpr':
        walk(node.expr, subqueryOffset, subqueryRange, subqueryAt);
        if (node.param !== null) walk(node.param, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'Call':
        for (const argument of node.args) walk(argument, subqueryOffset, subqueryRange, subqueryAt);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
    }
  };

  walk(expr, 0, 0, null);
  return mint === Infinity ? { mint: 0, maxt: 0 } : { mint, maxt };
}
