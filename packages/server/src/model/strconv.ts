/**
 * Go's strconv, as far as Prometheus's and Alertmanager's texts need it, in one place: FormatFloat
 * (shortest round-trip digits, or exact digits rounded half-to-even at a given place, so `%.2f` of
 * 1.005 is "1.00" and of 0.125 is "0.12"), Quote and ParseFloat. PromQL's printer and messages, the
 * query API and the templates all print numbers and strings through it.
 */

/** Digits without leading/trailing zeros; the value is 0.digits × 10^decimalPoint. */
export interface DecimalDigits {
  digits: string;
  decimalPoint: number;
}

/** Shortest digits that read back as the same float (what JavaScript's ToString also produces). */
export function shortestDigits(value: number): DecimalDigits {
  if (value === 0) return { digits: '', decimalPoint: 0 };
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  return { digits, decimalPoint: Number(exponent) + 1 };
}

const float64View = new DataView(new ArrayBuffer(8));

/** Every digit of the binary value (a double is a finite binary fraction, so its decimal ends). */
export function exactDigits(value: number): DecimalDigits {
  if (value === 0) return { digits: '', decimalPoint: 0 };
  float64View.setFloat64(0, Math.abs(value));
  const high = float64View.getUint32(0);
  const low = float64View.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biasedExponent === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  let digits: string;
  let decimalPoint: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    decimalPoint = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    decimalPoint = digits.length + exponent;
  }
  return trimDigits({ digits, decimalPoint });
}

function trimDigits(decimal: DecimalDigits): DecimalDigits {
  let { digits, decimalPoint } = decimal;
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading);
  decimalPoint -= leading;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return { digits: '', decimalPoint: 0 };
  return { digits, decimalPoint };
}

/** Keeps `count` leading digits, rounding half to even on an exact tie, like strconv's decimal.Round. */
export function roundDigits(decimal: DecimalDigits, count: number): DecimalDigits {
  const { digits, decimalPoint } = decimal;
  if (count < 0) return { digits: '', decimalPoint: 0 };
  if (count >= digits.length) return decimal;
  let roundUp: boolean;
  if (digits[count] === '5' && count + 1 === digits.length) roundUp = count > 0 && (digits.charCodeAt(count - 1) - 48) % 2 === 1;
  else roundUp = digits[count] >= '5';
  if (!roundUp) return trimDigits({ digits: digits.slice(0, count), decimalPoint });
  // Propagate the carry.
  const kept = digits.slice(0, count).split('');
  let position = count - 1;
  while (position >= 0 && kept[position] === '9') {
    kept[position] = '0';
    position--;
  }
  if (position < 0) return trimDigits({ digits: '1' + kept.join(''), decimalPoint: decimalPoint + 1 });
  kept[position] = String.fromCharCode(kept[position].charCodeAt(0) + 1);
  return trimDigits({ digits: kept.join(''), decimalPoint });
}

function formatExponent(decimal: DecimalDigits, precision: number, letter: string): string {
  const { digits } = decimal;
  let text = digits.length === 0 ? '0' : digits[0];
  if (precision > 0) {
    text += '.';
    for (let index = 1; index <= precision; index++) text += index < digits.length ? digits[index] : '0';
  }
  const exponent = digits.length === 0 ? 0 : decimal.decimalPoint - 1;
  const sign = exponent < 0 ? '-' : '+';
  const magnitude = Math.abs(exponent);
  return `${text}${letter}${sign}${magnitude < 10 ? '0' : ''}${magnitude}`;
}

function formatFixed(decimal: DecimalDigits, precision: number): string {
  const { digits, decimalPoint } = decimal;
  let text = '';
  if (decimalPoint > 0) {
    for (let index = 0; index < decimalPoint; index++) text += index < digits.length ? digits[index] : '0';
  } else text = '0';
  if (precision > 0) {
    text += '.';
    for (let index = 1; index <= precision; index++) {
      const position = decimalPoint + index - 1;
      text += position >= 0 && position < digits.length ? digits[position] : '0';
    }
  }
  return text;
}

/**
 * strconv.FormatFloat(value, format, precision, 64) for format 'e', 'E', 'f', 'g', 'G'; precision -1
 * means shortest. The sign is included ("-" only); infinities are "+Inf"/"-Inf", NaN is "NaN".
 */
export function formatFloat(value: number, format: 'e' | 'E' | 'f' | 'g' | 'G', precision: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const negative = value < 0 || Object.is(value, -0);
  const shortest = precision < 0;
  let decimal: DecimalDigits;
  if (shortest) {
    decimal = shortestDigits(value);
    switch (format) {
      case 'e':
      case 'E':
        precision = Math.max(decimal.digits.length - 1, 0);
        break;
      case 'f':
        precision = Math.max(decimal.digits.length - decimal.decimalPoint, 0);
        break;
      default:
        precision = decimal.digits.length;
    }
  } else {
    const exact = exactDigits(value);
    switch (format) {
      case 'e':
      case 'E':
        decimal = roundDigits(exact, precision + 1);
        break;
      case 'f':
        decimal = roundDigits(exact, exact.decimalPoint + precision);
        break;
      default:
        if (precision === 0) precision = 1;
        decimal = roundDigits(exact, precision);
    }
  }
  const sign = negative ? '-' : '';
  switch (format) {
    case 'e':
    case 'E':
      return sign + formatExponent(decimal, precision, format);
    case 'f':
      return sign + formatFixed(decimal, precision);
    default: {
      let exponentPrecision = precision;
      if (exponentPrecision > decimal.digits.length && decimal.digits.length >= decimal.decimalPoint) exponentPrecision = decimal.digits.length;
      if (shortest) exponentPrecision = 6;
      const exponent = decimal.decimalPoint - 1;
      if (exponent < -4 || exponent >= exponentPrecision) {
        if (precision > decimal.digits.length) precision = decimal.digits.length;
        return sign + formatExponent(decimal, precision - 1, format === 'g' ? 'e' : 'E');
      }
      if (precision > decimal.decimalPoint) precision = decimal.digits.length;
      return sign + formatFixed(decimal, Math.max(precision - decimal.decimalPoint, 0));
    }
  }
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `strconv.Quote`: double quotes, Go escapes, printable Unicode kept as is. */
export function goQuote(text: string): string {
  let out = '"';
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    switch (character) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (code === 0x20 || (code > 0x20 && code < 0x7f)) {
      out += character;
    } else if (code >= 0xdc80 && code <= 0xdcff) {
      // An invalid byte carried as a lone surrogate (the PromQL parser's decodeBytes): Go prints the byte.
      out += `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd';
    } else if (code < 0x80) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else if (PRINTABLE.test(character)) {
      out += character;
    } else if (code < 0x10000) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

const DECIMAL_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:_?[0-9a-fA-F])*)(?:\.((?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?))?[pP]([+-]?\d(?:_?\d)*)$/;
const SPECIAL_FLOAT = /^(?:([+-]?)(inf|infinity)|(nan))$/i;

/** Whether `text` is a float literal strconv.ParseFloat reads (its value may still be out of range). */
export function isGoFloatSyntax(text: string): boolean {
  return SPECIAL_FLOAT.test(text) || DECIMAL_FLOAT.test(text) || HEX_FLOAT.test(text);
}

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
