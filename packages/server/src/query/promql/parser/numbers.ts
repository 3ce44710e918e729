/**
 * Reads a number token as Prometheus does: first as a Go integer literal with base prefix (`0x1f`,
 * octal `010`, underscores between digits), then as a Go float (`1.5e3`, `.5`, `Inf`, `NaN`).
 * Returns the value, or Prometheus's error text.
 */
export function parseNumberToken(text: string): number | string {
  const integer = parseGoInteger(text);
  if (integer !== null) return integer;
  return parseGoFloat(text);
}

const MAX_INT64 = 9223372036854775807n;

function parseGoInteger(text: string): number | null {
  let base = 10;
  let digits = text;
  if (/^0[xX]/.test(text)) {
    base = 16;
    digits = text.slice(2);
  } else if (text.length > 1 && text[0] === '0') {
    base = 8;
    digits = text.slice(1);
  }
  if (digits.includes('_')) {
    if (!underscoresBetweenDigits(text)) return null;
    digits = digits.replaceAll('_', '');
  }
  if (digits === '') return null;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '';
  const value = BigInt(prefix + digits);
  if (value > MAX_INT64) return null;
  return Number(value);
}

function parseGoFloat(text: string): number | string {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  const invalid = `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
  let clean = text;
  if (clean.includes('_')) {
    if (!underscoresBetweenDigits(clean)) return invalid;
    clean = clean.replaceAll('_', '');
  }
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)) return invalid;
  const value = Number(clean);
  if (!Number.isFinite(value)) {
    return `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`;
  }
  return value;
}

/** Go's rule for underscores in number literals: only between digits (or after a base prefix). */
function underscoresBetweenDigits(text: string): boolean {
  let saw = '^';
  let index = 0;
  let hex = false;
  if (text.length >= 2 && text[0] === '0' && 'xXbBoO'.includes(text[1])) {
    index = 2;
    saw = '0';
    hex = text[1] === 'x' || text[1] === 'X';
  }
  for (; index < text.length; index++) {
    const character = text[index];
    if ((character >= '0' && character <= '9') || (hex && /[a-fA-F]/.test(character))) {
      saw = '0';
      continue;
    }
    if (character === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}
