/**
 * The PromQL parser module: text → syntax tree (../ast.ts) with Prometheus 3's grammar, semantic
 * checks and error texts; tree → canonical text (`String()`) and prettified text (`Pretty(0)`); and
 * the table of function signatures the parser checks calls against.
 */
import type { Expr } from '../ast.ts';
import { parse } from './parser.ts';
import type { ParseOptions } from './parser.ts';

export { FUNCTION_SIGNATURES, TIME_DEPENDENT_FUNCTIONS, getFunction } from './functions.ts';
export { formatExpr, prettifyExpr } from './printer.ts';

/** Parses a PromQL expression. Throws ParseError (`line:col: parse error: …`) as Prometheus words it. */
export function parseExpr(text: string, options?: ParseOptions): Expr {
  return parse(text, options ?? {});
}
