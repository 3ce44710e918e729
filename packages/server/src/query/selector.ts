import { LabelMatcher, METRIC_NAME } from '../model/index.ts';
import type { MatchType } from '../model/index.ts';

/**
 * Parses a PromQL series selector (`up`, `http_requests_total{job="api", code=~"5.."}`,
 * `{"my.metric", env!="dev"}`) into label matchers, as the `match[]` parameters of the API take it.
 * Errors carry the 1-based column, like Prometheus's parse errors.
 */
export class SelectorError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`1:${column}: parse error: ${message}`);
  }
}

export function parseSelector(text: string): LabelMatcher[] {
  const parser = new SelectorParser(text);
  const matchers = parser.parse();
  if (!matchers.some((m) => !m.matchesEmpty())) {
    throw new SelectorError('vector selector must contain at least one non-empty matcher', 1);
  }
  return matchers;
}

class SelectorParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): LabelMatcher[] {
    const matchers: LabelMatcher[] = [];
    this.skipSpace();
    let name = '';
    if (this.isIdentStart(this.peek(), true)) {
      name = this.identifier(true);
      matchers.push(new LabelMatcher('=', METRIC_NAME, name));
      this.skipSpace();
    }
    if (this.peek() === '{') {
      this.pos++;
      this.matcherList(matchers, name !== '');
    } else if (name === '') {
      this.fail(this.pos < this.text.length ? `unexpected character ${JSON.stringify(this.peek())}` : 'unexpected end of input');
    }
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))} after selector`);
    return matchers;
  }

  private matcherList(matchers: LabelMatcher[], hasName: boolean): void {
    for (;;) {
      this.skipSpace();
      if (this.peek() === '}') {
        this.pos++;
        return;
      }
      let label: string;
      if (this.peek() === '"' || this.peek() === "'" ) {
        label = this.string();
        this.skipSpace();
        if (this.peek() === ',' || this.peek() === '}') {
          // A lone quoted string is the metric name (UTF-8 names, Prometheus 3).
          if (hasName) this.fail('metric name must not be set twice');
          matchers.push(new LabelMatcher('=', METRIC_NAME, label));
          hasName = true;
          if (this.peek() === ',') this.pos++;
          continue;
        }
      } else if (this.isIdentStart(this.peek(), false)) {
        label = this.identifier(false);
      } else {
        this.fail(this.pos < this.text.length ? `unexpected character inside braces: ${JSON.stringify(this.peek())}` : 'unexpected end of input inside braces');
      }
      this.skipSpace();
      const type = this.operator();
      this.skipSpace();
      const start = this.pos;
      if (this.peek() !== '"' && this.peek() !== "'" && this.peek() !== '`') this.fail(`unexpected ${this.describeHere()} in label matching, expected string`);
      const value = this.string();
      try {
        matchers.push(new LabelMatcher(type, label, value));
      } catch (error) {
        throw new SelectorError((error as Error).message, start + 1);
      }
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === '}') {
        this.pos++;
        return;
      }
      this.fail(`unexpected ${this.describeHere()} in label matching, expected "," or "}"`);
    }
  }

  private operator(): MatchType {
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two === '=~' || two === '!~' || two === '!=') {
      this.pos += 2;
      return two;
    }
    if (this.peek() === '=') {
      this.pos++;
      return '=';
    }
    this.fail(`unexpected ${this.describeHere()} in label matching, expected label matching operator`);
  }

  private string(): string {
    const quote = this.peek();
    const start = this.pos;
    this.pos++;
    if (quote === '`') {
      const end = this.text.indexOf('`', this.pos);
      if (end < 0) this.fail('unterminated raw string', start);
      const value = this.text.slice(this.pos, end);
      this.pos = end + 1;
      return value;
    }
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++];
      if (ch === quote) return out;
      if (ch === '\n') break;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.text[this.pos++];
      switch (esc) {
        case 'a': out += '\x07'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case "'": out += "'"; break;
        case 'x': out += this.codePoint(2, 16); break;
        case 'u': out += this.codePoint(4, 16); break;
        case 'U': out += this.codePoint(8, 16); break;
        default:
          if (esc !== undefined && esc >= '0' && esc <= '7') {
            this.pos--;
            out += this.codePoint(3, 8);
            break;
          }
          this.fail(`unknown escape sequence ${JSON.stringify('\\' + (esc ?? ''))}`, this.pos - 1);
      }
    }
    this.fail('unterminated quoted string', start);
  }

  private codePoint(digits: number, base: number): string {
    const part = this.text.slice(this.pos, this.pos + digits);
    const valid = base === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
    if (part.length !== digits || !valid.test(part)) this.fail('invalid escape sequence in string');
    this.pos += digits;
    const code = parseInt(part, base);
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) this.fail('escape sequence is an invalid Unicode code point');
    return String.fromCodePoint(code);
  }

  private identifier(metric: boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && this.isIdentPart(this.text[this.pos], metric)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private isIdentStart(ch: string, metric: boolean): boolean {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (metric && ch === ':');
  }

  private isIdentPart(ch: string, metric: boolean): boolean {
    return this.isIdentStart(ch, metric) || (ch >= '0' && ch <= '9');
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private describeHere(): string {
    return this.pos < this.text.length ? JSON.stringify(this.text[this.pos]) : 'end of input';
  }

  private fail(message: string, at = this.pos): never {
    throw new SelectorError(message, at + 1);
  }
}
