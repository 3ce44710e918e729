/**
 * Decimal conversion of float64 the way Go's strconv does it: shortest round-trip digits, or exact
 * digits rounded half-to-even at a given place (so `%.2f` of 1.005 is "1.00" and of 0.125 is "0.12").
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
