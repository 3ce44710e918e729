/**
 * The part of Go's fmt package templates reach: Sprint, Sprintln and Sprintf with the verbs
 * %v %s %d %f %F %e %E %g %G %q %x %X %o %b %c %t %T %U %%, flags `+ - # 0 space`, width and precision
 * (also `*`), and Go's error notations (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA …)`).
 * Not covered: %x on floats (hex mantissa), %p, argument indexes (`%[1]d`), `%#v` Go syntax.
 */
import { formatFloat } from '../model/index.ts';
import { asMap, GoDuration, GoStruct, GoUint, isStringer, methodsOf, typeNameOf } from './value.ts';

interface Flags {
  plus: boolean;
  /** %+v: struct field names; the plus sign itself is not applied to values. */
  plusV?: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

const noFlags: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };

function runeLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Pads to the width with spaces (or zeros for the '0' flag), left- or right-aligned. */
function pad(text: string, flags: Flags): string {
  if (flags.width === undefined) return text;
  const missing = flags.width - runeLength(text);
  if (missing <= 0) return text;
  if (flags.minus) return text + ' '.repeat(missing);
  return (flags.zero ? '0' : ' ').repeat(missing) + text;
}

/** Pads a signed number, putting zero padding between the sign and the digits. */
function padNumber(text: string, flags: Flags): string {
  if (flags.zero && !flags.minus && flags.width !== undefined && (text[0] === '-' || text[0] === '+' || text[0] === ' ')) {
    const missing = flags.width - text.length;
    if (missing > 0) return text[0] + '0'.repeat(missing) + text.slice(1);
    return text;
  }
  return pad(text, flags);
}

function intValue(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (value instanceof GoUint) return value.value;
  if (value instanceof GoDuration) return value.nanoseconds;
  return undefined;
}

function formatInteger(value: bigint, verb: string, flags: Flags, unsigned: boolean): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let digits: string;
  switch (verb) {
    case 'x':
      digits = magnitude.toString(16);
      break;
    case 'X':
      digits = magnitude.toString(16).toUpperCase();
      break;
    case 'o':
    case 'O':
      digits = magnitude.toString(8);
      break;
    case 'b':
      digits = magnitude.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(magnitude)), flags);
    case 'q':
      return pad(quoteRune(Number(magnitude)), flags);
    case 'U': {
      const hex = magnitude.toString(16).toUpperCase().padStart(4, '0');
      return pad(flags.sharp ? `U+${hex} '${String.fromCodePoint(Number(magnitude))}'` : `U+${hex}`, flags);
    }
    default:
      digits = magnitude.toString(10);
  }
  if (flags.precision !== undefined) {
    if (flags.precision === 0 && magnitude === 0n) digits = '';
    digits = digits.padStart(flags.precision, '0');
  } else if (flags.zero && !flags.minus && flags.width !== undefined) {
    const signWidth = negative || flags.plus || flags.space ? 1 : 0;
    const prefixWidth = flags.sharp && (verb === 'x' || verb === 'X') ? 2 : flags.sharp && verb === 'o' ? 1 : verb === 'O' ? 2 : 0;
    digits = digits.padStart(flags.width - signWidth - prefixWidth, '0');
  }
  if (flags.sharp) {
    if (verb === 'x') digits = '0x' + digits;
    else if (verb === 'X') digits = '0X' + digits;
    else if (verb === 'o' && digits[0] !== '0') digits = '0' + digits;
    else if (verb === 'b') digits = '0b' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  const sign = negative ? '-' : flags.plus && !unsigned ? '+' : flags.space ? ' ' : '';
  return pad(sign + digits, { ...flags, zero: false });
}

function formatFloatVerb(value: number, verb: string, flags: Flags): string {
  let format: 'e' | 'E' | 'f' | 'g' | 'G';
  let precision: number;
  switch (verb) {
    case 'v':
      format = 'g';
      precision = -1;
      break;
    case 'F':
    case 'f':
      format = 'f';
      precision = 6;
      break;
    case 'e':
    case 'E':
      format = verb;
      precision = 6;
      break;
    default:
      format = verb as 'g' | 'G';
      precision = -1;
  }
  if (flags.precision !== undefined) precision = flags.precision;
  let text = formatFloat(value, format, precision);
  if (text[0] !== '-' && text[0] !== '+') text = '+' + text;
  if (flags.space && text[0] === '+' && !flags.plus) text = ' ' + text.slice(1);
  if (text[1] === 'I' || text[1] === 'N') {
    // Infinities and NaN are never zero padded; NaN loses its sign unless asked for.
    if (text[1] === 'N' && !flags.space && !flags.plus) text = text.slice(1);
    return pad(text, { ...flags, zero: false });
  }
  if (flags.plus || text[0] !== '+') return padNumber(text, flags);
  return padNumber(text.slice(1), flags);
}

/** strconv.Quote: a double-quoted Go string literal. */
export function quoteString(text: string, asciiOnly = false): string {
  let output = '"';
  for (const character of text) output += escapeRune(character, '"', asciiOnly);
  return output + '"';
}

function quoteRune(codePoint: number): string {
  return `'${escapeRune(String.fromCodePoint(codePoint), "'", false)}'`;
}

const nonPrintable = /[\p{C}\p{Z}]/u;

function escapeRune(character: string, quote: string, asciiOnly: boolean): string {
  const codePoint = character.codePointAt(0) ?? 0;
  if (character === quote || character === '\\') return '\\' + character;
  switch (character) {
    case '\x07': return '\\a';
    case '\b': return '\\b';
    case '\f': return '\\f';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    case '\v': return '\\v';
    default: break;
  }
  if (codePoint === 0xfffd) return character;
  if (character === ' ' || (!nonPrintable.test(character) && !(asciiOnly && codePoint > 0x7e))) return character;
  if (codePoint < 0x20) return '\\x' + codePoint.toString(16).padStart(2, '0');
  if (codePoint === 0x7f) return '\\x7f';
  if (codePoint < 0x10000) return '\\u' + codePoint.toString(16).padStart(4, '0');
  return '\\U' + codePoint.toString(16).padStart(8, '0');
}

function badVerb(verb: string, value: unknown): string {
  if (value === null || value === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeNameOf(value)}=${formatValue(value, 'v', noFlags)})`;
}

function formatString(text: string, verb: string, flags: Flags): string {
  switch (verb) {
    case 'v':
    case 's': {
      if (flags.precision !== undefined) text = [...text].slice(0, flags.precision).join('');
      return pad(text, flags);
    }
    case 'q':
      if (flags.sharp && !text.includes('`') && !/[\p{C}]/u.test(text.replace(/\t/g, ''))) return pad('`' + text + '`', flags);
      return pad(quoteString(text, flags.plus), flags);
    case 'x':
    case 'X': {
      let bytes = Buffer.from(text, 'utf8');
      if (flags.precision !== undefined) bytes = bytes.subarray(0, flags.precision);
      const parts = [...bytes].map((byte) => {
        const hex = byte.toString(16).padStart(2, '0');
        return verb === 'X' ? hex.toUpperCase() : hex;
      });
      const prefix = flags.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const joined = flags.space ? parts.map((part) => prefix + part).join(' ') : prefix + parts.join('');
      return pad(joined, flags);
    }
    default:
      return badVerb(verb, text);
  }
}

/** Formats one operand for one verb, as fmt's printArg does. */
export function formatValue(value: unknown, verb: string, flags: Flags): string {
  if (verb === 'T') return pad(value === null || value === undefined ? '<nil>' : typeNameOf(value), flags);
  if (value === null || value === undefined) {
    if (verb === 'v') return pad('<nil>', flags);
    return badVerb(verb, value);
  }
  // Stringers print through their String method for %v %s %q %x %X.
  // Any value with a String method is a fmt.Stringer (time.Time, Alertmanager's KV, …).
  const stringMethod = methodsOf(value)?.String;
  if ((isStringer(value) || stringMethod !== undefined) && (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
    return formatString(isStringer(value) ? value.goString() : String(stringMethod?.()), verb, flags);
  }
  if (value instanceof Error && (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) return formatString(value.message, verb, flags);
  switch (typeof value) {
    case 'string':
      return formatString(value, verb, flags);
    case 'boolean':
      if (verb === 'v' || verb === 't') return pad(value ? 'true' : 'false', flags);
      return badVerb(verb, value);
    case 'number':
      if ('vfFeEgG'.includes(verb)) return formatFloatVerb(value, verb, flags);
      return badVerb(verb, value);
    case 'function':
      return pad('0xc000010000', flags);
    default:
      break;
  }
  const integer = intValue(value);
  if (integer !== undefined) {
    if ('vdxXobcqUO'.includes(verb)) return formatInteger(integer, verb === 'v' ? 'd' : verb, flags, value instanceof GoUint);
    return badVerb(verb, value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map((element) => formatValue(element, verb, flags)).join(' ') + ']';
  }
  if (value instanceof GoStruct) {
    const entries = Object.entries(value.fields).map(([name, field]) => (flags.plusV === true ? `${name}:` : '') + formatValue(field, verb, flags));
    return (value.pointer ? '&{' : '{') + entries.join(' ') + '}';
  }
  const map = asMap(value);
  if (map !== undefined) {
    return 'map[' + map.keys().map((key) => `${formatValue(key, verb, flags)}:${formatValue(map.get(key), verb, flags)}`).join(' ') + ']';
  }
  return pad(String(value), flags);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let output = '';
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (index > 0 && typeof argument !== 'string' && typeof args[index - 1] !== 'string') output += ' ';
    output += formatValue(argument, 'v', noFlags);
  }
  return output;
}

/** fmt.Sprintln: always spaces between operands, newline at the end. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((argument) => formatValue(argument, 'v', noFlags)).join(' ') + '\n';
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let output = '';
  let argumentIndex = 0;
  let index = 0;
  while (index < format.length) {
    const percent = format.indexOf('%', index);
    if (percent < 0) {
      output += format.slice(index);
      break;
    }
    output += format.slice(index, percent);
    index = percent + 1;
    const flags: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };
    for (; index < format.length; index++) {
      const character = format[index];
      if (character === '+') flags.plus = true;
      else if (character === '-') flags.minus = true;
      else if (character === '#') flags.sharp = true;
      else if (character === ' ') flags.space = true;
      else if (character === '0') flags.zero = true;
      else break;
    }
    const readNumber = (): number | undefined => {
      const match = /^\d+/.exec(format.slice(index));
      if (match === null) return undefined;
      index += match[0].length;
      return Number(match[0]);
    };
    let badWidth = false;
    let badPrecision = false;
    if (format[index] === '*') {
      index++;
      const width = argumentIndex < args.length ? intValue(args[argumentIndex]) : undefined;
      argumentIndex++;
      if (width === undefined) badWidth = true;
      else {
        flags.width = Number(width < 0n ? -width : width);
        if (width < 0n) flags.minus = true;
      }
    } else flags.width = readNumber();
    if (format[index] === '.') {
      index++;
      if (format[index] === '*') {
        index++;
        const precision = argumentIndex < args.length ? intValue(args[argumentIndex]) : undefined;
        argumentIndex++;
        if (precision === undefined || precision < 0n) badPrecision = true;
        else flags.precision = Number(precision);
      } else flags.precision = readNumber() ?? 0;
    }
    if (flags.minus) flags.zero = false;
    if (format[index] === 'v' && flags.plus) {
      flags.plus = false;
      flags.plusV = true;
    }
    if (index >= format.length) {
      output += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(index) ?? 0);
    index += verb.length;
    if (badWidth) output += '%!(BADWIDTH)';
    if (badPrecision) output += '%!(BADPREC)';
    if (verb === '%') {
      output += '%';
      continue;
    }
    if (argumentIndex >= args.length) {
      output += `%!${verb}(MISSING)`;
      continue;
    }
    const argument = args[argumentIndex++];
    output += 'vsdfFeEgGqxXobctTUO'.includes(verb) ? formatValue(argument, verb, flags) : badVerb(verb, argument);
  }
  if (argumentIndex < args.length) {
    output += '%!(EXTRA ' + args.slice(argumentIndex).map((argument) => (argument === null || argument === undefined ? '<nil>' : `${typeNameOf(argument)}=${formatValue(argument, 'v', noFlags)}`)).join(', ') + ')';
  }
  return output;
}

/** How the template engine prints a pipeline's value (fmt.Fprint of one operand). */
export function printValue(value: unknown): string {
  if (value === undefined) return '<no value>';
  return formatValue(value, 'v', noFlags);
}
