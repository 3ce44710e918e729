/**
 * Date functions of an instant vector whose values are seconds since the epoch, in UTC, as
 * Prometheus computes them with Go's `time.Unix(int64(v), 0).UTC()`: the value is truncated
 * towards zero; NaN, ±Inf and values beyond the int64 range become Go's int64 conversion result on
 * amd64 (-2^63), and Go's calendar arithmetic on such extreme times wraps modulo 2^64 seconds.
 */

const INT64_MIN = -9223372036854775808;
/** Dates whose seconds stay within JavaScript's Date range are computed with Date; others with BigInt. */
const DATE_RANGE_SECONDS = 8.64e12;

// Go's absolute time: uint64 seconds since March 1 of year -292277022400 (a 400-year cycle start).
const ABSOLUTE_YEARS = 292277022400n;
const SECONDS_PER_DAY = 86400n;
const UNIX_TO_INTERNAL = (1969n * 365n + 1969n / 4n - 1969n / 100n + 1969n / 400n) * SECONDS_PER_DAY;
const INTERNAL_TO_ABSOLUTE = ((ABSOLUTE_YEARS / 400n) * 146097n + 306n) * SECONDS_PER_DAY;
const UNIX_TO_ABSOLUTE = UNIX_TO_INTERNAL + INTERNAL_TO_ABSOLUTE;
const TWO_TO_64 = 1n << 64n;

/** The calendar fields of one instant; module-level to avoid an object per value. */
const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0, yearDay: 0 };

function isLeapYear(fullYear: number): boolean {
  return fullYear % 4 === 0 && (fullYear % 100 !== 0 || fullYear % 400 === 0);
}

const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Go's int64(value) conversion on amd64. */
function toInt64Seconds(value: number): number {
  if (value !== value || value >= 9223372036854775808 || value < INT64_MIN) return INT64_MIN;
  return Math.trunc(value);
}

function computeFields(value: number): void {
  const seconds = toInt64Seconds(value);
  if (Math.abs(seconds) <= DATE_RANGE_SECONDS) {
    const date = new Date(seconds * 1000);
    fields.year = date.getUTCFullYear();
    fields.month = date.getUTCMonth() + 1;
    fields.day = date.getUTCDate();
    fields.hour = date.getUTCHours();
    fields.minute = date.getUTCMinutes();
    fields.weekday = date.getUTCDay();
  } else {
    computeFieldsWrapped(BigInt(seconds));
  }
  fields.yearDay = DAYS_BEFORE_MONTH[fields.month] + fields.day + (fields.month > 2 && isLeapYear(fields.year) ? 1 : 0);
}

/** Go's calendar on its unsigned absolute seconds, which wrap around for extreme inputs. */
function computeFieldsWrapped(seconds: bigint): void {
  let absolute = (seconds + UNIX_TO_ABSOLUTE) % TWO_TO_64;
  if (absolute < 0n) absolute += TWO_TO_64;
  const days = absolute / SECONDS_PER_DAY;
  const secondOfDay = Number(absolute % SECONDS_PER_DAY);
  // Day 0 is March 1 of the absolute year; years run March to February here.
  const era = days / 146097n;
  const dayOfEra = Number(days % 146097n);
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayInYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayInYear + 2) / 153);
  const day = dayInYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const monthNumber = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const fullYear = Number(era * 400n - ABSOLUTE_YEARS) + yearOfEra + (monthNumber <= 2 ? 1 : 0);
  fields.year = fullYear;
  fields.month = monthNumber;
  fields.day = day;
  fields.hour = Math.floor(secondOfDay / 3600);
  fields.minute = Math.floor((secondOfDay % 3600) / 60);
  // March 1 of the absolute year was a Wednesday.
  fields.weekday = Number((days + 3n) % 7n);
}

export function year(value: number): number {
  computeFields(value);
  return fields.year;
}

export function month(value: number): number {
  computeFields(value);
  return fields.month;
}

export function dayOfMonth(value: number): number {
  computeFields(value);
  return fields.day;
}

export function dayOfWeek(value: number): number {
  computeFields(value);
  return fields.weekday;
}

export function dayOfYear(value: number): number {
  computeFields(value);
  return fields.yearDay;
}

export function daysInMonth(value: number): number {
  computeFields(value);
  return fields.month === 2 && isLeapYear(fields.year) ? 29 : DAYS_IN_MONTH[fields.month];
}

export function hour(value: number): number {
  computeFields(value);
  return fields.hour;
}

export function minute(value: number): number {
  computeFields(value);
  return fields.minute;
}
