import { LabelMatcher } from '../../../model/index.ts';
import type { MatchType } from '../../../model/matcher.ts';
import type {
  AggregateExpr,
  AggregateOp,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  FunctionSignature,
  MatrixSelector,
  NumberLiteral,
  PositionRange,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from '../ast.ts';
import { ParseError } from '../value.ts';
import { checkExpression } from './check.ts';
import { getFunction, UNSUPPORTED_FUNCTIONS } from './functions.ts';
import { AGGREGATORS, describeToken, Lexer } from './lexer.ts';
import type { Token, TokenKind } from './lexer.ts';
import { parseNumberToken } from './numbers.ts';
import { goQuote } from '../../../model/index.ts';
import { formatFixed6, parseDuration, unquote, utf8Length } from './text.ts';

/**
 * The PromQL parser: recursive descent with precedence climbing over the lexer's tokens. It builds the
 * tree of ../ast.ts and reports errors as Prometheus 3 does — same texts, same positions, and the same
 * choice of which error comes first: errors found while reading are collected in order (reading stops
 * at the first syntax error), and the semantic checks (./check.ts) run only on a tree read cleanly.
 */

export interface ParseOptions {
  /** Accept functions and aggregations Prometheus keeps behind `--enable-feature=promql-experimental-functions`. */
  experimentalFunctions?: boolean;
}

/** A problem found while parsing, before it becomes a ParseError. */
export interface ProblemReport {
  detail: string;
  position: PositionRange;
}

/** Thrown inside the parser to stop reading at a syntax error; never escapes parseExpr. */
class StopParsing extends Error {
  constructor() {
    super('stopped at a syntax error');
  }
}

/** Binary operators by precedence, loosest first, as Prometheus declares them. */
const PRECEDENCE: Partial<Record<TokenKind, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '</': 3,
  '>/': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};
const POWER_PRECEDENCE = 6;

/** Tokens that may name a metric (Prometheus's `metric_identifier`): identifiers and most keywords. */
const METRIC_IDENTIFIERS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'avg',
  'bottomk',
  'by',
  'count',
  'count_values',
  'fill',
  'fill_left',
  'fill_right',
  'group',
  'IDENTIFIER',
  'and',
  'or',
  'unless',
  'max',
  'METRIC_IDENTIFIER',
  'min',
  'offset',
  'quantile',
  'stddev',
  'stdvar',
  'sum',
  'topk',
  'without',
  'start',
  'end',
  'limitk',
  'limit_ratio',
  'step',
  'range',
  'anchored',
  'smoothed',
  'max_of',
  'min_of',
]);

/** Tokens that may name a label in `by (…)`, `on (…)` etc. (Prometheus's `maybe_label`). */
const LABEL_TOKENS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ...METRIC_IDENTIFIERS,
  'bool',
  'group_left',
  'group_right',
  'ignoring',
  'on',
  'atan2',
]);

/** Keywords that are also the names of (Prometheus's experimental) functions. */
const FUNCTION_KEYWORDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'start',
  'end',
  'step',
  'range',
  'max_of',
  'min_of',
]);

const MATCH_TYPES: ReadonlySet<TokenKind> = new Set<TokenKind>(['=', '!=', '=~', '!~']);
const DURATION_EXPRESSION_TOKENS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  '(',
  'step',
  'range',
  'max_of',
  'min_of',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
]);

/** Go's time.Duration range (2^63 ns) in seconds. */
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;
const MAX_INT64_FLOAT = 2 ** 63;

const DURATION_EXPRESSIONS_UNSUPPORTED = 'duration expressions are not supported yet';

interface BinaryModifiers {
  returnBool: boolean;
  matching: VectorMatching;
}

class Parser {
  private readonly input: string;
  private readonly lexer: Lexer;
  private readonly experimental: boolean;
  private readonly lookahead: Token[] = [];
  readonly problems: ProblemReport[] = [];
  /** End offset of the last token taken. */
  private lastEnd = 0;
  /** How many aggregations enclose the current point: syntax errors there say "in aggregation". */
  private aggregationDepth = 0;

  constructor(input: string, options: ParseOptions) {
    this.input = input;
    this.lexer = new Lexer(input);
    this.experimental = options.experimentalFunctions === true;
  }

  parse(): Expr | null {
    try {
      if (this.peek().kind === 'EOF') {
        this.problems.push({ detail: 'no expression found in input', position: { start: 0, end: 0 } });
        return null;
      }
      const expr = this.parseBinary(0);
      const after = this.peek();
      if (after.kind !== 'EOF') this.unexpected(after, '', '');
      return expr;
    } catch (error) {
      if (error instanceof StopParsing) return null;
      throw error;
    }
  }

  // --- tokens -------------------------------------------------------------------------------

  private peek(offset = 0): Token {
    while (this.lookahead.length <= offset) {
      const token = this.lexer.next();
      this.lookahead.push(token);
    }
    const token = this.lookahead[offset];
    if (token.kind === 'ERROR') this.fail(token.text, { start: token.start, end: token.end });
    return token;
  }

  private take(): Token {
    const token = this.peek();
    this.lookahead.shift();
    this.lastEnd = token.end;
    return token;
  }

  /** Records a problem and goes on reading (Prometheus's semantic errors found while parsing). */
  private report(detail: string, position: PositionRange): void {
    this.problems.push({ detail, position });
  }

  /** Records a problem and stops reading. */
  private fail(detail: string, position: PositionRange): never {
    this.problems.push({ detail, position });
    throw new StopParsing();
  }

  private unexpected(token: Token, context: string, expected: string): never {
    let detail = `unexpected ${describeToken(token)}`;
    const where = context !== '' ? context : this.aggregationDepth > 0 ? 'aggregation' : '';
    if (where !== '') detail += ` in ${where}`;
    if (expected !== '') detail += `, expected ${expected}`;
    this.fail(detail, { start: token.start, end: token.end });
  }

  private expect(kind: TokenKind): Token {
    const token = this.peek();
    if (token.kind !== kind) this.unexpected(token, '', '');
    return this.take();
  }

  // --- expressions --------------------------------------------------------------------------

  private parseBinary(minimumPrecedence: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const operator = this.peek();
      const precedence = PRECEDENCE[operator.kind];
      if (precedence === undefined || precedence < minimumPrecedence) return lhs;
      this.take();
      if (operator.kind === '</' || operator.kind === '>/') {
        this.fail(`trim operator ${goQuote(operator.text)} is not supported yet`, operator);
      }
      const modifiers = this.parseBinaryModifiers();
      // `^` is right-associative; every other operator is left-associative.
      const rhs = this.parseBinary(operator.kind === '^' ? precedence : precedence + 1);
      const node: BinaryExpr = {
        type: 'BinaryExpr',
        op: operator.kind as BinaryOp,
        lhs,
        rhs,
        returnBool: modifiers.returnBool,
        matching: modifiers.matching,
        position: { start: lhs.position.start, end: rhs.position.end },
      };
      lhs = node;
    }
  }

  private parseBinaryModifiers(): BinaryModifiers {
    const matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
    let returnBool = false;
    if (this.peek().kind === 'bool') {
      this.take();
      returnBool = true;
    }
    const kind = this.peek().kind;
    if (kind === 'on' || kind === 'ignoring') {
      this.take();
      matching.on = kind === 'on';
      matching.matchingLabels = this.parseGroupingLabels();
      const group = this.peek().kind;
      if (group === 'group_left' || group === 'group_right') {
        this.take();
        matching.card = group === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (this.peek().kind === '(') matching.include = this.parseGroupingLabels();
      }
    }
    const fill = this.peek();
    if (fill.kind === 'fill' || fill.kind === 'fill_left' || fill.kind === 'fill_right') {
      this.fail('binop fill modifiers are not supported yet', fill);
    }
    return { returnBool, matching };
  }

  /**
   * A unary sign binds looser than `^` and as tight as `*` (`-2^2` is -4, `-a * b` is `(-a) * b`).
   * A sign before a number literal folds into the literal, as in Prometheus.
   */
  private parseUnary(): Expr {
    const token = this.peek();
    if (token.kind !== '+' && token.kind !== '-') return this.parsePostfix(this.parsePrimary());
    this.take();
    const operand = this.parseBinary(POWER_PRECEDENCE);
    if (operand.type === 'NumberLiteral') {
      if (token.kind === '-') operand.value = -operand.value;
      operand.position = { start: token.start, end: operand.position.end };
      return operand;
    }
    return {
      type: 'UnaryExpr',
      op: token.kind,
      expr: operand,
      position: { start: token.start, end: operand.position.end },
    };
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case 'NUMBER': {
        this.take();
        return this.numberLiteral(token);
      }
      case 'DURATION': {
        this.take();
        const milliseconds = this.durationMilliseconds(token);
        return { type: 'NumberLiteral', value: milliseconds / 1000, position: { start: token.start, end: token.end } };
      }
      case 'STRING':
        this.take();
        return { type: 'StringLiteral', value: unquote(token.text), position: { start: token.start, end: token.end } };
      case '(': {
        this.take();
        const inner = this.parseBinary(0);
        const close = this.peek();
        if (close.kind !== ')') this.unexpected(close, '', '');
        this.take();
        return { type: 'ParenExpr', expr: inner, position: { start: token.start, end: close.end } };
      }
      case '{':
        return this.parseVectorSelector(null);
    }
    if (AGGREGATORS.has(token.kind)) {
      const following = this.peek(1).kind;
      if (following === '(' || following === 'by' || following === 'without') return this.parseAggregation();
    }
    if (token.kind === 'IDENTIFIER' || FUNCTION_KEYWORDS.has(token.kind)) {
      if (this.peek(1).kind === '(') return this.parseCall();
    }
    if (METRIC_IDENTIFIERS.has(token.kind)) {
      this.take();
      return this.parseVectorSelector(token);
    }
    return this.unexpected(token, '', '');
  }

  private numberLiteral(token: Token): NumberLiteral {
    const value = parseNumberToken(token.text);
    if (typeof value === 'string') this.report(value, { start: token.start, end: token.end });
    return {
      type: 'NumberLiteral',
      value: typeof value === 'string' ? 0 : value,
      position: { start: token.start, end: token.end },
    };
  }

  private durationMilliseconds(token: Token): number {
    const milliseconds = parseDuration(token.text);
    if (typeof milliseconds === 'string') {
      this.report(milliseconds, { start: token.start, end: token.end });
      return 0;
    }
    return milliseconds;
  }

  // --- selectors ----------------------------------------------------------------------------

  private parseVectorSelector(nameToken: Token | null): VectorSelector {
    const name = nameToken === null ? '' : nameToken.text;
    const start = nameToken === null ? this.peek().start : nameToken.start;
    let end = nameToken === null ? start : nameToken.end;
    const matchers: LabelMatcher[] = [];
    if (this.peek().kind === '{') end = this.parseLabelMatchers(matchers);
    if (name !== '') matchers.push(new LabelMatcher('=', '__name__', name));
    return { type: 'VectorSelector', name, matchers, offset: 0, at: null, position: { start, end } };
  }

  /** Reads `{…}` into `matchers`; returns the end offset of the closing brace. */
  private parseLabelMatchers(matchers: LabelMatcher[]): number {
    this.take();
    if (this.peek().kind === '}') return this.take().end;
    for (;;) {
      const first = this.take();
      if (first.kind === 'IDENTIFIER') {
        const operator = this.peek();
        if (!MATCH_TYPES.has(operator.kind)) this.unexpected(operator, 'label matching', 'label matching operator');
        this.take();
        const value = this.peek();
        if (value.kind !== 'STRING') this.unexpected(value, 'label matching', 'string');
        this.take();
        matchers.push(this.labelMatcher(first, first.text, operator.kind as MatchType, value));
      } else if (first.kind === 'STRING') {
        const name = unquote(first.text);
        const operator = this.peek();
        if (MATCH_TYPES.has(operator.kind)) {
          this.take();
          const value = this.peek();
          if (value.kind !== 'STRING') this.unexpected(value, 'label matching', 'string');
          this.take();
          matchers.push(this.labelMatcher(first, name, operator.kind as MatchType, value));
        } else {
          matchers.push(new LabelMatcher('=', '__name__', name));
        }
      } else {
        this.unexpected(first, 'label matching', 'identifier or "}"');
      }
      const separator = this.peek();
      if (separator.kind === '}') return this.take().end;
      if (separator.kind !== ',') this.unexpected(separator, 'label matching', '"," or "}"');
      this.take();
      if (this.peek().kind === '}') return this.take().end;
    }
  }

  private labelMatcher(nameToken: Token, name: string, type: MatchType, valueToken: Token): LabelMatcher {
    const value = unquote(valueToken.text);
    try {
      return cachedMatcher(type, name, value);
    } catch (error) {
      this.report((error as Error).message, { start: nameToken.start, end: valueToken.end });
      return new LabelMatcher('=', name, value);
    }
  }

  // --- postfix: ranges, subqueries, offset, @ -----------------------------------------------

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const token = this.peek();
      switch (token.kind) {
        case '[':
          expr = this.parseRangeOrSubquery(expr);
          break;
        case 'offset':
          this.take();
          this.parseOffset(expr);
          break;
        case '@':
          this.take();
          this.parseAt(expr);
          break;
        case 'anchored':
        case 'smoothed':
          this.fail(`${token.kind} modifier is not supported yet`, expr.position);
          break;
        default:
          return expr;
      }
    }
  }

  private parseRangeOrSubquery(expr: Expr): Expr {
    const open = this.take();
    const first = this.peek();
    if (first.kind !== 'NUMBER' && first.kind !== 'DURATION' && first.kind !== '+' && first.kind !== '-') {
      if (DURATION_EXPRESSION_TOKENS.has(first.kind)) this.fail(DURATION_EXPRESSIONS_UNSUPPORTED, first);
      this.unexpected(first, 'subquery or range selector', 'number, duration, step(), or range()');
    }
    const range = this.parseBracketDuration();
    const after = this.peek();
    if (after.kind === ']') {
      const close = this.take();
      return this.matrixSelector(expr, range, open, close);
    }
    if (after.kind !== ':') {
      this.unexpected(after, 'subquery or range', '":" or "]"');
    }
    this.take();
    let step = 0;
    const stepStart = this.peek();
    if (stepStart.kind !== ']') {
      if (stepStart.kind !== 'NUMBER' && stepStart.kind !== 'DURATION' && stepStart.kind !== '+' && stepStart.kind !== '-') {
        if (DURATION_EXPRESSION_TOKENS.has(stepStart.kind)) this.fail(DURATION_EXPRESSIONS_UNSUPPORTED, stepStart);
        this.unexpected(stepStart, 'subquery selector', 'number, duration, step(), range(), or "]"');
      }
      step = this.parseBracketDuration();
      const close = this.peek();
      if (close.kind !== ']') {
        this.unexpected(close, 'subquery selector', '"]"');
      }
    }
    const close = this.take();
    const subquery: SubqueryExpr = {
      type: 'SubqueryExpr',
      expr,
      range,
      step,
      offset: 0,
      at: null,
      position: { start: expr.position.start, end: close.end },
    };
    return subquery;
  }

  private matrixSelector(expr: Expr, range: number, open: Token, close: Token): MatrixSelector {
    let problem = '';
    if (expr.type !== 'VectorSelector') problem = 'ranges only allowed for vector selectors';
    else if (expr.offset !== 0) problem = 'no offset modifiers allowed before range';
    else if (expr.at !== null) problem = 'no @ modifiers allowed before range';
    if (problem !== '') this.report(problem, { start: open.start, end: close.end });
    const vectorSelector: VectorSelector =
      expr.type === 'VectorSelector'
        ? expr
        : { type: 'VectorSelector', name: '', matchers: [], offset: 0, at: null, position: expr.position };
    return {
      type: 'MatrixSelector',
      vectorSelector,
      range,
      position: { start: expr.position.start, end: close.end },
    };
  }

  /** A range or subquery step: a (signed) number of seconds or a duration; must be positive. */
  private parseBracketDuration(): number {
    const start = this.peek().start;
    const milliseconds = this.parseSignedDuration('subquery or range selector', 'number, duration, step(), or range()');
    const next = this.peek();
    if (DURATION_EXPRESSION_TOKENS.has(next.kind)) {
      this.fail(DURATION_EXPRESSIONS_UNSUPPORTED, { start, end: next.end });
    }
    if (milliseconds <= 0 || Number.isNaN(milliseconds)) {
      this.report('duration must be greater than 0', { start, end: this.lastEnd });
      return 0;
    }
    return milliseconds;
  }

  /**
   * `[+-]* (number | duration)` in milliseconds. Numbers are seconds, rounded to the nanosecond as
   * Prometheus rounds them, then truncated to the millisecond as its engine uses them.
   */
  private parseSignedDuration(context: string, expected: string): number {
    let negative = false;
    let token = this.peek();
    const start = token.start;
    while (token.kind === '+' || token.kind === '-') {
      this.take();
      if (token.kind === '-') negative = !negative;
      token = this.peek();
    }
    let seconds: number;
    if (token.kind === 'NUMBER') {
      const literal = this.numberLiteral(this.take());
      seconds = literal.value;
    } else if (token.kind === 'DURATION') {
      seconds = this.durationMilliseconds(this.take()) / 1000;
    } else {
      if (DURATION_EXPRESSION_TOKENS.has(token.kind)) this.fail(DURATION_EXPRESSIONS_UNSUPPORTED, token);
      return this.unexpected(token, context, expected);
    }
    if (negative) seconds = -seconds;
    if (!(seconds <= MAX_DURATION_SECONDS && seconds >= -MAX_DURATION_SECONDS)) {
      this.report('duration out of range', { start, end: this.lastEnd });
      return 0;
    }
    const nanoseconds = goRound(seconds * 1e9);
    return Math.trunc(nanoseconds / 1e6) + 0;
  }

  private parseOffset(expr: Expr): void {
    const next = this.peek();
    if (next.kind === '(' || FUNCTION_KEYWORDS.has(next.kind)) this.fail(DURATION_EXPRESSIONS_UNSUPPORTED, next);
    const offset = this.parseSignedDuration('offset', 'number, duration, step(), or range()');
    let target: { offset: number; position: PositionRange } | null = null;
    if (expr.type === 'VectorSelector' || expr.type === 'SubqueryExpr') target = expr;
    else if (expr.type === 'MatrixSelector') target = expr.vectorSelector;
    if (target === null) {
      this.report(
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        expr.position,
      );
      return;
    }
    if (target.offset !== 0) this.report('offset may not be set multiple times', expr.position);
    else target.offset = offset;
    expr.position = { start: expr.position.start, end: this.lastEnd };
  }

  private parseAt(expr: Expr): void {
    const token = this.peek();
    let at: VectorSelector['at'];
    if (token.kind === 'start' || token.kind === 'end') {
      this.take();
      if (this.peek().kind !== '(') this.unexpected(this.peek(), '@', 'timestamp');
      this.take();
      if (this.peek().kind !== ')') this.unexpected(this.peek(), '@', 'timestamp');
      this.take();
      at = { kind: token.kind };
    } else {
      let negative = false;
      let number = token;
      if (token.kind === '+' || token.kind === '-') {
        this.take();
        negative = token.kind === '-';
        number = this.peek();
      }
      let seconds: number;
      if (number.kind === 'NUMBER') seconds = this.numberLiteral(this.take()).value;
      else if (number.kind === 'DURATION') seconds = this.durationMilliseconds(this.take()) / 1000;
      else return this.unexpected(number, '@', 'timestamp');
      if (negative) seconds = -seconds;
      if (!Number.isFinite(seconds) || seconds >= MAX_INT64_FLOAT || seconds <= -MAX_INT64_FLOAT) {
        this.report(`timestamp out of bounds for @ modifier: ${formatFixed6(seconds)}`, expr.position);
      }
      at = { kind: 'time', time: goRound(seconds * 1000) + 0 };
    }
    let target: { at: VectorSelector['at']; position: PositionRange } | null = null;
    if (expr.type === 'VectorSelector' || expr.type === 'SubqueryExpr') target = expr;
    else if (expr.type === 'MatrixSelector') target = expr.vectorSelector;
    if (target === null) {
      this.report(
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        expr.position,
      );
      return;
    }
    if (target.at !== null) {
      this.report('@ <timestamp> may not be set multiple times', expr.position);
      return;
    }
    target.at = at;
    expr.position = { start: expr.position.start, end: this.lastEnd };
  }

  // --- aggregations and calls ---------------------------------------------------------------

  private parseAggregation(): AggregateExpr {
    const operator = this.take();
    this.aggregationDepth++;
    let grouping: string[] = [];
    let without = false;
    let modifierKind = this.peek().kind;
    if (modifierKind === 'by' || modifierKind === 'without') {
      this.take();
      without = modifierKind === 'without';
      grouping = this.parseGroupingLabels();
    }
    const { args, end } = this.parseCallArguments();
    let position: PositionRange = { start: operator.start, end };
    if (modifierKind !== 'by' && modifierKind !== 'without') {
      modifierKind = this.peek().kind;
      if (modifierKind === 'by' || modifierKind === 'without') {
        this.take();
        without = modifierKind === 'without';
        grouping = this.parseGroupingLabels();
        position = { start: operator.start, end: this.lastEnd };
      }
    }
    this.aggregationDepth--;
    const op = operator.kind as AggregateOp;
    const node: AggregateExpr = { type: 'AggregateExpr', op, expr: args[0], param: null, grouping, without, position };
    if (args.length === 0) {
      this.report('no arguments for aggregate expression provided', position);
      return node;
    }
    let wanted = 1;
    if (op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values' || op === 'limitk' || op === 'limit_ratio') {
      if ((op === 'limitk' || op === 'limit_ratio') && !this.experimental) {
        this.report(
          `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
          position,
        );
        return node;
      }
      wanted = 2;
      node.param = args[0];
    }
    if (args.length !== wanted) {
      this.report(
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
        position,
      );
      return node;
    }
    node.expr = args[wanted - 1];
    return node;
  }

  /** `( label, … )` after by, without, on, ignoring, group_left, group_right. */
  private parseGroupingLabels(): string[] {
    const open = this.peek();
    if (open.kind !== '(') this.unexpected(open, 'grouping opts', '"("');
    this.take();
    const labels: string[] = [];
    if (this.peek().kind === ')') {
      this.take();
      return labels;
    }
    for (;;) {
      const token = this.peek();
      if (LABEL_TOKENS.has(token.kind)) {
        labels.push(token.text);
      } else if (token.kind === 'STRING') {
        const name = unquote(token.text);
        if (name === '') this.report(`invalid label name for grouping: ${goQuote(name)}`, token);
        labels.push(name);
      } else {
        this.unexpected(token, 'grouping opts', 'label');
      }
      this.take();
      const separator = this.peek();
      if (separator.kind === ')') {
        this.take();
        return labels;
      }
      if (separator.kind !== ',') this.unexpected(separator, 'grouping opts', '"," or ")"');
      this.take();
      if (this.peek().kind === ')') {
        this.take();
        return labels;
      }
    }
  }

  private parseCall(): Call {
    const nameToken = this.take();
    const { args, end } = this.parseCallArguments();
    const position = { start: nameToken.start, end };
    const name = nameToken.text;
    let func = getFunction(name);
    if (func === undefined) {
      this.report(`unknown function with name ${goQuote(name)}`, nameToken);
      func = unknownFunction(name);
    } else if (UNSUPPORTED_FUNCTIONS.has(name)) {
      this.report(`function ${goQuote(name)} is not supported yet`, nameToken);
    } else if (func.experimental && !this.experimental) {
      this.report(`function ${goQuote(name)} is not enabled`, nameToken);
    }
    return { type: 'Call', func, args, position };
  }

  /** `( expr, … )`; returns the arguments and the end offset of the closing parenthesis. */
  private parseCallArguments(): { args: Expr[]; end: number } {
    this.expect('(');
    const args: Expr[] = [];
    if (this.peek().kind === ')') return { args, end: this.take().end };
    for (;;) {
      args.push(this.parseBinary(0));
      const separator = this.peek();
      if (separator.kind === ')') return { args, end: this.take().end };
      if (separator.kind !== ',') this.unexpected(separator, '', '');
      this.take();
      if (this.peek().kind === ')') {
        this.report('trailing commas not allowed in function call args', separator);
        return { args, end: this.take().end };
      }
    }
  }
}

/**
 * Regex matchers are costly to compile and dashboards send the same selectors again and again, so
 * matchers are shared between parses (they are immutable). The cache is bounded: cleared when full.
 */
const MATCHER_CACHE = new Map<string, LabelMatcher>();
const MATCHER_CACHE_LIMIT = 4096;

function cachedMatcher(type: MatchType, name: string, value: string): LabelMatcher {
  if (type === '=' || type === '!=') return new LabelMatcher(type, name, value);
  const key = `${type}\u0000${name}\u0000${value}`;
  let matcher = MATCHER_CACHE.get(key);
  if (matcher === undefined) {
    matcher = new LabelMatcher(type, name, value);
    if (MATCHER_CACHE.size >= MATCHER_CACHE_LIMIT) MATCHER_CACHE.clear();
    MATCHER_CACHE.set(key, matcher);
  }
  return matcher;
}

function unknownFunction(name: string): FunctionSignature {
  return { name, argTypes: [], variadic: -1, returnType: 'vector', experimental: false };
}

/** Go's math.Round: halves away from zero. */
function goRound(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value);
}

/** Prometheus's `line:column` of an offset: 1-based, columns counted in UTF-8 bytes. */
export function lineAndColumn(input: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(offset, input.length);
  for (let index = 0; index < limit; index++) {
    if (input.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: utf8Length(input.slice(lineStart, limit)) + 1 };
}

function toParseError(input: string, problem: ProblemReport): ParseError {
  const { line, column } = lineAndColumn(input, problem.position.start);
  const error = new ParseError(problem.detail, problem.position, line, column);
  // Prometheus cannot place an error in an empty query and says so instead of a line and column.
  if (input === '') error.message = `unknown position: parse error: ${problem.detail}`;
  return error;
}

/** Parses a PromQL expression; throws ParseError with Prometheus's text for the first problem. */
export function parse(input: string, options: ParseOptions = {}): Expr {
  try {
    const parser = new Parser(input, options);
    const expr = parser.parse();
    if (parser.problems.length > 0 || expr === null) {
      throw toParseError(input, parser.problems[0] ?? { detail: 'no expression found in input', position: { start: 0, end: 0 } });
    }
    const problems = checkExpression(expr, input);
    if (problems.length > 0) throw toParseError(input, problems[0]);
    return expr;
  } catch (error) {
    // Hostile input (thousands of nested parentheses) must not escape as a stack overflow.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw toParseError(input, { detail: 'expression is nested too deeply', position: { start: 0, end: 0 } });
    }
    throw error;
  }
}
