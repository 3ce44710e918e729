/**
 * Number formatting as Go prints floats where PromQL puts numbers into text: label values of
 * count_values (`strconv.FormatFloat(v, 'f', -1, 64)`) and annotation texts (`%g`).
 */

/** Shortest digits and decimal exponent of a finite, non-zero number: value = 0.d1d2… × 10^exponent. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  return { digits, exponent: Number(exponentText) + 1 };
}

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that reads back as v, never with an exponent. */
export function formatGoFloat(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(value);
  if (exponent <= 0) return `${sign}0.${'0'.repeat(-exponent)}${digits}`;
  if (exponent >= digits.length) return `${sign}${digits}${'0'.repeat(exponent - digits.length)}`;
  return `${sign}${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
}

/** Go's `%g` (shortest digits): exponent form (`1e+06`, `1.5e-05`) when the exponent is < -4 or >= 6. */
export function formatGoG(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(value);
  const decimalExponent = exponent - 1;
  if (decimalExponent < -4 || decimalExponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExponent = Math.abs(decimalExponent);
    return `${sign}${mantissa}e${decimalExponent < 0 ? '-' : '+'}${absExponent < 10 ? '0' : ''}${absExponent}`;
  }
  return formatGoFloat(value);
}
