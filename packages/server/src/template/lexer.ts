/**
 * Lexer for Go text/template: text, `{{`/`}}` actions with `{{- ` / ` -}}` trimming, comments,
 * strings, raw strings, character constants, numbers, variables, fields and keywords.
 * Offsets are JavaScript string indexes; lines count from 1.
 */

export type ItemType =
  | 'error' | 'eof' | 'text' | 'comment' | 'leftDelim' | 'rightDelim' | 'space' | 'pipe' | 'leftParen' | 'rightParen'
  | 'string' | 'rawString' | 'charConstant' | 'number' | 'bool' | 'nil' | 'dot' | 'field' | 'variable' | 'identifier'
  | 'declare' | 'assign' | 'char'
  | 'keyword';

export interface Item {
  type: ItemType;
  value: string;
  position: number;
  line: number;
}

const keywords = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const spaceCharacters = ' \t\r\n';

export class Lexer {
  readonly items: Item[] = [];
  private readonly text: string;
  private readonly leftDelim: string;
  private readonly rightDelim: string;
  private position = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;

  constructor(text: string, leftDelim = '{{', rightDelim = '}}') {
    this.text = text;
    this.leftDelim = leftDelim;
    this.rightDelim = rightDelim;
    this.run();
  }

  private emit(type: ItemType, value = this.text.slice(this.start, this.position)): void {
    this.items.push({ type, value, position: this.start, line: this.startLine });
    this.start = this.position;
    this.startLine = this.line;
  }

  private ignore(): void {
    this.line += countNewlines(this.text.slice(this.start, this.position));
    this.start = this.position;
    this.startLine = this.line;
  }

  private advance(count: number): void {
    this.line += countNewlines(this.text.slice(this.position, this.position + count));
    this.position += count;
  }

  private fail(message: string): false {
    this.items.push({ type: 'error', value: message, position: this.start, line: this.startLine });
    return false;
  }

  private run(): void {
    while (this.lexText()) {
      if (!this.lexAction()) return;
    }
  }

  /** Scans text up to the next left delimiter; returns false at the end of input. */
  private lexText(): boolean {
    const next = this.text.indexOf(this.leftDelim, this.position);
    if (next < 0) {
      this.position = this.text.length;
      if (this.position > this.start) {
        this.line += countNewlines(this.text.slice(this.start, this.position));
        this.emit('text');
      }
      this.emit('eof', '');
      return false;
    }
    let textEnd = next;
    const trimLeft = this.hasLeftTrimMarker(next + this.leftDelim.length);
    if (trimLeft) {
      while (textEnd > this.start && spaceCharacters.includes(this.text[textEnd - 1])) textEnd--;
    }
    this.position = textEnd;
    if (this.position > this.start) {
      this.line += countNewlines(this.text.slice(this.start, this.position));
      this.emit('text');
    }
    this.position = next;
    this.ignore();
    return true;
  }

  private hasLeftTrimMarker(at: number): boolean {
    return this.text[at] === '-' && at + 1 < this.text.length && spaceCharacters.includes(this.text[at + 1]);
  }

  /** Is there a right trim marker (" -") followed by the right delimiter at `at`? */
  private atRightTrim(at: number): boolean {
    return spaceCharacters.includes(this.text[at] ?? 'x') && this.text[at + 1] === '-' && this.text.startsWith(this.rightDelim, at + 2);
  }

  private lexAction(): boolean {
    // At the left delimiter.
    const afterDelim = this.position + this.leftDelim.length;
    const trimLeft = this.hasLeftTrimMarker(afterDelim);
    const afterMarker = afterDelim + (trimLeft ? 2 : 0);
    if (this.text.startsWith('/*', afterMarker)) {
      this.position = afterMarker;
      this.ignore();
      return this.lexComment();
    }
    this.advance(this.leftDelim.length);
    this.emit('leftDelim');
    if (trimLeft) {
      this.advance(2);
      this.ignore();
    }
    this.parenDepth = 0;
    return this.lexInsideAction();
  }

  private lexComment(): boolean {
    const end = this.text.indexOf('*/', this.position + 2);
    if (end < 0) return this.fail('unclosed comment');
    this.advance(end + 2 - this.position);
    this.emit('comment');
    if (this.atRightTrim(this.position)) {
      this.advance(2 + this.rightDelim.length);
      this.trimFollowingSpace();
      this.ignore();
      return true;
    }
    if (!this.text.startsWith(this.rightDelim, this.position)) return this.fail('comment ends before closing delimiter');
    this.advance(this.rightDelim.length);
    this.ignore();
    return true;
  }

  private trimFollowingSpace(): void {
    let end = this.position;
    while (end < this.text.length && spaceCharacters.includes(this.text[end])) end++;
    this.advance(end - this.position);
  }

  private lexInsideAction(): boolean {
    for (;;) {
      if (this.parenDepth > 0 && (this.atRightTrim(this.position) || this.text.startsWith(this.rightDelim, this.position))) {
        return this.fail('unclosed left paren');
      }
      if (this.parenDepth === 0) {
        if (this.atRightTrim(this.position)) {
          this.advance(1);
          this.ignore();
          this.advance(1);
          this.ignore();
          this.advance(this.rightDelim.length);
          this.emit('rightDelim');
          this.trimFollowingSpace();
          this.ignore();
          return true;
        }
        if (this.text.startsWith(this.rightDelim, this.position)) {
          this.advance(this.rightDelim.length);
          this.emit('rightDelim');
          return true;
        }
      }
      if (this.position >= this.text.length) return this.fail('unclosed action');
      const character = this.text[this.position];
      if (spaceCharacters.includes(character)) {
        let end = this.position;
        while (end < this.text.length && spaceCharacters.includes(this.text[end]) && !(this.parenDepth === 0 && this.atRightTrim(end))) end++;
        this.advance(end - this.position);
        this.emit('space');
        continue;
      }
      switch (character) {
        case '=':
          this.advance(1);
          this.emit('assign');
          continue;
        case ':':
          if (this.text[this.position + 1] !== '=') return this.fail('expected :=');
          this.advance(2);
          this.emit('declare');
          continue;
        case '|':
          this.advance(1);
          this.emit('pipe');
          continue;
        case '"':
          if (!this.lexQuote()) return false;
          continue;
        case '`':
          if (!this.lexRawQuote()) return false;
          continue;
        case "'":
          if (!this.lexChar()) return false;
          continue;
        case '$':
          this.lexVariable();
          continue;
        case '(':
          this.advance(1);
          this.emit('leftParen');
          this.parenDepth++;
          continue;
        case ')':
          // Emitted before the depth check, as Go does: the parser reports the stray ")" first.
          this.advance(1);
          this.emit('rightParen');
          this.parenDepth--;
          if (this.parenDepth < 0) return this.fail("unexpected right paren U+0029 ')'");
          continue;
        case ',':
          this.advance(1);
          this.emit('char');
          continue;
        default:
          break;
      }
      if (character === '.') {
        const following = this.text[this.position + 1] ?? '';
        if (!(following >= '0' && following <= '9')) {
          this.lexField();
          continue;
        }
      }
      if (character === '+' || character === '-' || (character >= '0' && character <= '9') || character === '.') {
        if (!this.lexNumber()) return false;
        continue;
      }
      if (isAlphaNumeric(character)) {
        this.lexIdentifier();
        continue;
      }
      const codePoint = this.text.codePointAt(this.position) ?? 0;
      if (codePoint > 0x20 && codePoint < 0x7f) {
        // Go emits printable ASCII as a character item; the parser then reports it as unexpected.
        this.advance(1);
        this.emit('char');
        continue;
      }
      return this.fail(`bad character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(codePoint)}'`);
    }
  }

  private lexQuote(): boolean {
    let index = this.position + 1;
    for (;;) {
      const character = this.text[index];
      if (character === undefined || character === '\n') return this.fail('unterminated quoted string');
      if (character === '\\') {
        if (this.text[index + 1] === undefined || this.text[index + 1] === '\n') return this.fail('unterminated quoted string');
        index += 2;
        continue;
      }
      index++;
      if (character === '"') break;
    }
    this.advance(index - this.position);
    this.emit('string');
    return true;
  }

  private lexRawQuote(): boolean {
    const end = this.text.indexOf('`', this.position + 1);
    if (end < 0) return this.fail('unterminated raw quoted string');
    this.advance(end + 1 - this.position);
    this.emit('rawString');
    return true;
  }

  private lexChar(): boolean {
    let index = this.position + 1;
    for (;;) {
      const character = this.text[index];
      if (character === undefined || character === '\n') return this.fail('unterminated character constant');
      if (character === '\\') {
        index += 2;
        continue;
      }
      index++;
      if (character === "'") break;
    }
    this.advance(index - this.position);
    this.emit('charConstant');
    return true;
  }

  private lexVariable(): void {
    let end = this.position + 1;
    while (end < this.text.length && isAlphaNumeric(this.text[end])) end++;
    this.advance(end - this.position);
    this.emit('variable');
  }

  private lexField(): void {
    let end = this.position + 1;
    while (end < this.text.length && isAlphaNumeric(this.text[end])) end++;
    this.advance(end - this.position);
    this.emit(end === this.start + 1 ? 'dot' : 'field');
  }

  private lexIdentifier(): void {
    let end = this.position;
    while (end < this.text.length && isAlphaNumeric(this.text[end])) end++;
    this.advance(end - this.position);
    const word = this.text.slice(this.start, this.position);
    if (keywords.has(word)) this.emit('keyword');
    else if (word === 'true' || word === 'false') this.emit('bool');
    else if (word === 'nil') this.emit('nil');
    else this.emit('identifier');
  }

  private lexNumber(): boolean {
    const match = /^[+-]?(0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/.exec(this.text.slice(this.position));
    const matched = match?.[0] ?? '';
    const following = this.text[this.position + matched.length] ?? '';
    if (matched === '' || /^[+-]?$/.test(matched) || isAlphaNumeric(following)) {
      let end = this.position + Math.max(matched.length, 1);
      while (end < this.text.length && isAlphaNumeric(this.text[end])) end++;
      return this.fail(`bad number syntax: "${this.text.slice(this.position, end)}"`);
    }
    this.advance(matched.length);
    this.emit('number');
    return true;
  }
}

function isAlphaNumeric(character: string): boolean {
  return character === '_' || /[\p{L}\p{Nd}]/u.test(character);
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
