/**
 * Whether a moment lies in a time interval, evaluated in the interval's `location` (UTC by default)
 * with the platform's time zone data (Intl), as Alertmanager's TimeInterval.ContainsTime does.
 */
import type { InclusiveRange, TimeInterval } from './types.ts';

interface CalendarFields {
  year: number;
  /** 1…12 */
  month: number;
  day: number;
  /** 0 (Sunday)…6 */
  weekday: number;
  minuteOfDay: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === 'Local' ? undefined : zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function calendarFields(time: number, zone: string): CalendarFields {
  if (zone === 'UTC') {
    const date = new Date(time);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      weekday: date.getUTCDay(),
      minuteOfDay: date.getUTCHours() * 60 + date.getUTCMinutes(),
    };
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(time)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_INDEX[parts.weekday] ?? 0,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRanges(value: number, ranges: readonly InclusiveRange[]): boolean {
  for (const range of ranges) if (value >= range.begin && value <= range.end) return true;
  return false;
}

function clamp(value: number, min: number, max: number): number {
  return value <= min ? min : value >= max ? max : value;
}

/** Whether `time` (ms since the epoch) lies in the interval. An absent list matches everything. */
export function containsTime(interval: TimeInterval, time: number): boolean {
  const fields = calendarFields(time, interval.location ?? 'UTC');
  if (interval.times !== undefined) {
    let inside = false;
    for (const range of interval.times) {
      if (fields.minuteOfDay >= range.startMinute && fields.minuteOfDay < range.endMinute) {
        inside = true;
        break;
      }
    }
    if (!inside) return false;
  }
  if (interval.daysOfMonth !== undefined) {
    const days = daysInMonth(fields.year, fields.month);
    let inside = false;
    for (const range of interval.daysOfMonth) {
      const begin = range.begin < 0 ? days + range.begin + 1 : range.begin;
      const end = range.end < 0 ? days + range.end + 1 : range.end;
      // A range starting after this month's last day (30 in February) does not apply this month.
      if (begin > days) continue;
      if (fields.day >= clamp(begin, -days, days) && fields.day <= clamp(end, -days, days)) {
        inside = true;
        break;
      }
    }
    if (!inside) return false;
  }
  if (interval.months !== undefined && !inRanges(fields.month, interval.months)) return false;
  if (interval.weekdays !== undefined && !inRanges(fields.weekday, interval.weekdays)) return false;
  if (interval.years !== undefined && !inRanges(fields.year, interval.years)) return false;
  return true;
}

/** Whether any of the intervals contains `time`. */
export function anyContains(intervals: readonly TimeInterval[], time: number): boolean {
  for (const interval of intervals) if (containsTime(interval, time)) return true;
  return false;
}

/**
 * The named intervals of a config (Alertmanager's Intervener): which of a route's
 * `mute_time_intervals` / `active_time_intervals` are active at a moment.
 */
export class TimeIntervalSet {
  private readonly intervals: ReadonlyMap<string, readonly TimeInterval[]>;

  constructor(intervals: ReadonlyMap<string, readonly TimeInterval[]>) {
    this.intervals = intervals;
  }

  has(name: string): boolean {
    return this.intervals.has(name);
  }

  /** The names among `names` whose intervals contain `time`. Throws for a name the config lacks. */
  activeNames(names: readonly string[], time: number): string[] {
    const active: string[] = [];
    for (const name of names) {
      const intervals = this.intervals.get(name);
      if (intervals === undefined) throw new Error(`time interval ${name} doesn't exist in config`);
      if (anyContains(intervals, time)) active.push(name);
    }
    return active;
  }

  /** Whether any of the named intervals contains `time`. */
  isActive(names: string | readonly string[], time: number): boolean {
    return this.activeNames(typeof names === 'string' ? [names] : names, time).length > 0;
  }
}

/** Whether a name (looked up in `set`) or a list of intervals is active at `time`. */
export function isActive(what: string | readonly TimeInterval[], time: number, set?: TimeIntervalSet): boolean {
  if (typeof what !== 'string') return anyContains(what, time);
  if (set === undefined) throw new Error(`time interval ${what} doesn't exist in config`);
  return set.isActive(what, time);
}
