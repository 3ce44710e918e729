/**
 * Parsing of `time_intervals` entries as Alertmanager's timeinterval package reads them: `times`
 * (`HH:MM` start inclusive, end exclusive, 24:00 allowed), `weekdays` (names, ranges `monday:friday`),
 * `days_of_month` (1…31 or negative from the month's end), `months` (names or numbers), `years`, and
 * `location` (an IANA zone, `UTC` or `Local`). Errors carry Alertmanager's messages.
 */
import type { InclusiveRange, MinuteRange, TimeInterval } from './types.ts';

const WEEKDAYS: Record<string, number> = { sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6 };
const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH_NAMES = Object.keys(MONTHS);

/** The raw shape of one entry of a time interval's `time_intervals` list. */
export interface RawTimeInterval {
  times?: { start_time?: string; end_time?: string }[];
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

/** Which field of a raw interval (and which list index) an error is about. */
export class TimeIntervalError extends Error {
  readonly field: keyof RawTimeInterval;
  readonly index: number | undefined;

  constructor(field: keyof RawTimeInterval, index: number | undefined, message: string) {
    super(message);
    this.field = field;
    this.index = index;
  }
}

/** Go's strconv.Atoi for the inputs a range holds: optional sign, decimal digits. */
function atoi(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function rangeFromString(text: string, member: (part: string) => number): InclusiveRange {
  const lower = text.toLowerCase();
  if (lower.includes(':')) {
    const parts = lower.split(':');
    if (parts.length !== 2) throw new Error(`couldn't parse range ${lower}, invalid format`);
    return { begin: member(parts[0]), end: member(parts[1]) };
  }
  const value = member(lower);
  return { begin: value, end: value };
}

export function parseWeekdayRange(text: string): InclusiveRange {
  const range = rangeFromString(text, (part) => {
    const day = WEEKDAYS[part];
    if (day === undefined) throw new Error(`${part} is not a valid weekday`);
    return day;
  });
  if (range.begin > range.end) throw new Error('start day cannot be before end day');
  return range;
}

export function parseDayOfMonthRange(text: string): InclusiveRange {
  const range = rangeFromString(text, atoi);
  if (range.begin === 0 || range.begin < -31 || range.begin > 31) throw new Error(`${range.begin} is not a valid day of the month: out of range`);
  if (range.end === 0 || range.end < -31 || range.end > 31) throw new Error(`${range.end} is not a valid day of the month: out of range`);
  if (range.begin < 0 && range.end > 0) throw new Error('end day must be negative if start day is negative');
  // Compare as if the month had 28 days, as Alertmanager does, to refuse ranges that are always empty.
  const checkBegin = range.begin < 0 ? 28 + range.begin : range.begin;
  const checkEnd = range.end < 0 ? 28 + range.end : range.end;
  if (checkBegin > checkEnd) throw new Error(`end day ${range.end} is always before start day ${range.begin}`);
  return range;
}

export function parseMonthRange(text: string): InclusiveRange {
  const range = rangeFromString(text, (part) => {
    const month = MONTHS[part];
    if (month !== undefined) return month;
    try {
      return atoi(part);
    } catch {
      throw new Error(`${part} is not a valid month`);
    }
  });
  if (range.begin > range.end) {
    throw new Error(`end month ${MONTH_NAMES[range.end - 1] ?? ''} is before start month ${MONTH_NAMES[range.begin - 1] ?? ''}`);
  }
  return range;
}

export function parseYearRange(text: string): InclusiveRange {
  const range = rangeFromString(text, atoi);
  if (range.begin > range.end) throw new Error(`end year ${range.end} is before start year ${range.begin}`);
  return range;
}

const VALID_TIME = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function parseClock(text: string): number {
  if (!VALID_TIME.test(text)) throw new Error(`couldn't parse timestamp ${text}, invalid format`);
  const [hours, minutes] = text.split(':').map(Number);
  return hours * 60 + minutes;
}

export function parseTimeRange(raw: { start_time?: string; end_time?: string }): MinuteRange {
  if (!raw.start_time || !raw.end_time) throw new Error('both start and end times must be provided');
  const startMinute = parseClock(raw.start_time);
  const endMinute = parseClock(raw.end_time);
  if (startMinute >= endMinute) throw new Error('start time cannot be equal or greater than end time');
  return { startMinute, endMinute };
}

/** Checks a `location` the way Go's time.LoadLocation accepts it; returns the zone to use. */
export function parseLocation(name: string): string {
  if (name === '' || name === 'UTC') return 'UTC';
  if (name === 'Local') return 'Local';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return name;
}

function each<T>(field: 'weekdays' | 'days_of_month' | 'months' | 'years', items: string[] | undefined, parse: (text: string) => T): T[] | undefined {
  return items?.map((text, index) => {
    try {
      return parse(text);
    } catch (error) {
      throw new TimeIntervalError(field, index, (error as Error).message);
    }
  });
}

/** Parses one raw interval. Throws a TimeIntervalError naming the field at fault. */
export function parseTimeInterval(raw: RawTimeInterval): TimeInterval {
  const times = raw.times?.map((range, index) => {
    try {
      return parseTimeRange(range);
    } catch (error) {
      throw new TimeIntervalError('times', index, (error as Error).message);
    }
  });
  const interval: TimeInterval = {};
  const weekdays = each('weekdays', raw.weekdays, parseWeekdayRange);
  const daysOfMonth = each('days_of_month', raw.days_of_month, parseDayOfMonthRange);
  const months = each('months', raw.months, parseMonthRange);
  const years = each('years', raw.years, parseYearRange);
  if (times !== undefined) interval.times = times;
  if (weekdays !== undefined) interval.weekdays = weekdays;
  if (daysOfMonth !== undefined) interval.daysOfMonth = daysOfMonth;
  if (months !== undefined) interval.months = months;
  if (years !== undefined) interval.years = years;
  if (raw.location !== undefined) {
    try {
      interval.location = parseLocation(raw.location);
    } catch (error) {
      throw new TimeIntervalError('location', undefined, (error as Error).message);
    }
  }
  return interval;
}
