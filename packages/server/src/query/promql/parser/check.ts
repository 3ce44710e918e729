import type { BinaryExpr, BinaryOp, Expr, PositionRange, ValueType } from '../ast.ts';
import type { ProblemReport } from './parser.ts';
import { goQuote } from '../../../model/index.ts';

/**
 * The semantic checks Prometheus runs on a tree that parsed cleanly (its `checkAST`): types of
 * operands and arguments, argument counts, vector matching rules, selector sanity. Problems are
 * collected in Prometheus's order (children before parents, in its sequence of checks) so the first
 * one is the one Prometheus reports. Also settles vector matching as Prometheus does: set operators
 * become many-to-many, and matching is dropped when a side is not an instant vector.
 */
export function checkExpression(expr: Expr, input: string): ProblemReport[] {
  const problems: ProblemReport[] = [];
  check(expr, input, problems);
  return problems;
}

const COMPARISON_OPERATORS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '<=', '<', '>=', '>']);
const SET_OPERATORS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['and', 'or', 'unless']);

/** The names Prometheus's documentation uses for value types. */
export function documentedType(type: ValueType): string {
  if (type === 'vector') return 'instant vector';
  if (type === 'matrix') return 'range vector';
  return type;
}

function check(node: Expr, input: string, problems: ProblemReport[]): ValueType {
  switch (node.type) {
    case 'AggregateExpr': {
      expectType(node.expr, 'vector', 'aggregation expression', input, problems);
      const op = node.op;
      if (node.param !== null) {
        if (op === 'count_values') expectType(node.param, 'string', 'aggregation parameter', input, problems);
        else expectType(node.param, 'scalar', 'aggregation parameter', input, problems);
      }
      return 'vector';
    }

    case 'BinaryExpr': {
      const leftType = check(node.lhs, input, problems);
      const rightType = check(node.rhs, input, problems);
      const comparison = COMPARISON_OPERATORS.has(node.op);
      const setOperator = SET_OPERATORS.has(node.op);
      if (node.returnBool && !comparison) {
        report(problems, 'bool modifier can only be used on comparison operators', operatorRange(node, input));
      }
      if (comparison && !node.returnBool && rightType === 'scalar' && leftType === 'scalar') {
        report(problems, 'comparisons between scalars must use BOOL modifier', operatorRange(node, input));
      }
      const matching = node.matching;
      if (matching !== null) {
        if (setOperator && matching.card === 'one-to-one') matching.card = 'many-to-many';
        if (matching.on) {
          for (const label of matching.matchingLabels) {
            for (const included of matching.include) {
              if (label === included) {
                report(
                  problems,
                  `label ${goQuote(label)} must not occur in ON and GROUP clause at once`,
                  operatorRange(node, input),
                );
              }
            }
          }
        }
      }
      if (leftType !== 'scalar' && leftType !== 'vector') {
        report(problems, 'binary expression must contain only scalar and instant vector types', node.lhs.position);
      }
      if (rightType !== 'scalar' && rightType !== 'vector') {
        report(problems, 'binary expression must contain only scalar and instant vector types', node.rhs.position);
      }
      if ((leftType !== 'vector' || rightType !== 'vector') && matching !== null) {
        if (matching.matchingLabels.length > 0) {
          report(problems, 'vector matching only allowed between instant vectors', node.position);
        }
        node.matching = null;
      } else if (setOperator && matching !== null) {
        if (matching.card === 'one-to-many' || matching.card === 'many-to-one') {
          report(problems, `no grouping allowed for ${goQuote(node.op)} operation`, node.position);
        }
        if (matching.card !== 'many-to-many') report(problems, 'set operations must always be many-to-many', node.position);
      }
      if ((leftType === 'scalar' || rightType === 'scalar') && setOperator) {
        report(problems, `set operator ${goQuote(node.op)} not allowed in binary scalar expression`, node.position);
      }
      return leftType === 'scalar' && rightType === 'scalar' ? 'scalar' : 'vector';
    }

    case 'Call': {
      const func = node.func;
      const declared = func.argTypes.length;
      const given = node.args.length;
      if (func.variadic === 0) {
        if (declared !== given) {
          report(problems, `expected ${declared} argument(s) in call to ${goQuote(func.name)}, got ${given}`, node.position);
        }
      } else {
        const required = declared - 1;
        if (required > given) {
          report(
            problems,
            `expected at least ${required} argument(s) in call to ${goQuote(func.name)}, got ${given}`,
            node.position,
          );
        } else if (func.variadic > 0 && required + func.variadic < given) {
          report(
            problems,
            `expected at most ${required + func.variadic} argument(s) in call to ${goQuote(func.name)}, got ${given}`,
            node.position,
          );
        }
      }
      for (let index = 0; index < given; index++) {
        let typeIndex = index;
        if (index >= declared) {
          // Extra arguments of a fixed-arity function are not looked into (the count error says it all).
          if (func.variadic === 0) break;
          typeIndex = declared - 1;
        }
        const argument = node.args[index];
        const type = check(argument, input, problems);
        const want = func.argTypes[typeIndex];
        if (type !== want) {
          report(
            problems,
            `expected type ${documentedType(want)} in call to function ${goQuote(func.name)}, got ${documentedType(type)}`,
            argument.position,
          );
        }
      }
      return func.returnType;
    }

    case 'ParenExpr':
      return check(node.expr, input, problems);

    case 'UnaryExpr': {
      const type = check(node.expr, input, problems);
      if (type !== 'scalar' && type !== 'vector') {
        report(
          problems,
          `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(type))}`,
          node.position,
        );
      }
      return type;
    }

    case 'SubqueryExpr': {
      const type = check(node.expr, input, problems);
      if (type !== 'vector') {
        report(problems, `subquery is only allowed on instant vector, got ${type} instead`, node.position);
      }
      return 'matrix';
    }

    case 'MatrixSelector':
      check(node.vectorSelector, input, problems);
      return 'matrix';

    case 'VectorSelector': {
      if (node.name !== '') {
        // The last matcher is the name written before the braces; another __name__ matcher repeats it.
        for (let index = 0; index < node.matchers.length - 1; index++) {
          const matcher = node.matchers[index];
          if (matcher.name === '__name__') {
            report(
              problems,
              `metric name must not be set twice: ${goQuote(node.name)} or ${goQuote(matcher.value)}`,
              node.position,
            );
          }
        }
        return 'vector';
      }
      if (!node.matchers.some((matcher) => !matcher.matchesEmpty())) {
        report(problems, 'vector selector must contain at least one non-empty matcher', node.position);
      }
      return 'vector';
    }

    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
  }
}

function report(problems: ProblemReport[], detail: string, position: PositionRange): void {
  problems.push({ detail, position });
}

function expectType(child: Expr, want: ValueType, context: string, input: string, problems: ProblemReport[]): void {
  const type = check(child, input, problems);
  if (type !== want) {
    problems.push({
      detail: `expected type ${documentedType(want)} in ${context}, got ${documentedType(type)}`,
      position: child.position,
    });
  }
}

/** Where the operator of a binary expression stands: between the operands, spaces trimmed. */
function operatorRange(node: BinaryExpr, input: string): PositionRange {
  let start = node.lhs.position.end;
  while (start < input.length && isSpace(input.charCodeAt(start))) start++;
  let end = node.rhs.position.start - 1;
  while (end > 0 && isSpace(input.charCodeAt(end))) end--;
  return { start, end };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}
