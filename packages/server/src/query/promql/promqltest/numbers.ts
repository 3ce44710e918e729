/**
 * Number and string literals as Prometheus's test runner reads them: it calls Go's
 * `strconv.ParseInt(s, 0, 64)` and falls back to `strconv.ParseFloat(s, 64)`, and `strconv.Unquote`
 * for `expect string`. JavaScript's `Number()` differs (it accepts `''`, `' 1 '` and `Infinity`,
 * rejects `inf` and `0o` is fine but `017` is decimal), so both are spelled out here.
 */

/** Go's rule for `_` in number literals: only between digits (or right after a base prefix). */
function underscoresValid(text: string): boolean {
  if (!text.includes('_')) return true;
  let body = text;
  if (body.startsWith('+') || body.startsWith('-')) body = body.slice(1);
  let previous = '^';
  let index = 0;
  let hex = false;
  if (/^0[bBoOxX]/.test(body)) {
    index = 2;
    previous = '0';
    hex = body[1] === 'x' || body[1] === 'X';
  }
  for (; index < body.length; index++) {
    const char = body[index];
    if ((char >= '0' && char <= '9') || (hex && /[a-fA-F]/.test(char))) {
      previous = '0';
      continue;
    }
    if (char === '_') {
      if (previous !== '0') return false;
      previous = '_';
      continue;
    }
    if (previous === '_') return false;
    previous = '!';
  }
  return previous !== '_';
}

/** `strconv.ParseInt(text, 0, 64)`: decimal, `0x`, `0o`, `0b`, or a leading `0` for octal. */
function parseGoInteger(text: string): number | null {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (match === null || !underscoresValid(text)) return null;
  const digits = match[2].replaceAll('_', '');
  let value: bigint;
  if (/^0[xXoObB]/.test(digits)) value = BigInt(digits.toLowerCase());
  else if (digits.length > 1 && digits.startsWith('0')) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (match[1] === '-') value = -value;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return null;
  return Number(value);
}

/** `strconv.ParseFloat(text, 64)`: decimal and hexadecimal floats, `inf`, `infinity`, `nan` in any case. */
function parseGoFloat(text: string): number | null {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special !== null) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!underscoresValid(text)) return null;
  const plain = text.replaceAll('_', '');
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(plain)) return Number(plain);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(plain);
  if (hex !== null && (hex[2] !== '' || (hex[3] ?? '') !== '')) {
    const fraction = hex[3] ?? '';
    const mantissa = Number.parseInt(hex[2] + fraction || '0', 16);
    const value = mantissa * 2 ** (Number(hex[4]) - 4 * fraction.length);
    return hex[1] === '-' ? -value : value;
  }
  return null;
}

/** A number as Prometheus's runner and series parser read one; null when it is not a number. */
export function parseGoNumber(text: string): number | null {
  return parseGoInteger(text) ?? parseGoFloat(text);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` (one character), also used for PromQL string
 * literals in series descriptions, which share Go's escapes (single quotes may hold any text there).
 * Throws on bad quoting or escapes.
 */
export function unquoteGoString(text: string, allowLongSingleQuoted = false): string {
  if (text.length < 2) throw new Error('invalid syntax');
  const quote = text[0];
  if (text[text.length - 1] !== quote) throw new Error('invalid syntax');
  const body = text.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replaceAll('\r', '');
  }
  if (quote !== '"' && quote !== "'") throw new Error('invalid syntax');
  // Escapes such as \xc3\xa9 give bytes, so the text is built as UTF-8 and decoded at the end.
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const pushText = (piece: string): void => {
    for (const byte of encoder.encode(piece)) bytes.push(byte);
  };
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === quote || char === '\n') throw new Error('invalid syntax');
    if (char !== '\\') {
      const code = body.codePointAt(index) as number;
      const whole = String.fromCodePoint(code);
      pushText(whole);
      index += whole.length - 1;
      continue;
    }
    index++;
    const escape = body[index];
    if (escape === undefined) throw new Error('invalid syntax');
    if (escape in SIMPLE_ESCAPES) {
      pushText(SIMPLE_ESCAPES[escape]);
    } else if (escape === quote) {
      pushText(quote);
    } else if (escape === 'x' || escape === 'u' || escape === 'U') {
      const size = escape === 'x' ? 2 : escape === 'u' ? 4 : 8;
      const hex = body.slice(index + 1, index + 1 + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) throw new Error('invalid syntax');
      const code = Number.parseInt(hex, 16);
      if (escape === 'x') {
        bytes.push(code);
      } else {
        if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new Error('invalid syntax');
        pushText(String.fromCodePoint(code));
      }
      index += size;
    } else if (escape >= '0' && escape <= '7') {
      const octal = body.slice(index, index + 3);
      if (!/^[0-7]{3}$/.test(octal)) throw new Error('invalid syntax');
      const code = Number.parseInt(octal, 8);
      if (code > 0xff) throw new Error('invalid syntax');
      bytes.push(code);
      index += 2;
    } else {
      throw new Error('invalid syntax');
    }
  }
  const out = new TextDecoder().decode(Uint8Array.from(bytes));
  if (quote === "'" && !allowLongSingleQuoted && [...out].length !== 1) throw new Error('invalid syntax');
  return out;
}
