/**
 * Number formatting as Go's fmt prints it (`%g`, `%.Ng`, `%f`), so annotation and error texts match
 * Prometheus's character for character. Only used when building messages, never per sample.
 */

/** The exact decimal expansion of a finite double: its digits (no leading zeros) and the position of the decimal point. */
function exactDecimal(value: number): { digits: string; point: number } {
  const abs = Math.abs(value);
  if (abs === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, abs);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = high >>> 20;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biasedExponent === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  let digits: string;
  let point: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    point = digits.length;
  } else {
    // mantissa * 2^exponent = mantissa * 5^-exponent / 10^-exponent
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    point = digits.length + exponent;
  }
  const trimmedStart = digits.replace(/^0+/, '');
  point -= digits.length - trimmedStart.length;
  return { digits: trimmedStart.replace(/0+$/, ''), point };
}

/**
 * Rounds decimal digits to `count` digits, half to even on exact ties (Go's decimal rounding).
 * Returns the new digits (trailing zeros trimmed) and decimal point.
 */
function roundDigits(digits: string, point: number, count: number): { digits: string; point: number } {
  if (count < 0) return { digits: '', point };
  if (digits.length <= count) return { digits, point };
  const next = digits.charCodeAt(count) - 48;
  let roundUp: boolean;
  if (next > 5) roundUp = true;
  else if (next < 5) roundUp = false;
  else if (digits.length > count + 1) roundUp = true;
  else roundUp = count > 0 && (digits.charCodeAt(count - 1) - 48) % 2 === 1;
  let kept = digits.slice(0, count);
  if (roundUp) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === '9') i--;
    if (i < 0) {
      kept = '1';
      point += 1;
    } else {
      kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1);
    }
  }
  return { digits: kept.replace(/0+$/, ''), point };
}

function special(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return null;
}

function formatExponentForm(negative: boolean, digits: string, point: number, fractionDigits: number): string {
  const mantissaDigits = digits === '' ? '0' : digits;
  let text = mantissaDigits[0];
  const rest = mantissaDigits.slice(1).padEnd(fractionDigits, '0').slice(0, Math.max(fractionDigits, 0));
  if (rest.length > 0) text += `.${rest}`;
  const exponent = digits === '' ? 0 : point - 1;
  const exponentText = String(Math.abs(exponent)).padStart(2, '0');
  return `${negative ? '-' : ''}${text}e${exponent < 0 ? '-' : '+'}${exponentText}`;
}

function formatFixedForm(negative: boolean, digits: string, point: number, fractionDigits: number): string {
  let integerPart: string;
  if (point <= 0) integerPart = '0';
  else integerPart = digits.slice(0, point).padEnd(point, '0');
  let fraction = '';
  for (let i = 0; i < fractionDigits; i++) {
    const index = point + i;
    fraction += index >= 0 && index < digits.length ? digits[index] : '0';
  }
  return `${negative ? '-' : ''}${integerPart}${fraction.length > 0 ? `.${fraction}` : ''}`;
}

/** Go's `%g` (shortest representation that round-trips). */
export function formatGoG(value: number): string {
  const specialText = special(value);
  if (specialText !== null) return specialText;
  const negative = value < 0 || Object.is(value, -0);
  if (value === 0) return negative ? '-0' : '0';
  // JavaScript's shortest round-trip digits are the same digits Go's shortest formatting picks.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  const point = Number(exponentText) + 1;
  const exponent = point - 1;
  // strconv uses an exponent threshold of 6 when formatting with the shortest precision.
  if (exponent < -4 || exponent >= 6) return formatExponentForm(negative, digits, point, digits.length - 1);
  return formatFixedForm(negative, digits, point, Math.max(digits.length - point, 0));
}

/** Go's `%.{precision}g`. */
export function formatGoGPrecision(value: number, precision: number): string {
  const specialText = special(value);
  if (specialText !== null) return specialText;
  const negative = value < 0 || Object.is(value, -0);
  const significant = precision === 0 ? 1 : precision;
  const exact = exactDecimal(value);
  const rounded = roundDigits(exact.digits, exact.point, significant);
  const digits = rounded.digits;
  const point = digits === '' ? 1 : rounded.point;
  let exponentPrecision = significant;
  if (exponentPrecision > digits.length && digits.length >= point) exponentPrecision = digits.length;
  const exponent = point - 1;
  if (exponent < -4 || exponent >= exponentPrecision) {
    const fractionDigits = Math.min(significant, Math.max(digits.length, 1)) - 1;
    return formatExponentForm(negative, digits, point, fractionDigits);
  }
  const fractionDigits = significant > point ? Math.max(digits.length - point, 0) : 0;
  return formatFixedForm(negative, digits, point, fractionDigits);
}

/** Go's `%f` (six decimals, exact rounding half to even). */
export function formatGoF(value: number, fractionDigits = 6): string {
  const specialText = special(value);
  if (specialText !== null) return specialText;
  const negative = value < 0 || Object.is(value, -0);
  const exact = exactDecimal(value);
  const rounded = roundDigits(exact.digits, exact.point, exact.point + fractionDigits);
  return formatFixedForm(negative, rounded.digits, rounded.point, fractionDigits);
}

/** Go's `time.Unix(seconds, 0).UTC().Format(time.RFC3339)` for ordinary years. */
export function formatRfc3339Seconds(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 19)}Z`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's `%q` of a string (strconv.Quote): printable characters as they are, others escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const character of text) {
    const escape = SHORT_ESCAPES[character];
    if (escape !== undefined) {
      out += escape;
      continue;
    }
    if (PRINTABLE.test(character)) {
      out += character;
      continue;
    }
    const code = character.codePointAt(0) as number;
    if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const DECIMAL_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?))?[pP]([+-]?\d(?:_?\d)*)$/;
const SPECIAL_FLOAT = /^(?:([+-]?)(inf|infinity)|(nan))$/i;

/**
 * Go's strconv.ParseFloat(text, 64): decimal and hexadecimal (with p exponent) forms, Go's digit
 * underscores, case-insensitive Inf/Infinity/NaN. Returns null where Go reports an error, including
 * a finite literal too large for a float64.
 */
export function parseGoFloat(text: string): number | null {
  const specialMatch = SPECIAL_FLOAT.exec(text);
  if (specialMatch !== null) {
    if (specialMatch[3] !== undefined) return NaN;
    return specialMatch[1] === '-' ? -Infinity : Infinity;
  }
  let value: number;
  if (DECIMAL_FLOAT.test(text)) {
    value = Number(text.replaceAll('_', ''));
  } else {
    const hex = HEX_FLOAT.exec(text);
    if (hex === null) return null;
    const integerDigits = hex[2].replaceAll('_', '');
    const fractionDigits = (hex[3] ?? '').replaceAll('_', '');
    if (integerDigits === '' && fractionDigits === '') return null;
    const mantissa = BigInt(`0x${integerDigits}${fractionDigits}` === '0x' ? '0' : `0x${integerDigits}${fractionDigits}`);
    const exponent = Number(hex[4].replaceAll('_', '')) - 4 * fractionDigits.length;
    value = Number(mantissa) * 2 ** exponent;
    if (!Number.isFinite(value) && mantissa !== 0n) {
      value = Number(mantissa) * 2 ** (exponent / 2) * 2 ** (exponent - exponent / 2);
    }
    if (hex[1] === '-') value = -value;
  }
  if (value === Infinity || value === -Infinity) return null;
  return value;
}
