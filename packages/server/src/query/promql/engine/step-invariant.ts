import type { Expr } from '../ast.ts';
import { TIME_DEPENDENT_FUNCTIONS } from '../parser/index.ts';

const cache = new WeakMap<Expr, boolean>();

function unwrapParens(expr: Expr): Expr {
  while (expr.type === 'ParenExpr') expr = expr.expr;
  return expr;
}

/**
 * True when an expression gives the same result at every step: every selector and subquery in it
 * carries `@`, or it has none (literals). Such parts are evaluated once and repeated, as Prometheus
 * wraps them in a StepInvariantExpr. Follows Prometheus's rules, including that an aggregation's
 * parameter is not looked at.
 */
export function isStepInvariant(expr: Expr): boolean {
  const known = cache.get(expr);
  if (known !== undefined) return known;
  const result = compute(expr);
  cache.set(expr, result);
  return result;
}

function compute(expr: Expr): boolean {
  switch (expr.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
      return true;
    case 'VectorSelector':
      return expr.at !== null;
    case 'MatrixSelector':
      return expr.vectorSelector.at !== null;
    case 'SubqueryExpr':
      return expr.at !== null;
    case 'ParenExpr':
    case 'UnaryExpr':
      return isStepInvariant(expr.expr);
    case 'AggregateExpr':
      return isStepInvariant(expr.expr);
    case 'BinaryExpr':
      return isStepInvariant(expr.lhs) && isStepInvariant(expr.rhs);
    case 'Call': {
      let allInvariant = true;
      let allInvariantSelectors = true;
      for (const raw of expr.args) {
        const argument = unwrapParens(raw);
        const invariant = isStepInvariant(argument);
        if (!invariant) allInvariant = false;
        if (!invariant || argument.type !== 'VectorSelector') allInvariantSelectors = false;
      }
      if (expr.func.name === 'timestamp' && allInvariantSelectors) return true;
      return allInvariant && !TIME_DEPENDENT_FUNCTIONS.has(expr.func.name);
    }
  }
}
