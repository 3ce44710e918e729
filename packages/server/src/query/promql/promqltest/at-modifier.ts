import type { Expr } from '../ast.ts';
import { TIME_DEPENDENT_FUNCTIONS } from '../parser/index.ts';

/**
 * Prometheus's runner re-runs every instant eval with `@ <eval time>` added to each selector and
 * subquery that has no fixed `@` yet, at several other evaluation times: a step-invariant expression
 * must give the same answer. Selectors inside a subquery that has (or gets) an `@` are left alone.
 * Expressions calling a function whose result depends on the evaluation time itself are not re-run.
 */

/**
 * Sets `@ time` (ms) on every selector and subquery of `expr` (mutated in place) that has no fixed
 * `@` time. `@ start()`/`@ end()` count as unset, as in Prometheus, where they leave the timestamp
 * empty until evaluation. Returns false when the expression calls a time-dependent function outside
 * a pinned subquery, in which case no variants are run.
 */
export function pinToTime(expr: Expr, time: number): boolean {
  let stepInvariant = true;
  const visit = (node: Expr): void => {
    switch (node.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
      case 'VectorSelector':
        if (node.at?.kind !== 'time') node.at = { kind: 'time', time };
        return;
      case 'MatrixSelector':
        if (node.vectorSelector.at?.kind !== 'time') node.vectorSelector.at = { kind: 'time', time };
        return;
      case 'SubqueryExpr':
        // Whether it had a fixed time or gets one now, everything inside is evaluated relative to it.
        if (node.at?.kind !== 'time') node.at = { kind: 'time', time };
        return;
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
        if (TIME_DEPENDENT_FUNCTIONS.has(node.func.name)) stepInvariant = false;
        for (const argument of node.args) visit(argument);
        return;
    }
  };
  visit(expr);
  return stepInvariant;
}

/** The extra evaluation times Prometheus uses for the pinned variants of an eval at `time` (ms). */
export function variantTimes(time: number): number[] {
  // Go's integer division truncates towards zero.
  return time === 0 ? [-1000, 0, 1000] : [-10 * time, 0, Math.trunc(time / 5), time, 10 * time];
}

/** Prometheus skips the range-mode re-run for expressions whose text calls these. */
export function usesQueryContextFunctions(text: string): boolean {
  return /(start|end|range|step)\(\)/.test(text);
}
