import { LabelMatcher, labelsFromRecord, staleNaN } from '../../../model/index.ts';
import { MemoryStorage } from '../../../store/memory/memory-storage.ts';
import type { AggregateExpr, AggregateOp, AtModifier, BinaryExpr, BinaryOp, Call, Expr, MatrixSelector, SubqueryExpr, VectorMatching, VectorSelector } from '../ast.ts';
import { getFunction } from '../parser/functions.ts';

/**
 * Test support: syntax trees built by hand and storages filled from compact descriptions, so the
 * evaluator's tests do not depend on the parser.
 */

const position = { start: 0, end: 0 };

export function selector(name: string, labels: Record<string, string> = {}, options: { offset?: number; at?: AtModifier; matchers?: LabelMatcher[] } = {}): VectorSelector {
  const matchers = [...(name === '' ? [] : [new LabelMatcher('=', '__name__', name)]), ...Object.entries(labels).map(([label, value]) => new LabelMatcher('=', label, value)), ...(options.matchers ?? [])];
  return { type: 'VectorSelector', name, matchers, offset: options.offset ?? 0, at: options.at ?? null, position };
}

export function matrix(vectorSelector: VectorSelector, range: number): MatrixSelector {
  return { type: 'MatrixSelector', vectorSelector, range, position };
}

export function number(value: number): Expr {
  return { type: 'NumberLiteral', value, position };
}

export function string(value: string): Expr {
  return { type: 'StringLiteral', value, position };
}

export function negate(expr: Expr): Expr {
  return { type: 'UnaryExpr', op: '-', expr, position };
}

export function binary(op: BinaryOp, lhs: Expr, rhs: Expr, options: { returnBool?: boolean; matching?: Partial<VectorMatching> } = {}): BinaryExpr {
  const bothVectors = lhs.type !== 'NumberLiteral' && rhs.type !== 'NumberLiteral';
  const setOperator = op === 'and' || op === 'or' || op === 'unless';
  const matching: VectorMatching | null = bothVectors
    ? { card: setOperator ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [], ...options.matching }
    : null;
  return { type: 'BinaryExpr', op, lhs, rhs, returnBool: options.returnBool ?? false, matching, position };
}

export function aggregate(op: AggregateOp, expr: Expr, options: { by?: string[]; without?: string[]; param?: Expr } = {}): AggregateExpr {
  return {
    type: 'AggregateExpr',
    op,
    expr,
    param: options.param ?? null,
    grouping: options.without ?? options.by ?? [],
    without: options.without !== undefined,
    position,
  };
}

export function call(name: string, ...args: Expr[]): Call {
  const func = getFunction(name);
  if (func === undefined) throw new Error(`unknown function ${name}`);
  return { type: 'Call', func, args, position };
}

export function subquery(expr: Expr, range: number, step: number, options: { offset?: number; at?: AtModifier } = {}): SubqueryExpr {
  return { type: 'SubqueryExpr', expr, range, step, offset: options.offset ?? 0, at: options.at ?? null, position };
}

/** A sample value, `null` for no sample, or 'stale' for a stale marker. */
export type TestValue = number | null | 'stale';

/** Fills a MemoryStorage: each series gets values at 0, interval, 2·interval, … (ms). */
export async function storageWith(series: { labels: Record<string, string>; values: TestValue[]; interval?: number; start?: number }[]): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const appender = storage.appender();
  for (const one of series) {
    const labels = labelsFromRecord(one.labels);
    const interval = one.interval ?? 60_000;
    one.values.forEach((value, index) => {
      if (value === null) return;
      const sample = { kind: 'float' as const, timestamp: (one.start ?? 0) + index * interval, value: value === 'stale' ? staleNaN() : value };
      appender.append(0, labels, sample);
    });
  }
  await appender.commit();
  return storage;
}
