/**
 * Float parsing and formatting with Go's strconv semantics, as the Prometheus exposition parsers use them.
 *
 * Accepted: an optional sign, then decimal digits with at most one '.', at least one digit, and an optional
 * exponent (`e`/`E`, optional sign, at least one digit); or `Inf`/`Infinity` (any case, optional sign); or
 * `NaN` (any case, no sign). Hexadecimal floats and `_` digit separators are rejected, as Prometheus rejects
 * any value containing `p`, `P` or `_` before calling ParseFloat (and a Go hex float needs a `p` exponent).
 * Overflow (e.g. `1e400`) is an error, as ParseFloat reports ErrRange; underflow rounds to zero.
 */

const POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
  1e19, 1e20, 1e21, 1e22,
];

let lastOk = true;

/** Whether the last {@link parseGoFloat} call succeeded. */
export function floatParseOk(): boolean {
  return lastOk;
}

function invalid(): number {
  lastOk = false;
  return 0;
}

/** True when s[i, i+word.length) equals the lowercase ASCII `word`, ignoring case. */
function matchesIgnoreCase(s: string, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    // `| 32` lowercases ASCII letters; for a letter target only its two cases map onto it.
    if ((s.charCodeAt(i + k) | 32) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Parses s[start, end) as Go's strconv.ParseFloat(s, 64) would (minus hex floats and underscores). On
 * malformed or overflowing input returns 0 and {@link floatParseOk} returns false afterwards.
 * Allocation-free unless the digits exceed 2^53 (about 16 significant digits) or the decimal exponent ±22.
 */
export function parseGoFloat(s: string, start: number, end: number): number {
  lastOk = true;
  let i = start;
  if (i >= end) return invalid();
  let c = s.charCodeAt(i);
  let neg = false;
  let signed = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    signed = true;
    if (++i >= end) return invalid();
    c = s.charCodeAt(i);
  }
  if ((c < 48 || c > 57) && c !== 46) {
    const n = end - i;
    const lc = c | 32;
    if (lc === 105) {
      if ((n === 3 && matchesIgnoreCase(s, i, 'inf')) || (n === 8 && matchesIgnoreCase(s, i, 'infinity'))) {
        return neg ? -Infinity : Infinity;
      }
    } else if (lc === 110 && !signed && n === 3 && matchesIgnoreCase(s, i, 'nan')) {
      return NaN;
    }
    return invalid();
  }

  // Decimal: collect significant digits while the mantissa stays exactly representable (<= 2^53).
  let mant = 0;
  let dexp = 0;
  let sawDigit = false;
  let sawDot = false;
  let exact = true;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (mant < 900719925474099 || (mant === 900719925474099 && c <= 50)) {
        if (mant === 0 && c === 48) {
          if (sawDot) dexp--;
          continue;
        }
        mant = mant * 10 + (c - 48);
        if (sawDot) dexp--;
      } else {
        if (c !== 48) exact = false;
        if (!sawDot) dexp++;
      }
    } else if (c === 46 && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (!sawDigit) return invalid();
  if (i < end && (c === 101 || c === 69)) {
    if (++i >= end) return invalid();
    c = s.charCodeAt(i);
    let eneg = false;
    if (c === 43 || c === 45) {
      eneg = c === 45;
      if (++i >= end) return invalid();
    }
    let e = 0;
    let sawExpDigit = false;
    for (; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      sawExpDigit = true;
      if (e < 100000) e = e * 10 + (c - 48);
    }
    if (!sawExpDigit) return invalid();
    dexp += eneg ? -e : e;
  }
  if (i !== end) return invalid();
  if (mant === 0) return neg ? -0 : 0;
  if (exact) {
    // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
    let v: number;
    if (dexp === 0) v = mant;
    else if (dexp > 0 && dexp <= 22) v = mant * POW10[dexp];
    else if (dexp < 0 && dexp >= -22) v = mant / POW10[-dexp];
    else return slow(s, start, end);
    return neg ? -v : v;
  }
  return slow(s, start, end);
}

function slow(s: string, start: number, end: number): number {
  // The syntax is already validated as a subset of what Number() accepts; Number() rounds correctly.
  const v = Number(s.slice(start, end));
  if (v === Infinity || v === -Infinity) return invalid();
  return v;
}

/**
 * Formats a float as Prometheus's labels.FormatOpenMetricsFloat does: Go's shortest `%g` (exponent form,
 * with at least two exponent digits, when the decimal exponent is < -4 or >= 6), with `.0` appended when the
 * result has neither '.' nor 'e'; `+Inf`, `-Inf`, `NaN` for the specials.
 */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 1) return '1.0';
  if (f === 0) return '0.0';
  if (f === -1) return '-1.0';
  if (f !== f) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  // toExponential() without an argument yields the shortest round-tripping digits, as Go's shortest mode.
  const e = f.toExponential();
  const k = e.indexOf('e');
  const exp = Number(e.slice(k + 1));
  if (exp < -4 || exp >= 6) {
    const abs = exp < 0 ? -exp : exp;
    return `${e.slice(0, k)}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  // In this range String() prints plain decimal notation with the same shortest digits.
  const plain = String(f);
  return plain.indexOf('.') >= 0 ? plain : `${plain}.0`;
}
