/**
 * How Go values are represented in JavaScript for template execution.
 *
 * Go templates are driven by reflection over Go types; the distinctions that change what a template
 * prints or whether it fails are kept, the rest is folded together:
 *
 * | Go                          | JavaScript                                                         |
 * |-----------------------------|--------------------------------------------------------------------|
 * | invalid reflect.Value       | `undefined` (a missing map key prints `<no value>`)                |
 * | nil (interface, pointer…)   | `null` (prints `<nil>`)                                            |
 * | string                      | `string`                                                           |
 * | bool                        | `boolean`                                                          |
 * | int (int64, any signed int) | `bigint` — so `printf "%d"` and `eq` can tell ints from floats      |
 * | float64                     | `number`                                                           |
 * | uint8 (a byte from `index`) | {@link GoUint}                                                     |
 * | []T                         | JavaScript array (methods attachable with {@link withMethods})     |
 * | map[string]any              | `Map` or a plain object; iteration is sorted by key, like Go       |
 * | map[string]T                | {@link GoMap}, which knows its element's zero value and type name  |
 * | struct / *struct            | {@link GoStruct}; missing fields are errors, as in Go              |
 * | func                        | JavaScript function (only `call` invokes it)                       |
 * | time.Time, time.Duration    | {@link GoTime}, {@link GoDuration}                                 |
 *
 * Methods (Go's `.Method arg…` calls) come from the {@link goMethods} symbol of an object: a table of
 * functions receiving the evaluated arguments. A method may return a Promise; execution is async.
 */

/** Symbol under which an object lists its Go methods. */
import { zoneAbbreviationFromZoneinfo } from './zoneinfo.ts';

export const goMethods: unique symbol = Symbol('goMethods');
/** Symbol under which an object states its Go type name (for error messages and `%T`). */
export const goTypeName: unique symbol = Symbol('goTypeName');

export type GoMethod = (...args: unknown[]) => unknown;
export type GoMethodTable = Record<string, GoMethod>;

interface WithGoMethods {
  [goMethods]?: GoMethodTable;
  [goTypeName]?: string;
}

/** Attaches Go methods and a type name to an object or array (non-enumerable). Returns the same object. */
export function withMethods<T extends object>(value: T, typeName: string, methods: GoMethodTable): T {
  Object.defineProperty(value, goMethods, { value: methods, enumerable: false, configurable: true });
  Object.defineProperty(value, goTypeName, { value: typeName, enumerable: false, configurable: true });
  return value;
}

export function methodsOf(value: unknown): GoMethodTable | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  return (value as WithGoMethods)[goMethods];
}

/** A byte (uint8), which is what `index` returns for a string; prints as a number. */
export class GoUint {
  readonly value: bigint;
  readonly typeName: string;
  constructor(value: bigint, typeName = 'uint8') {
    this.value = value;
    this.typeName = typeName;
  }
}

/** A Go map with a declared element type: `index` of a missing key yields `elementZero`. */
export class GoMap {
  readonly entries: Map<string, unknown>;
  readonly elementZero: unknown;
  readonly typeName: string;
  [goMethods]?: GoMethodTable;
  constructor(entries: Map<string, unknown> | Record<string, unknown>, options: { elementZero?: unknown; typeName?: string; methods?: GoMethodTable } = {}) {
    this.entries = entries instanceof Map ? entries : new Map(Object.entries(entries));
    this.elementZero = options.elementZero;
    this.typeName = options.typeName ?? (options.elementZero === '' ? 'map[string]string' : 'map[string]interface {}');
    if (options.methods !== undefined) this[goMethods] = options.methods;
  }
}

/** A `map[string]string`, the type of Prometheus label sets. */
export function stringMap(record: Record<string, string> | Map<string, string>, typeName?: string, methods?: GoMethodTable): GoMap {
  return new GoMap(record, { elementZero: '', typeName: typeName ?? 'map[string]string', methods });
}

/** A Go struct value (or a pointer to one when `pointer` is set): fields in declaration order. */
export class GoStruct {
  readonly typeName: string;
  readonly fields: Record<string, unknown>;
  readonly pointer: boolean;
  [goMethods]?: GoMethodTable;
  constructor(typeName: string, fields: Record<string, unknown>, options: { pointer?: boolean; methods?: GoMethodTable } = {}) {
    this.typeName = typeName;
    this.fields = fields;
    this.pointer = options.pointer ?? false;
    if (options.methods !== undefined) this[goMethods] = options.methods;
  }
}

/** Values whose `String()` method fmt calls (Go's fmt.Stringer). */
export interface GoStringer {
  goString(): string;
}

export function isStringer(value: unknown): value is GoStringer {
  return typeof value === 'object' && value !== null && typeof (value as Partial<GoStringer>).goString === 'function';
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A map-kind value viewed uniformly: sorted keys, lookups, element zero value. */
export interface MapView {
  keys(): string[];
  get(key: string): unknown;
  has(key: string): boolean;
  readonly size: number;
  readonly elementZero: unknown;
}

export function asMap(value: unknown): MapView | undefined {
  if (value instanceof GoMap) return mapViewOf(value.entries, value.elementZero);
  if (value instanceof Map) return mapViewOf(value as Map<string, unknown>, undefined);
  if (isPlainRecord(value)) return mapViewOf(new Map(Object.entries(value)), undefined);
  return undefined;
}

function mapViewOf(entries: Map<string, unknown>, elementZero: unknown): MapView {
  return {
    keys: () => [...entries.keys()].map(String).sort(compareGoStrings),
    get: (key) => entries.get(key),
    has: (key) => entries.has(key),
    size: entries.size,
    elementZero,
  };
}

/** Go compares strings byte-wise (UTF-8); code-unit order differs only for astral characters. */
export function compareGoStrings(left: string, right: string): number {
  if (left === right) return 0;
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/** The Go type name of a value, as `%T` and error messages print it. */
export function typeNameOf(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'function':
      return 'func(...interface {}) interface {}';
    default:
      break;
  }
  const named = (value as WithGoMethods)[goTypeName];
  if (named !== undefined) return named;
  if (value instanceof GoUint) return value.typeName;
  if (value instanceof GoMap) return value.typeName;
  if (value instanceof GoStruct) return value.pointer ? `*${value.typeName}` : value.typeName;
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof Map || isPlainRecord(value)) return 'map[string]interface {}';
  if (value instanceof Error) return '*errors.errorString';
  return 'interface {}';
}

/** Go's notion of truth for if/with/and/or/not: empty and zero values are false; structs and funcs are true. */
export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'boolean':
      return value;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
    case 'function':
      return true;
    default:
      break;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof GoUint) return value.value !== 0n;
  if (value instanceof GoDuration) return value.nanoseconds !== 0n;
  const map = asMap(value);
  if (map !== undefined) return map.size > 0;
  if (value instanceof GoStruct) return true;
  return true;
}

const nanosecondsPerSecond = 1_000_000_000n;

/** time.Duration: a signed count of nanoseconds. */
export class GoDuration implements GoStringer {
  readonly nanoseconds: bigint;
  [goMethods]: GoMethodTable;
  constructor(nanoseconds: bigint) {
    this.nanoseconds = nanoseconds;
    this[goMethods] = {
      String: () => this.goString(),
      Seconds: () => Number(this.nanoseconds) / 1e9,
      Minutes: () => Number(this.nanoseconds) / 6e10,
      Hours: () => Number(this.nanoseconds) / 3.6e12,
      Milliseconds: () => this.nanoseconds / 1_000_000n,
      Microseconds: () => this.nanoseconds / 1000n,
      Nanoseconds: () => this.nanoseconds,
      Abs: () => new GoDuration(this.nanoseconds < 0n ? -this.nanoseconds : this.nanoseconds),
    };
  }

  /** Go's Duration.String: "1h2m3.5s", "1.5ms", "0s". */
  goString(): string {
    let remaining = this.nanoseconds;
    if (remaining === 0n) return '0s';
    const negative = remaining < 0n;
    if (negative) remaining = -remaining;
    let text: string;
    if (remaining < nanosecondsPerSecond) {
      if (remaining < 1000n) text = `${remaining}ns`;
      else if (remaining < 1_000_000n) text = `${fractionOf(remaining, 1000n)}µs`;
      else text = `${fractionOf(remaining, 1_000_000n)}ms`;
    } else {
      const seconds = fractionOf(remaining % 60_000_000_000n, nanosecondsPerSecond);
      const totalMinutes = remaining / 60_000_000_000n;
      const hours = totalMinutes / 60n;
      const minutes = totalMinutes % 60n;
      text = hours > 0n ? `${hours}h${minutes}m${seconds}s` : minutes > 0n ? `${minutes}m${seconds}s` : `${seconds}s`;
    }
    return negative ? `-${text}` : text;
  }
}

/** `value / unit` as a decimal without trailing zeros ("1.5", "2"). */
function fractionOf(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const width = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(width, '0').replace(/0+$/, '')}`;
}

function localZoneName(): string {
  return process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Wall-clock fields of an instant in a zone. */
interface ZonedFields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1-366
  offsetSeconds: number;
  abbreviation: string;
}

/**
 * time.Time: nanoseconds since the Unix epoch and a location. Locations are 'UTC', 'Local' or an
 * IANA name; offsets come from Intl (the system's ICU data) rather than Go's zoneinfo reader, so zone
 * abbreviations outside the Americas print as Intl spells them ("GMT+1" where Go says "CET").
 */
export class GoTime implements GoStringer {
  readonly epochNanoseconds: bigint;
  readonly location: string;
  readonly pointer: boolean;
  [goMethods]: GoMethodTable;
  constructor(epochNanoseconds: bigint, zone = 'UTC', pointer = false) {
    this.epochNanoseconds = epochNanoseconds;
    this.location = zone;
    this.pointer = pointer;
    this[goMethods] = {
      String: () => this.goString(),
      Format: (layout) => this.format(String(layout)),
      Unix: () => floorDivide(this.epochNanoseconds, nanosecondsPerSecond),
      UnixMilli: () => floorDivide(this.epochNanoseconds, 1_000_000n),
      UnixMicro: () => floorDivide(this.epochNanoseconds, 1000n),
      UnixNano: () => this.epochNanoseconds,
      UTC: () => new GoTime(this.epochNanoseconds, 'UTC'),
      Local: () => new GoTime(this.epochNanoseconds, 'Local'),
      In: (zoneName) => {
        if (!(typeof zoneName === 'string')) throw new Error('time: missing Location in call to Time.In');
        return new GoTime(this.epochNanoseconds, zoneName);
      },
      Add: (duration) => {
        if (!(duration instanceof GoDuration)) throw new Error(`wrong type for value; expected time.Duration; got ${typeNameOf(duration)}`);
        return new GoTime(this.epochNanoseconds + duration.nanoseconds, this.location);
      },
      Sub: (other) => {
        if (!(other instanceof GoTime)) throw new Error(`wrong type for value; expected time.Time; got ${typeNameOf(other)}`);
        return new GoDuration(this.epochNanoseconds - other.epochNanoseconds);
      },
      Before: (other) => other instanceof GoTime && this.epochNanoseconds < other.epochNanoseconds,
      After: (other) => other instanceof GoTime && this.epochNanoseconds > other.epochNanoseconds,
      Equal: (other) => other instanceof GoTime && this.epochNanoseconds === other.epochNanoseconds,
      IsZero: () => this.epochNanoseconds === zeroTimeEpochNanoseconds,
      Year: () => BigInt(this.fields().year),
      Month: () => new GoStruct('time.Month', {}, { methods: { String: () => monthNames[this.fields().month - 1] } }),
      Day: () => BigInt(this.fields().day),
      Hour: () => BigInt(this.fields().hour),
      Minute: () => BigInt(this.fields().minute),
      Second: () => BigInt(this.fields().second),
      Nanosecond: () => floorModulo(this.epochNanoseconds, nanosecondsPerSecond),
      YearDay: () => BigInt(this.fields().yearDay),
      Weekday: () => dayNames[this.fields().weekday],
    };
  }

  static fromMilliseconds(milliseconds: number, location = 'UTC'): GoTime {
    return new GoTime(BigInt(Math.trunc(milliseconds)) * 1_000_000n, location);
  }

  toDate(): Date {
    return new Date(Number(floorDivide(this.epochNanoseconds, 1_000_000n)));
  }

  /** Go's Time.String: "2006-01-02 15:04:05.999999999 -0700 MST". */
  goString(): string {
    return this.format('2006-01-02 15:04:05.999999999 -0700 MST');
  }

  fields(): ZonedFields {
    const seconds = Number(floorDivide(this.epochNanoseconds, nanosecondsPerSecond));
    const offsetSeconds = zoneOffsetSeconds(this.location, seconds);
    const shifted = new Date((seconds + offsetSeconds) * 1000);
    const year = shifted.getUTCFullYear();
    const startOfYear = Date.UTC(year, 0, 1) / 1000;
    return {
      year,
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      weekday: shifted.getUTCDay(),
      yearDay: Math.floor((seconds + offsetSeconds - startOfYear) / 86400) + 1,
      offsetSeconds,
      abbreviation: zoneAbbreviation(this.location, seconds, offsetSeconds),
    };
  }

  /** Formats with a Go reference-time layout ("2006-01-02T15:04:05Z07:00"). */
  format(layout: string): string {
    return formatGoTime(this, layout);
  }
}

const zeroTimeEpochNanoseconds = -62135596800n * nanosecondsPerSecond;

export function floorDivide(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  return dividend % divisor !== 0n && (dividend < 0n) !== (divisor < 0n) ? quotient - 1n : quotient;
}

function floorModulo(dividend: bigint, divisor: bigint): bigint {
  return dividend - floorDivide(dividend, divisor) * divisor;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(location: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(location);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: location === 'Local' ? undefined : location,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    offsetFormatters.set(location, formatter);
  }
  return formatter;
}

/** Checks that a location name is known (for Go's time.LoadLocation). */
export function isKnownLocation(location: string): boolean {
  if (location === 'UTC' || location === 'Local' || location === '') return true;
  try {
    formatterFor(location);
    return true;
  } catch {
    return false;
  }
}

function zoneOffsetSeconds(location: string, epochSeconds: number): number {
  if (location === 'UTC') return 0;
  const parts = formatterFor(location).formatToParts(new Date(epochSeconds * 1000));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) / 1000;
  return Math.round(asUtc - epochSeconds);
}

function zoneAbbreviation(location: string, epochSeconds: number, offsetSeconds: number): string {
  if (location === 'UTC') return 'UTC';
  const fromZoneinfo = zoneAbbreviationFromZoneinfo(location === 'Local' ? localZoneName() : location, offsetSeconds);
  if (fromZoneinfo !== undefined) return fromZoneinfo;
  const name = formatterFor(location).formatToParts(new Date(epochSeconds * 1000)).find((part) => part.type === 'timeZoneName')?.value;
  if (name === undefined || name === 'GMT' || name.startsWith('GMT+') || name.startsWith('GMT-')) {
    // Go prints a numeric abbreviation ("+01") for zones without a name.
    if (offsetSeconds === 0 && name === 'GMT') return 'GMT';
    const sign = offsetSeconds < 0 ? '-' : '+';
    const absolute = Math.abs(offsetSeconds);
    const hours = String(Math.floor(absolute / 3600)).padStart(2, '0');
    const minutes = Math.floor((absolute % 3600) / 60);
    return minutes === 0 ? `${sign}${hours}` : `${sign}${hours}${String(minutes).padStart(2, '0')}`;
  }
  return name;
}

const layoutTokens = [
  'January', 'Monday', 'Z07:00:00', '-07:00:00', 'Z070000', '-070000', 'Z07:00', '-07:00', 'Z0700', '-0700',
  '2006', '__2', '002', 'Jan', 'Mon', 'MST', 'Z07', '-07', '01', '02', '03', '04', '05', '06', '_2', '15', 'PM', 'pm',
  '1', '2', '3', '4', '5',
];

/** Go's Time.Format over the reference time Mon Jan 2 15:04:05 MST 2006. */
function formatGoTime(time: GoTime, layout: string): string {
  const fields = time.fields();
  const nanoseconds = floorModulo(time.epochNanoseconds, nanosecondsPerSecond);
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  let output = '';
  let index = 0;
  while (index < layout.length) {
    // Fractional seconds: ".000" / ",000" (fixed) or ".999" (trailing zeros dropped), after a seconds field.
    const fraction = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(index));
    if (fraction !== null) {
      const digits = fraction[1].length;
      const text = String(nanoseconds).padStart(9, '0').slice(0, Math.min(digits, 9));
      if (fraction[1][0] === '0') output += layout[index] + text;
      else {
        const trimmed = text.replace(/0+$/, '');
        if (trimmed !== '') output += layout[index] + trimmed;
      }
      index += fraction[0].length;
      continue;
    }
    const token = layoutTokens.find((candidate) => layout.startsWith(candidate, index));
    if (token === undefined) {
      output += layout[index];
      index++;
      continue;
    }
    // "Jan" inside a word like "January" is matched first above; digits in std tokens stand alone.
    const offsetText = (colon: boolean, withSeconds: boolean, zulu: boolean, hoursOnly: boolean): string => {
      if (zulu && fields.offsetSeconds === 0) return 'Z';
      const sign = fields.offsetSeconds < 0 ? '-' : '+';
      const absolute = Math.abs(fields.offsetSeconds);
      const hours = pad(Math.floor(absolute / 3600), 2);
      const minutes = pad(Math.floor((absolute % 3600) / 60), 2);
      const seconds = pad(absolute % 60, 2);
      if (hoursOnly) return `${sign}${hours}`;
      const separator = colon ? ':' : '';
      return withSeconds ? `${sign}${hours}${separator}${minutes}${separator}${seconds}` : `${sign}${hours}${separator}${minutes}`;
    };
    switch (token) {
      case 'January': output += monthNames[fields.month - 1]; break;
      case 'Jan': output += monthNames[fields.month - 1].slice(0, 3); break;
      case 'Monday': output += dayNames[fields.weekday]; break;
      case 'Mon': output += dayNames[fields.weekday].slice(0, 3); break;
      case '2006': output += pad(fields.year, 4); break;
      case '06': output += pad(fields.year % 100, 2); break;
      case '01': output += pad(fields.month, 2); break;
      case '1': output += String(fields.month); break;
      case '02': output += pad(fields.day, 2); break;
      case '2': output += String(fields.day); break;
      case '_2': output += String(fields.day).padStart(2, ' '); break;
      case '002': output += pad(fields.yearDay, 3); break;
      case '__2': output += String(fields.yearDay).padStart(3, ' '); break;
      case '15': output += pad(fields.hour, 2); break;
      case '03': output += pad(fields.hour % 12 === 0 ? 12 : fields.hour % 12, 2); break;
      case '3': output += String(fields.hour % 12 === 0 ? 12 : fields.hour % 12); break;
      case '04': output += pad(fields.minute, 2); break;
      case '4': output += String(fields.minute); break;
      case '05': output += pad(fields.second, 2); break;
      case '5': output += String(fields.second); break;
      case 'PM': output += fields.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': output += fields.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': output += fields.abbreviation; break;
      case '-0700': output += offsetText(false, false, false, false); break;
      case '-07:00': output += offsetText(true, false, false, false); break;
      case '-07': output += offsetText(false, false, false, true); break;
      case '-070000': output += offsetText(false, true, false, false); break;
      case '-07:00:00': output += offsetText(true, true, false, false); break;
      case 'Z0700': output += offsetText(false, false, true, false); break;
      case 'Z07:00': output += offsetText(true, false, true, false); break;
      case 'Z07': output += offsetText(false, false, true, true); break;
      case 'Z070000': output += offsetText(false, true, true, false); break;
      case 'Z07:00:00': output += offsetText(true, true, true, false); break;
      default: output += token;
    }
    index += token.length;
  }
  return output;
}
