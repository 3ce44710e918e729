import type { LabelMatcher } from '../../model/index.ts';

/**
 * The PromQL syntax tree. Every node carries its position (0-based character offsets into the query
 * text, end exclusive) so errors and annotations can point at the part of the query they concern.
 * The parser builds it (parser/), the printer turns it back into canonical text (format_query), the
 * engine evaluates it (engine/). Nodes are plain data: the evaluator dispatches on `type`.
 */

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PositionRange {
  start: number;
  end: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call;

export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
  position: PositionRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  value: string;
  position: PositionRange;
}

/** How `@` was written: a fixed time, `start()`, `end()`, or absent. */
export type AtModifier = { kind: 'time'; time: number } | { kind: 'start' } | { kind: 'end' } | null;

export interface VectorSelector {
  type: 'VectorSelector';
  /** The metric name when written before the braces (`name{…}`), else '' (`{"name"}` is a `__name__` matcher only, as in Prometheus). */
  name: string;
  /** Every matcher, the name matcher included (`__name__="name"`). */
  matchers: LabelMatcher[];
  /** `offset` in milliseconds, negative for `offset -5m`; 0 when absent. */
  offset: number;
  at: AtModifier;
  position: PositionRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  /** The selector the range applies to; its `offset` and `at` are written after the range (`x[5m] offset 1h`). */
  vectorSelector: VectorSelector;
  /** Range in milliseconds. */
  range: number;
  position: PositionRange;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  /** Range in milliseconds. */
  range: number;
  /** Resolution in milliseconds; 0 when omitted (`[1h:]`), meaning the default evaluation interval. */
  step: number;
  offset: number;
  at: AtModifier;
  position: PositionRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  position: PositionRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '-' | '+';
  expr: Expr;
  position: PositionRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

/** `on(…)`/`ignoring(…)` and `group_left(…)`/`group_right(…)` of a binary expression between vectors. */
export interface VectorMatching {
  card: Cardinality;
  /** Labels listed in `on(…)` or `ignoring(…)`. */
  matchingLabels: string[];
  /** True for `on`, false for `ignoring` (and when neither was written). */
  on: boolean;
  /** Extra labels of `group_left(…)`/`group_right(…)`. */
  include: string[];
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** `bool` modifier on a comparison. */
  returnBool: boolean;
  /** Set when both sides are vectors (set operators always get many-to-many). Null otherwise. */
  matching: VectorMatching | null;
  position: PositionRange;
}

export type AggregateOp =
  | 'sum'
  | 'min'
  | 'max'
  | 'avg'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'count'
  | 'count_values'
  | 'bottomk'
  | 'topk'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** The parameter of topk, bottomk, quantile, count_values (a string), limitk, limit_ratio; else null. */
  param: Expr | null;
  grouping: string[];
  /** True for `without (…)`, false for `by (…)` or no clause. */
  without: boolean;
  position: PositionRange;
}

/** A function of the language, as the parser checks calls against it. */
export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  /**
   * 0: exactly argTypes. n > 0: the last argument type may be repeated up to n more times or the last
   * one omitted (as Prometheus's `Variadic`, e.g. `round(v, to_nearest)` and `day_of_month(v?)`).
   * -1: the last argument type may repeat without limit.
   */
  variadic: number;
  returnType: ValueType;
  /** Behind a feature flag in Prometheus; Vigil rejects it with "not supported yet" unless listed otherwise. */
  experimental: boolean;
}

export interface Call {
  type: 'Call';
  func: FunctionSignature;
  args: Expr[];
  position: PositionRange;
}

/** The type an expression evaluates to. */
export function exprType(expr: Expr): ValueType {
  switch (expr.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return exprType(expr.expr);
    case 'BinaryExpr':
      return exprType(expr.lhs) === 'scalar' && exprType(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'AggregateExpr':
      return 'vector';
    case 'Call':
      return expr.func.returnType;
  }
}
