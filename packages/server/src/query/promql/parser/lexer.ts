import { goQuote } from '../../../model/index.ts';
import { goQuoteRune, goQuoteTruncated, goUnicodeVerb } from './text.ts';

/**
 * The PromQL lexer. It follows Prometheus's lexer state by state (inside braces keywords are plain
 * identifiers; right after `[` only a duration may start; `#` starts a comment) so that tokens, and the
 * texts and positions of lexical errors, come out as Prometheus reports them. Tokens are produced on
 * demand: the parser asks for the next one, so an error late in the text surfaces only when reached.
 */

export type TokenKind =
  | 'EOF'
  | 'ERROR'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | '='
  | ':'
  // Operators.
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '<='
  | '<'
  | '>='
  | '>'
  | '</'
  | '>/'
  | '=~'
  | '!~'
  | '@'
  | 'and'
  | 'or'
  | 'unless'
  | 'atan2'
  // Aggregators.
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio'
  // Keywords.
  | 'offset'
  | 'smoothed'
  | 'anchored'
  | 'by'
  | 'without'
  | 'on'
  | 'ignoring'
  | 'group_left'
  | 'group_right'
  | 'fill'
  | 'fill_left'
  | 'fill_right'
  | 'bool'
  // Preprocessors (function names that are also keywords).
  | 'start'
  | 'end'
  | 'step'
  | 'range'
  | 'max_of'
  | 'min_of';

export interface Token {
  kind: TokenKind;
  /** The text as written; for ERROR the message. */
  text: string;
  /** Offset of the first character (UTF-16 index into the query). */
  start: number;
  /** Offset after the last character. */
  end: number;
}

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['and', 'and'],
  ['or', 'or'],
  ['unless', 'unless'],
  ['atan2', 'atan2'],
  ['sum', 'sum'],
  ['avg', 'avg'],
  ['count', 'count'],
  ['min', 'min'],
  ['max', 'max'],
  ['group', 'group'],
  ['stddev', 'stddev'],
  ['stdvar', 'stdvar'],
  ['topk', 'topk'],
  ['bottomk', 'bottomk'],
  ['count_values', 'count_values'],
  ['quantile', 'quantile'],
  ['limitk', 'limitk'],
  ['limit_ratio', 'limit_ratio'],
  ['offset', 'offset'],
  ['smoothed', 'smoothed'],
  ['anchored', 'anchored'],
  ['by', 'by'],
  ['without', 'without'],
  ['on', 'on'],
  ['ignoring', 'ignoring'],
  ['group_left', 'group_left'],
  ['group_right', 'group_right'],
  ['fill', 'fill'],
  ['fill_left', 'fill_left'],
  ['fill_right', 'fill_right'],
  ['bool', 'bool'],
  ['start', 'start'],
  ['end', 'end'],
  ['step', 'step'],
  ['range', 'range'],
  ['max_of', 'max_of'],
  ['min_of', 'min_of'],
  ['inf', 'NUMBER'],
  ['nan', 'NUMBER'],
]);

const OPERATORS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '==',
  '!=',
  '<=',
  '<',
  '>=',
  '>',
  '</',
  '>/',
  '=~',
  '!~',
  '@',
  'and',
  'or',
  'unless',
  'atan2',
]);

export const AGGREGATORS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
]);

const MODIFIER_KEYWORDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'bool',
  'by',
  'group_left',
  'group_right',
  'fill',
  'fill_left',
  'fill_right',
  'ignoring',
  'offset',
  'smoothed',
  'anchored',
  'on',
  'without',
]);

const DURATION_KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['step', 'step'],
  ['range', 'range'],
  ['max_of', 'max_of'],
  ['min_of', 'min_of'],
]);

/** How Prometheus names a token in "unexpected …" errors (its `Item.desc()`). */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'EOF':
      return 'end of input';
    case 'ERROR':
      return token.text;
    case 'IDENTIFIER':
      return `identifier ${goQuote(token.text)}`;
    case 'METRIC_IDENTIFIER':
      return `metric identifier ${goQuote(token.text)}`;
    case 'NUMBER':
      return `number ${quoteItemValue(token.text)}`;
    case 'DURATION':
      return `duration ${quoteItemValue(token.text)}`;
    case 'STRING':
      return `string ${quoteItemValue(token.text)}`;
  }
  if (OPERATORS.has(token.kind)) return `<op:${token.text}>`;
  if (AGGREGATORS.has(token.kind)) return `<aggr:${token.text}>`;
  if (MODIFIER_KEYWORDS.has(token.kind)) return `<${token.text}>`;
  return goQuote(token.text);
}

function quoteItemValue(text: string): string {
  return Array.from(text).length > 10 ? `${goQuoteTruncated(text, 10)}...` : goQuote(text);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function isAlpha(code: number): boolean {
  return code === 95 || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAlphaNumeric(code: number): boolean {
  return isAlpha(code) || isDigit(code);
}

const END = -1;

export class Lexer {
  private readonly input: string;
  private position = 0;
  private tokenStart = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  /** Right after `[` (and after operators there): Prometheus's duration-expression state. */
  private inDurationExpression = false;
  private gotColon = false;
  /** Prometheus never clears this once a duration was seen in brackets; neither do we. */
  private gotDuration = false;
  private stringQuote = '';
  private finished = false;

  constructor(input: string) {
    this.input = input;
  }

  /** The next token, comments skipped. After EOF or ERROR it keeps returning EOF. */
  next(): Token {
    if (this.finished) return this.make('EOF', this.input.length, this.input.length);
    for (;;) {
      const token = this.scan();
      if (token === null) continue;
      if (token.kind === 'EOF' || token.kind === 'ERROR') this.finished = true;
      return token;
    }
  }

  // --- character access ---------------------------------------------------------------------

  private peekCode(): number {
    if (this.position >= this.input.length) return END;
    return this.input.codePointAt(this.position) as number;
  }

  private nextCode(): number {
    if (this.position >= this.input.length) return END;
    const code = this.input.codePointAt(this.position) as number;
    this.position += code > 0xffff ? 2 : 1;
    return code;
  }

  private accept(valid: string): boolean {
    const code = this.peekCode();
    if (code !== END && valid.includes(String.fromCodePoint(code))) {
      this.position += code > 0xffff ? 2 : 1;
      return true;
    }
    return false;
  }

  private is(valid: string): boolean {
    const code = this.peekCode();
    return code !== END && valid.includes(String.fromCodePoint(code));
  }

  private make(kind: TokenKind, start: number, end: number): Token {
    return { kind, text: this.input.slice(start, end), start, end };
  }

  private emit(kind: TokenKind): Token {
    const token = this.make(kind, this.tokenStart, this.position);
    this.tokenStart = this.position;
    return token;
  }

  private error(message: string): Token {
    return { kind: 'ERROR', text: message, start: this.tokenStart, end: this.input.length };
  }

  private skipSpaces(): void {
    while (isSpace(this.peekCode())) this.position++;
    this.tokenStart = this.position;
  }

  // --- states -------------------------------------------------------------------------------

  /** One step of the scanner: a token, or null when it only skipped something. */
  private scan(): Token | null {
    if (this.braceOpen) return this.scanInsideBraces();
    if (this.inDurationExpression) return this.scanDurationExpression();
    if (this.input.startsWith('#', this.position)) return this.scanComment();
    const code = this.nextCode();
    switch (code) {
      case END:
        if (this.parenDepth !== 0) return this.error('unclosed left parenthesis');
        if (this.bracketOpen) return this.error('unclosed left bracket');
        return this.emit('EOF');
      case 44:
        return this.emit(',');
      case 42:
        return this.emit('*');
      case 47:
        return this.emit('/');
      case 37:
        return this.emit('%');
      case 43:
        return this.emit('+');
      case 45:
        return this.emit('-');
      case 94:
        return this.emit('^');
      case 61: {
        const following = this.peekCode();
        if (following === 61) {
          this.position++;
          return this.emit('==');
        }
        if (following === 126) return this.error(`unexpected character after '=': ${goQuoteRune('~')}`);
        return this.emit('=');
      }
      case 33: {
        const following = this.nextCode();
        if (following !== 61) return this.error(`unexpected character after '!': ${quoteCode(following)}`);
        return this.emit('!=');
      }
      case 60:
        if (this.accept('=')) return this.emit('<=');
        if (this.accept('/')) return this.emit('</');
        return this.emit('<');
      case 62:
        if (this.accept('=')) return this.emit('>=');
        if (this.accept('/')) return this.emit('>/');
        return this.emit('>');
      case 34:
      case 39:
        this.stringQuote = String.fromCharCode(code);
        return this.scanString();
      case 96:
        return this.scanRawString();
      case 40:
        this.parenDepth++;
        return this.emit('(');
      case 41: {
        const token = this.emit(')');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.error(`unexpected right parenthesis ${goQuoteRune(')')}`);
        return token;
      }
      case 123:
        this.braceOpen = true;
        return this.emit('{');
      case 91: {
        if (this.bracketOpen) return this.error(`unexpected left bracket ${goQuoteRune('[')}`);
        this.gotColon = false;
        const token = this.emit('[');
        this.skipSpaces();
        this.bracketOpen = true;
        this.inDurationExpression = true;
        return token;
      }
      case 93:
        if (!this.bracketOpen) return this.error(`unexpected right bracket ${goQuoteRune(']')}`);
        this.bracketOpen = false;
        return this.emit(']');
      case 64:
        return this.emit('@');
    }
    if (isSpace(code)) {
      this.skipSpaces();
      return null;
    }
    if (isDigit(code) || (code === 46 && isDigit(this.peekCode()))) {
      this.position = this.tokenStart;
      return this.scanNumberOrDuration();
    }
    if (isAlpha(code) || code === 58) {
      if (!this.bracketOpen) {
        this.position = this.tokenStart;
        return this.scanKeywordOrIdentifier();
      }
      if (code === 58) {
        if (this.gotColon) return this.error(`unexpected colon ${goQuoteRune(':')}`);
        this.gotColon = true;
        return this.emit(':');
      }
      const keyword = this.scanDurationKeyword();
      if (keyword !== null) return keyword;
      return this.error(`unexpected character: ${quoteCode(code)}, expected ${goQuoteRune(':')}`);
    }
    return this.error(`unexpected character: ${quoteCode(code)}`);
  }

  private scanComment(): Token | null {
    while (this.position < this.input.length) {
      const code = this.input.charCodeAt(this.position);
      if (code === 10 || code === 13) break;
      this.position++;
    }
    this.tokenStart = this.position;
    return null;
  }

  private scanInsideBraces(): Token | null {
    if (this.input.startsWith('#', this.position)) return this.scanComment();
    const code = this.nextCode();
    if (code === END) return this.error('unexpected end of input inside braces');
    if (isSpace(code)) {
      this.skipSpaces();
      return null;
    }
    if (isAlpha(code)) {
      while (isAlphaNumeric(this.peekCode())) this.position++;
      return this.emit('IDENTIFIER');
    }
    switch (code) {
      case 44:
        return this.emit(',');
      case 34:
      case 39:
        this.stringQuote = String.fromCharCode(code);
        return this.scanString();
      case 96:
        return this.scanRawString();
      case 61:
        if (this.accept('~')) return this.emit('=~');
        return this.emit('=');
      case 33: {
        const following = this.nextCode();
        if (following === 126) return this.emit('!~');
        if (following === 61) return this.emit('!=');
        return this.error(`unexpected character after '!' inside braces: ${quoteCode(following)}`);
      }
      case 123:
        return this.error(`unexpected left brace ${goQuoteRune('{')}`);
      case 125:
        this.braceOpen = false;
        return this.emit('}');
    }
    return this.error(`unexpected character inside braces: ${quoteCode(code)}`);
  }

  private scanDurationExpression(): Token | null {
    const code = this.nextCode();
    switch (code) {
      case END:
        return this.error('unexpected end of input in duration expression');
      case 93:
        this.bracketOpen = false;
        this.gotColon = false;
        this.inDurationExpression = false;
        return this.emit(']');
      case 58: {
        const token = this.emit(':');
        if (!this.gotDuration) return this.error('unexpected colon before duration in duration expression');
        if (this.gotColon) return this.error('unexpected repeated colon in duration expression');
        this.gotColon = true;
        return token;
      }
      case 40:
        this.parenDepth++;
        return this.emit('(');
      case 41: {
        const token = this.emit(')');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.error(`unexpected right parenthesis ${goQuoteRune(')')}`);
        return token;
      }
      case 43:
        return this.emit('+');
      case 45:
        return this.emit('-');
      case 42:
        return this.emit('*');
      case 47:
        return this.emit('/');
      case 37:
        return this.emit('%');
      case 94:
        return this.emit('^');
      case 44:
        return this.emit(',');
    }
    if (isSpace(code)) {
      this.skipSpaces();
      return null;
    }
    if (code === 115 || code === 83 || code === 114 || code === 82 || code === 109 || code === 77) {
      const keyword = this.scanDurationKeyword();
      if (keyword !== null) return keyword;
      return this.error(`unexpected character in duration expression: ${quoteCode(code)}`);
    }
    if (isDigit(code) || (code === 46 && isDigit(this.peekCode()))) {
      this.position = this.tokenStart;
      this.gotDuration = true;
      this.inDurationExpression = false;
      return this.scanNumberOrDuration();
    }
    return this.error(`unexpected character in duration expression: ${quoteCode(code)}`);
  }

  /** `step`, `range`, `max_of`, `min_of` inside brackets; the first letter was consumed. */
  private scanDurationKeyword(): Token | null {
    const first = this.input.codePointAt(this.tokenStart) as number;
    if (!'smrSMR'.includes(String.fromCodePoint(first))) return null;
    while (isAlpha(this.peekCode())) this.position++;
    const kind = DURATION_KEYWORDS.get(this.input.slice(this.tokenStart, this.position).toLowerCase());
    if (kind === undefined) return null;
    return this.emit(kind);
  }

  private scanString(): Token {
    for (;;) {
      const code = this.nextCode();
      if (code === 92) {
        const problem = this.scanEscape();
        if (problem !== null) return this.error(problem);
        continue;
      }
      if (code === END || code === 10) return this.error('unterminated quoted string');
      if (String.fromCodePoint(code) === this.stringQuote) return this.emit('STRING');
    }
  }

  /** Validates one escape sequence after the backslash; returns Prometheus's error text or null. */
  private scanEscape(): string | null {
    let code = this.nextCode();
    let digits: number;
    let base: number;
    let max: number;
    switch (code) {
      case 97:
      case 98:
      case 102:
      case 110:
      case 114:
      case 116:
      case 118:
      case 92:
        return null;
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
        digits = 3;
        base = 8;
        max = 255;
        break;
      case 120:
        code = this.nextCode();
        digits = 2;
        base = 16;
        max = 255;
        break;
      case 117:
        code = this.nextCode();
        digits = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 85:
        code = this.nextCode();
        digits = 8;
        base = 16;
        max = 0x10ffff;
        break;
      case END:
        return 'escape sequence not terminated';
      default:
        if (String.fromCodePoint(code) === this.stringQuote) return null;
        return `unknown escape sequence ${goUnicodeVerb(String.fromCodePoint(code))}`;
    }
    let value = 0;
    while (digits > 0) {
      const digit = digitValue(code);
      if (digit >= base) {
        if (code === END) return 'escape sequence not terminated';
        return `illegal character ${goUnicodeVerb(String.fromCodePoint(code))} in escape sequence`;
      }
      value = value * base + digit;
      digits--;
      if (digits > 0) code = this.nextCode();
    }
    if (value > max || (value >= 0xd800 && value < 0xe000)) return 'escape sequence is an invalid Unicode code point';
    return null;
  }

  private scanRawString(): Token {
    for (;;) {
      const code = this.nextCode();
      if (code === END) return this.error('unterminated raw string');
      if (code === 96) return this.emit('STRING');
    }
  }

  private scanNumberOrDuration(): Token {
    if (this.scanNumber()) return this.emit('NUMBER');
    if (this.acceptRemainingDuration()) {
      return this.emit('DURATION');
    }
    return this.error(`bad number or duration syntax: ${goQuote(this.input.slice(this.tokenStart, this.position))}`);
  }

  /** After a number that ran into a letter: the rest of a duration such as `5m`, `1h30m`, `10ms`. */
  private acceptRemainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      while (this.accept('0123456789')) {
        // Consume the digits.
      }
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    // The character after the duration must not continue a word; Prometheus consumes it to look.
    const following = this.peekCode();
    if (isAlphaNumeric(following)) {
      this.nextCode();
      return false;
    }
    return true;
  }

  /** Prometheus's scanNumber: decimal, hexadecimal, exponents, underscores between digits. */
  private scanNumber(): boolean {
    const initial = this.position;
    let digitPattern = '0123456789';
    if (this.accept('0') && this.accept('xX')) {
      this.accept('_');
      digitPattern = '0123456789abcdefABCDEF';
    }
    this.accept('.');
    this.accept(digitPattern);
    let dotConsumed = false;
    let exponentConsumed = false;
    while (this.is(`${digitPattern}._eE`)) {
      if (this.is('.') && dotConsumed) {
        this.accept('.');
        return false;
      }
      if (this.is('eE') && exponentConsumed) {
        this.accept('eE');
        return false;
      }
      if (this.accept('.')) {
        dotConsumed = true;
        if (this.accept('_.')) return false;
        if (digitPattern.length > 10) return false;
        continue;
      }
      if (this.accept('eE')) {
        exponentConsumed = true;
        this.accept('+-');
        if (this.accept('._eE') || this.peekCode() === END) return false;
        continue;
      }
      if (this.accept('_')) {
        if (this.accept('._eE') || this.peekCode() === END) return false;
        continue;
      }
      while (this.accept(digitPattern)) {
        // Consume the run of digits.
      }
    }
    if (this.position === initial) return false;
    return !isAlphaNumeric(this.peekCode());
  }

  private scanKeywordOrIdentifier(): Token {
    for (;;) {
      const code = this.peekCode();
      if (isAlphaNumeric(code) || code === 58) this.position++;
      else break;
    }
    const word = this.input.slice(this.tokenStart, this.position);
    const keyword = KEYWORDS.get(word.toLowerCase());
    if (keyword !== undefined) {
      // fill, fill_left and fill_right are keywords only before `(`, so metrics may keep those names.
      if ((keyword === 'fill' || keyword === 'fill_left' || keyword === 'fill_right') && !this.followedByLeftParen()) {
        return this.emit('IDENTIFIER');
      }
      return this.emit(keyword);
    }
    return this.emit(word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER');
  }

  private followedByLeftParen(): boolean {
    let index = this.position;
    while (index < this.input.length && isSpace(this.input.charCodeAt(index))) index++;
    return this.input.charCodeAt(index) === 40;
  }
}

function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 97 + 10;
  if (code >= 65 && code <= 70) return code - 65 + 10;
  return 16;
}

function quoteCode(code: number): string {
  return goQuoteRune(code === END ? '\ufffd' : String.fromCodePoint(code));
}
