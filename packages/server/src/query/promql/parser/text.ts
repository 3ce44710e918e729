/**
 * Text conventions PromQL inherits from Go: how strings are quoted (`strconv.Quote`), how numbers and
 * durations are printed (`strconv.FormatFloat(v, 'f', -1, 64)`, Prometheus's `model.Duration`), and
 * how duration literals are read. Kept apart so the lexer, parser and printer agree on them.
 */
import { formatFloat, goQuote } from '../../../model/index.ts';

const MILLISECONDS_PER_UNIT: Record<string, number> = {
  y: 365 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};
const UNIT_ORDER: Record<string, number> = { y: 1, w: 2, d: 3, h: 4, m: 5, s: 6, ms: 7 };
/** 2^63 nanoseconds, the range of Go's time.Duration, in milliseconds. */
const MAX_DURATION_MILLISECONDS = 9223372036854.775;

/**
 * Parses a Prometheus duration (`1h30m`, `5m`, `1y`, `0`) into milliseconds, or returns the error text
 * Prometheus gives. Units must go from largest to smallest, each at most once.
 */
export function parseDuration(text: string): number | string {
  if (text === '0') return 0;
  if (text === '') return 'empty duration string';
  const invalid = `not a valid duration string: ${goQuote(text)}`;
  let total = 0;
  let lastUnit = 0;
  let index = 0;
  while (index < text.length) {
    let end = index;
    while (end < text.length && isDigitCode(text.charCodeAt(end))) end++;
    if (end === index) return invalid;
    const digits = text.slice(index, end);
    if (digits.length > 20 || BigInt(digits) > 18446744073709551615n) return invalid;
    let unitEnd = end;
    while (unitEnd < text.length && !isDigitCode(text.charCodeAt(unitEnd))) unitEnd++;
    if (unitEnd === end) return invalid;
    const unit = text.slice(end, unitEnd);
    const multiplier = MILLISECONDS_PER_UNIT[unit];
    if (multiplier === undefined) return `unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`;
    if (UNIT_ORDER[unit] <= lastUnit) return invalid;
    lastUnit = UNIT_ORDER[unit];
    const value = Number(digits) * multiplier;
    if (value > MAX_DURATION_MILLISECONDS) return 'duration out of range';
    total += value;
    if (total > MAX_DURATION_MILLISECONDS) return 'duration out of range';
    index = unitEnd;
  }
  return total;
}

/** Go's `strconv.FormatFloat(value, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatNumber(value: number): string {
  return formatFloat(value, 'f', -1);
}

/** Go's `strconv.FormatFloat(value, 'f', 3, 64)`, used for `@` timestamps in seconds. */
export function formatFixed3(value: number): string {
  return formatFloat(value, 'f', 3);
}

/** Go's `fmt.Sprintf("%f", value)` (six decimals), as used in some error texts. */
export function formatFixed6(value: number): string {
  return formatFloat(value, 'f', 6);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `%#U` verb: `U+0067 'g'`. */
export function goUnicodeVerb(character: string): string {
  const code = character.codePointAt(0) as number;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return PRINTABLE.test(character) || code === 0x20 ? `${hex} '${character}'` : hex;
}

/** Go's `%q` of a rune: `'x'`, `'\n'`, `'"'`. */
export function goQuoteRune(character: string): string {
  if (character === "'") return "'\\''";
  if (character === '"') return `'"'`;
  const quoted = goQuote(character);
  return `'${quoted.slice(1, -1)}'`;
}

/** Go's `%.10q`: the first ten characters, quoted. */
export function goQuoteTruncated(text: string, limit: number): string {
  return goQuote(Array.from(text).slice(0, limit).join(''));
}

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Decodes a string token as the lexer delivered it (quotes included; escapes already validated by the
 * lexer): Go escapes for `"…"` and `'…'`, none for backquotes.
 */
export function unquote(token: string): string {
  const quote = token[0];
  const body = token.slice(1, -1);
  if (quote === '`' || !body.includes('\\')) return body;
  let out = '';
  // Escapes \x, octal and \u produce bytes or code points; bytes are gathered and decoded as UTF-8.
  let pendingBytes: number[] = [];
  const flushBytes = (): void => {
    if (pendingBytes.length > 0) {
      out += decodeBytes(pendingBytes);
      pendingBytes = [];
    }
  };
  for (let index = 0; index < body.length; index++) {
    const character = body[index];
    if (character !== '\\') {
      flushBytes();
      out += character;
      continue;
    }
    const next = body[++index];
    switch (next) {
      case 'a':
        flushBytes();
        out += '\x07';
        break;
      case 'b':
        flushBytes();
        out += '\b';
        break;
      case 'f':
        flushBytes();
        out += '\f';
        break;
      case 'n':
        flushBytes();
        out += '\n';
        break;
      case 'r':
        flushBytes();
        out += '\r';
        break;
      case 't':
        flushBytes();
        out += '\t';
        break;
      case 'v':
        flushBytes();
        out += '\v';
        break;
      case 'x':
        pendingBytes.push(parseInt(body.slice(index + 1, index + 3), 16));
        index += 2;
        break;
      case 'u':
        flushBytes();
        out += String.fromCodePoint(parseInt(body.slice(index + 1, index + 5), 16));
        index += 4;
        break;
      case 'U':
        flushBytes();
        out += String.fromCodePoint(parseInt(body.slice(index + 1, index + 9), 16));
        index += 8;
        break;
      default:
        if (next >= '0' && next <= '7') {
          pendingBytes.push(parseInt(body.slice(index, index + 3), 8));
          index += 2;
        } else {
          flushBytes();
          out += next;
        }
    }
  }
  flushBytes();
  return out;
}

/**
 * Decodes bytes written as escapes (`\xc3\xa9`) as UTF-8. A byte that is not part of valid UTF-8 — Go
 * strings may hold such bytes, JavaScript strings cannot — becomes the lone surrogate U+DC00+byte (the
 * "surrogateescape" convention): it stays invalid for validity checks, and goQuote prints it back as
 * `\xNN`, as Go would.
 */
export function decodeBytes(bytes: readonly number[]): string {
  let out = '';
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    let length = 0;
    let codePoint = 0;
    let minimum = 0;
    if (lead < 0x80) {
      out += String.fromCharCode(lead);
      index++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      codePoint = lead & 0x1f;
      minimum = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      codePoint = lead & 0x0f;
      minimum = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      codePoint = lead & 0x07;
      minimum = 0x10000;
    }
    let valid = length > 0 && index + length <= bytes.length;
    for (let offset = 1; valid && offset < length; offset++) {
      const continuation = bytes[index + offset];
      if ((continuation & 0xc0) !== 0x80) valid = false;
      else codePoint = (codePoint << 6) | (continuation & 0x3f);
    }
    if (valid && (codePoint < minimum || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))) {
      valid = false;
    }
    if (valid) {
      out += String.fromCodePoint(codePoint);
      index += length;
    } else {
      out += String.fromCharCode(0xdc00 + lead);
      index++;
    }
  }
  return out;
}

/** True for a name Prometheus's legacy scheme accepts as a label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isLegacyLabelName(name: string): boolean {
  if (name.length === 0) return false;
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
    if (!letter && !(index > 0 && isDigitCode(code))) return false;
  }
  return true;
}

/** Number of bytes the text takes in UTF-8 (Go measures positions and lengths in bytes). */
export function utf8Length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80 || (code >= 0xdc80 && code <= 0xdcff)) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      length += 4;
      index++;
    } else length += 3;
  }
  return length;
}

/** Compares strings by code point, i.e. as Go compares their UTF-8 bytes. */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a === b) continue;
    // Surrogates (astral code points) sort after every BMP character in UTF-8 order.
    const aSurrogate = a >= 0xd800 && a <= 0xdfff;
    const bSurrogate = b >= 0xd800 && b <= 0xdfff;
    if (aSurrogate !== bSurrogate) return aSurrogate ? 1 : -1;
    return a - b;
  }
  return left.length - right.length;
}
