import { formatDuration, goQuote } from '../../../model/index.ts';
import type { LabelMatcher } from '../../../model/index.ts';
import type { AggregateExpr, AtModifier, BinaryExpr, Expr, SubqueryExpr, VectorSelector } from '../ast.ts';
import {
  compareCodePoints,
  formatFixed3,
  formatNumber,
  isLegacyLabelName,
  utf8Length,
} from './text.ts';

/**
 * Turns a tree back into PromQL text: `formatExpr` is Prometheus's canonical one-line `String()`,
 * `prettifyExpr` its `Pretty(0)` (what /api/v1/format_query answers): nodes whose one-line form is
 * longer than 100 characters are split over lines with two-space indentation.
 */

export function formatExpr(expr: Expr): string {
  switch (expr.type) {
    case 'NumberLiteral':
      return formatNumber(expr.value);
    case 'StringLiteral':
      return goQuote(expr.value);
    case 'VectorSelector':
      return formatVectorSelector(expr, true);
    case 'MatrixSelector': {
      const selector = expr.vectorSelector;
      return `${formatVectorSelector(selector, false)}[${formatDuration(expr.range)}]${formatAt(selector.at)}${formatOffset(selector.offset)}`;
    }
    case 'SubqueryExpr':
      return formatExpr(expr.expr) + subquerySuffix(expr);
    case 'ParenExpr':
      return `(${formatExpr(expr.expr)})`;
    case 'UnaryExpr':
      return expr.op + formatExpr(expr.expr);
    case 'BinaryExpr':
      return `${formatExpr(expr.lhs)} ${binaryOperatorText(expr)} ${formatExpr(expr.rhs)}`;
    case 'AggregateExpr': {
      const param = expr.param !== null ? `${formatExpr(expr.param)}, ` : '';
      return `${aggregateHead(expr)}(${param}${formatExpr(expr.expr)})`;
    }
    case 'Call':
      return `${expr.func.name}(${expr.args.map(formatExpr).join(', ')})`;
  }
}

export function prettifyExpr(expr: Expr): string {
  return prettifyWithWidth(expr, MAX_CHARACTERS_PER_LINE);
}

const MAX_CHARACTERS_PER_LINE = 100;

/** `prettifyExpr` with another line limit (tests use a short one to exercise deep splitting). */
export function prettifyWithWidth(expr: Expr, width: number): string {
  const pretty = (node: Expr, level: number): string => prettyNode(node, level, width, pretty);
  return pretty(expr, 0);
}

type Pretty = (node: Expr, level: number) => string;

function prettyNode(expr: Expr, level: number, width: number, pretty: Pretty): string {
  const tooLong = (text: string): boolean => text.length > width / 4 && utf8Length(text) > width;
  const indentation = '  '.repeat(level);
  switch (expr.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
    case 'MatrixSelector':
      return indentation + formatExpr(expr);
    case 'SubqueryExpr': {
      const text = formatExpr(expr);
      // As Prometheus does, an unsplit subquery is not indented.
      if (!tooLong(text)) return text;
      return pretty(expr.expr, level) + subquerySuffix(expr);
    }
    case 'UnaryExpr':
      return indentation + expr.op + pretty(expr.expr, level).trim();
    case 'ParenExpr': {
      const text = formatExpr(expr);
      if (!tooLong(text)) return indentation + text;
      return `${indentation}(\n${pretty(expr.expr, level + 1)}\n${indentation})`;
    }
    case 'BinaryExpr': {
      const text = formatExpr(expr);
      if (!tooLong(text)) return indentation + text;
      return `${pretty(expr.lhs, level + 1)}\n${indentation}${binaryOperatorText(expr)}\n${pretty(expr.rhs, level + 1)}`;
    }
    case 'AggregateExpr': {
      const text = formatExpr(expr);
      if (!tooLong(text)) return indentation + text;
      let out = `${indentation}${aggregateHead(expr)}(\n`;
      if (expr.param !== null) out += `${pretty(expr.param, level + 1)},\n`;
      return `${out}${pretty(expr.expr, level + 1)}\n${indentation})`;
    }
    case 'Call': {
      const text = formatExpr(expr);
      if (!tooLong(text)) return indentation + text;
      const args = expr.args.map((argument) => pretty(argument, level + 1)).join(',\n');
      return `${indentation}${expr.func.name}(\n${args}\n${indentation})`;
    }
  }
}

/** `sum`, `sum by (job) `, `sum without () ` — what precedes the argument list. */
function aggregateHead(expr: AggregateExpr): string {
  if (expr.without) return `${expr.op} without (${formatLabelList(expr.grouping)}) `;
  if (expr.grouping.length > 0) return `${expr.op} by (${formatLabelList(expr.grouping)}) `;
  return expr.op;
}

/** The operator with its `bool`, `on`/`ignoring` and `group_left`/`group_right` modifiers. */
function binaryOperatorText(expr: BinaryExpr): string {
  let out = expr.op + (expr.returnBool ? ' bool' : '');
  const matching = expr.matching;
  if (matching === null) return out;
  const grouped = matching.card === 'many-to-one' || matching.card === 'one-to-many';
  if (matching.matchingLabels.length > 0 || matching.on || grouped) {
    out += ` ${matching.on ? 'on' : 'ignoring'} (${formatLabelList(matching.matchingLabels)})`;
  }
  if (grouped) {
    out += ` group_${matching.card === 'many-to-one' ? 'left' : 'right'} (${formatLabelList(matching.include)})`;
  }
  return out;
}

function formatLabelList(labels: readonly string[]): string {
  return labels.map((label) => (isLegacyLabelName(label) ? label : goQuote(label))).join(', ');
}

function formatVectorSelector(selector: VectorSelector, withModifiers: boolean): string {
  const parts: string[] = [];
  for (const matcher of selector.matchers) {
    // The name written before the braces is printed there, not as a matcher.
    if (matcher.name === '__name__' && matcher.type === '=' && matcher.value === selector.name && matcher.value !== '') {
      continue;
    }
    parts.push(formatMatcher(matcher));
  }
  let out = selector.name;
  if (parts.length > 0) out += `{${parts.sort(compareCodePoints).join(',')}}`;
  if (withModifiers) out += formatAt(selector.at) + formatOffset(selector.offset);
  return out;
}

export function formatMatcher(matcher: LabelMatcher): string {
  const name = isLegacyLabelName(matcher.name) ? matcher.name : goQuote(matcher.name);
  return `${name}${matcher.type}${goQuote(matcher.value)}`;
}

function formatAt(at: AtModifier): string {
  if (at === null) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${formatFixed3(at.time / 1000)}`;
}

function formatOffset(offset: number): string {
  if (offset > 0) return ` offset ${formatDuration(offset)}`;
  if (offset < 0) return ` offset -${formatDuration(-offset)}`;
  return '';
}

function subquerySuffix(expr: SubqueryExpr): string {
  const step = expr.step !== 0 ? formatDuration(expr.step) : '';
  return `[${formatDuration(expr.range)}:${step}]${formatAt(expr.at)}${formatOffset(expr.offset)}`;
}
