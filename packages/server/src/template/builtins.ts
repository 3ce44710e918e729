/**
 * Go text/template's predefined functions (`and` and `or` short-circuit and live in the executor).
 */
import { templateFunction } from './function.ts';
import type { FunctionMap } from './function.ts';
import { sprint, sprintf, sprintln } from './format.ts';
import { asMap, GoDuration, GoStruct, GoUint, isTrue, typeNameOf } from './value.ts';

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string';

function basicKind(value: unknown): BasicKind | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      if (value instanceof GoUint) return 'uint';
      if (value instanceof GoDuration) return 'int';
      return undefined;
  }
}

function integerOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof GoUint) return value.value;
  if (value instanceof GoDuration) return value.nanoseconds;
  return 0n;
}

/** Missing (`undefined`) and nil (`null`) both become an invalid value once interfaces are unwrapped. */
function isInvalid(value: unknown): boolean {
  return value === undefined || value === null;
}

function isNilValue(value: unknown): boolean {
  return value === null || value === undefined;
}

function comparable(value: unknown): boolean {
  return !(Array.isArray(value) || asMap(value) !== undefined || typeof value === 'function');
}

export function equal(first: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const firstKind = basicKind(first);
  for (const other of others) {
    const otherKind = basicKind(other);
    let truth = false;
    if (firstKind !== otherKind) {
      if ((firstKind === 'int' && otherKind === 'uint') || (firstKind === 'uint' && otherKind === 'int')) truth = integerOf(first) === integerOf(other);
      else if (!isInvalid(first) && !isInvalid(other)) throw new Error('incompatible types for comparison');
    } else if (firstKind !== undefined) {
      truth = firstKind === 'int' || firstKind === 'uint' ? integerOf(first) === integerOf(other) : first === other;
    } else {
      if (!comparable(first) || !comparable(other)) {
        const bad = comparable(first) ? other : first;
        throw new Error(`non-comparable type ${sprint([bad])}: ${typeNameOf(bad)}`);
      }
      if (isNilValue(first) || isNilValue(other)) truth = isNilValue(first) === isNilValue(other);
      else if (first instanceof GoStruct && other instanceof GoStruct) truth = first === other || (first.typeName === other.typeName && sprint([first]) === sprint([other]));
      else truth = first === other || (typeNameOf(first) === typeNameOf(other) && sprint([first]) === sprint([other]));
    }
    if (truth) return true;
  }
  return false;
}

export function lessThan(first: unknown, second: unknown): boolean {
  const firstKind = basicKind(first);
  const secondKind = basicKind(second);
  if (firstKind === undefined || secondKind === undefined) throw new Error('invalid type for comparison');
  if (firstKind !== secondKind) {
    if ((firstKind === 'int' && secondKind === 'uint') || (firstKind === 'uint' && secondKind === 'int')) return integerOf(first) < integerOf(second);
    throw new Error('incompatible types for comparison');
  }
  switch (firstKind) {
    case 'bool':
      throw new Error('invalid type for comparison');
    case 'int':
    case 'uint':
      return integerOf(first) < integerOf(second);
    case 'string':
      return Buffer.compare(Buffer.from(first as string), Buffer.from(second as string)) < 0;
    default:
      return (first as number) < (second as number);
  }
}

function lessOrEqual(first: unknown, second: unknown): boolean {
  return lessThan(first, second) || equal(first, second);
}

function indexArgument(position: unknown, length: number): number {
  if (isInvalid(position)) throw new Error('cannot index slice/array with nil');
  const kind = basicKind(position);
  if (kind !== 'int' && kind !== 'uint') throw new Error(`cannot index slice/array with type ${typeNameOf(position)}`);
  const value = integerOf(position);
  if (value < 0n || value >= BigInt(length)) throw new Error(`index out of range: ${value}`);
  return Number(value);
}

function sliceArgument(position: unknown, capacity: number): number {
  if (isInvalid(position)) throw new Error('cannot index slice/array with nil');
  const kind = basicKind(position);
  if (kind !== 'int' && kind !== 'uint') throw new Error(`cannot index slice/array with type ${typeNameOf(position)}`);
  const value = integerOf(position);
  if (value < 0n || value > BigInt(capacity)) throw new Error(`index out of range: ${value}`);
  return Number(value);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let current = item;
  if (isInvalid(current)) throw new Error('index of untyped nil');
  for (const key of indexes) {
    if (isInvalid(current)) throw new Error('index of untyped nil');
    if (typeof current === 'string') {
      const bytes = Buffer.from(current, 'utf8');
      current = new GoUint(BigInt(bytes[indexArgument(key, bytes.length)]));
      continue;
    }
    if (Array.isArray(current)) {
      current = current[indexArgument(key, current.length)];
      continue;
    }
    const map = asMap(current);
    if (map !== undefined) {
      if (typeof key !== 'string') {
        if (isInvalid(key)) throw new Error(`value is nil; should be of type string`);
        throw new Error(`value has type ${typeNameOf(key)}; should be string`);
      }
      current = map.has(key) ? map.get(key) : map.elementZero;
      continue;
    }
    throw new Error(`can't index item of type ${typeNameOf(current)}`);
  }
  return current;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isInvalid(item)) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let length: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    length = Buffer.byteLength(item, 'utf8');
  } else if (Array.isArray(item)) length = item.length;
  else throw new Error(`can't slice item of type ${typeNameOf(item)}`);
  const bounds = [0, length];
  for (let position = 0; position < indexes.length; position++) bounds[position] = sliceArgument(indexes[position], length);
  if (indexes.length < 2) bounds[1] = length;
  if (bounds[0] > bounds[1]) throw new Error(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (indexes.length === 3 && bounds[1] > bounds[2]) throw new Error(`invalid slice index: ${bounds[1]} > ${bounds[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(bounds[0], bounds[1]).toString('utf8');
  return (item as unknown[]).slice(bounds[0], bounds[1]);
}

function lengthOf(item: unknown): bigint {
  if (item === null) throw new Error('len of nil pointer');
  if (typeof item === 'string') return BigInt(Buffer.byteLength(item, 'utf8'));
  if (Array.isArray(item)) return BigInt(item.length);
  const map = asMap(item);
  if (map !== undefined) return BigInt(map.size);
  throw new Error(`len of type ${typeNameOf(item)}`);
}

/** Joins the arguments the way html/js/urlquery do: one string argument is used as is. */
function argumentsText(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(text: string): string {
  return text.replace(/[\0"'&<>]/g, (character) => {
    switch (character) {
      case '\0': return '\uFFFD';
      case '"': return '&#34;';
      case "'": return '&#39;';
      case '&': return '&amp;';
      case '<': return '&lt;';
      default: return '&gt;';
    }
  });
}

const printableRune = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's template.JSEscapeString. */
export function jsEscape(text: string): string {
  let output = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    switch (character) {
      case '\\': output += '\\\\'; continue;
      case "'": output += "\\'"; continue;
      case '"': output += '\\"'; continue;
      case '<': output += '\\u003C'; continue;
      case '>': output += '\\u003E'; continue;
      case '&': output += '\\u0026'; continue;
      case '=': output += '\\u003D'; continue;
      default: break;
    }
    if (codePoint < 0x20) output += '\\u00' + codePoint.toString(16).toUpperCase().padStart(2, '0');
    else if (codePoint < 0x80 || printableRune.test(character)) output += character;
    else output += '\\u' + codePoint.toString(16).toUpperCase().padStart(4, '0');
  }
  return output;
}

/** Go's url.QueryEscape. */
export function queryEscape(text: string): string {
  let output = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const character = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(character)) output += character;
    else if (character === ' ') output += '+';
    else output += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return output;
}

async function callFunction(callee: unknown, ...args: unknown[]): Promise<unknown> {
  if (isInvalid(callee)) throw new Error('call of nil');
  if (typeof callee !== 'function') throw new Error(`non-function of type ${typeNameOf(callee)}`);
  return await (callee as (...parameters: unknown[]) => unknown)(...args);
}

/** The predefined functions, minus `and`/`or` which the executor evaluates lazily. */
export const builtinFunctions: FunctionMap = {
  call: templateFunction(['value'], callFunction, 'value'),
  eq: templateFunction(['value'], equal, 'value'),
  ne: templateFunction(['value', 'value'], (first: unknown, second: unknown) => !equal(first, second)),
  lt: templateFunction(['value', 'value'], lessThan),
  le: templateFunction(['value', 'value'], lessOrEqual),
  gt: templateFunction(['value', 'value'], (first: unknown, second: unknown) => !lessOrEqual(first, second)),
  ge: templateFunction(['value', 'value'], (first: unknown, second: unknown) => !lessThan(first, second)),
  not: templateFunction(['value'], (value: unknown) => !isTrue(value)),
  len: templateFunction(['value'], lengthOf),
  index: templateFunction(['value'], index, 'value'),
  slice: templateFunction(['value'], slice, 'value'),
  print: templateFunction([], (...args: unknown[]) => sprint(args), 'any'),
  printf: templateFunction(['string'], (format: string, ...args: unknown[]) => sprintf(format, args), 'any'),
  println: templateFunction([], (...args: unknown[]) => sprintln(args), 'any'),
  html: templateFunction([], (...args: unknown[]) => htmlEscape(argumentsText(args)), 'any'),
  js: templateFunction([], (...args: unknown[]) => jsEscape(argumentsText(args)), 'any'),
  urlquery: templateFunction([], (...args: unknown[]) => queryEscape(argumentsText(args)), 'any'),
};

/** Names the parser accepts without a definition in the function map. */
export const shortCircuitBuiltins = new Set(['and', 'or']);
