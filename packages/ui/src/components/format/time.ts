/**
 * Grafana's time vocabulary: relative ranges (`now-6h`, `now-1d/d`, `now/w`), epoch milliseconds and
 * dates in the URL; intervals (`5m`, `1h`) and the interval Grafana picks for a panel's width.
 */

export interface RawTimeRange {
  /** As in the URL: `now-6h`, `now-1d/d`, an epoch in ms, or an ISO date. */
  from: string;
  to: string;
}

export interface TimeRange {
  raw: RawTimeRange;
  fromMs: number;
  toMs: number;
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

/**
 * Parses a Grafana date-math expression at `nowMs`. `roundUp` is true for the end of a range, so
 * `now/d` means the end of today there and the start of today as a `from`, as Grafana does.
 * Returns null for text that is none of the accepted forms.
 */
/** Grafana's dashboard `timezone`: the browser's zone (default) or UTC. */
export type TimeZone = 'browser' | 'utc';

export function parseTime(text: string, nowMs: number, roundUp: boolean, timeZone: TimeZone = 'browser'): number | null {
  const utc = timeZone === 'utc';
  const value = text.trim();
  if (value === '') return null;
  if (/^\d+$/.test(value)) {
    const number = Number(value);
    // Grafana writes ms; 10-digit numbers are seconds from hand-written links.
    return value.length <= 11 ? number * 1000 : number;
  }
  if (!value.startsWith('now')) {
    // `2026-01-02 10:00:00` (local time, as the picker writes it) or ISO 8601 with zone.
    const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
    if (local) {
      const [, year, month, day, hour = '0', minute = '0', second = '0'] = local;
      const parts = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
      return utc ? Date.UTC(...parts) : new Date(...parts).getTime();
    }
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  let date = new Date(nowMs);
  let rest = value.slice(3);
  while (rest.length > 0) {
    const operation = /^([+-])(\d*)(ms|[smhdwMy])|^\/(ms|[smhdwMy])/.exec(rest);
    if (!operation) return null;
    rest = rest.slice(operation[0].length);
    if (operation[4] !== undefined) {
      date = roundDate(date, operation[4], roundUp, utc);
      continue;
    }
    const amount = (operation[2] === '' ? 1 : Number(operation[2])) * (operation[1] === '-' ? -1 : 1);
    date = addToDate(date, amount, operation[3], utc);
  }
  return date.getTime();
}

/** Date fields read and written in the browser's zone or in UTC, so calendar math works in either. */
function calendar(date: Date, utc: boolean) {
  return {
    year: () => (utc ? date.getUTCFullYear() : date.getFullYear()),
    month: () => (utc ? date.getUTCMonth() : date.getMonth()),
    day: () => (utc ? date.getUTCDate() : date.getDate()),
    weekday: () => (utc ? date.getUTCDay() : date.getDay()),
    setYear: (year: number, month?: number, day?: number) => {
      if (utc) date.setUTCFullYear(year, month ?? date.getUTCMonth(), day ?? date.getUTCDate());
      else date.setFullYear(year, month ?? date.getMonth(), day ?? date.getDate());
    },
    setMonth: (month: number, day?: number) => {
      if (utc) date.setUTCMonth(month, day ?? date.getUTCDate());
      else date.setMonth(month, day ?? date.getDate());
    },
    setDay: (day: number) => {
      if (utc) date.setUTCDate(day);
      else date.setDate(day);
    },
    /** Hours, minutes, seconds, ms; undefined keeps the field. */
    setTime: (hours?: number, minutes?: number, seconds?: number) => {
      if (utc) {
        if (hours !== undefined) date.setUTCHours(hours);
        if (minutes !== undefined) date.setUTCMinutes(minutes);
        if (seconds !== undefined) date.setUTCSeconds(seconds);
      } else {
        if (hours !== undefined) date.setHours(hours);
        if (minutes !== undefined) date.setMinutes(minutes);
        if (seconds !== undefined) date.setSeconds(seconds);
      }
      date.setUTCMilliseconds(0);
    },
  };
}

function addToDate(date: Date, amount: number, unit: string, utc: boolean): Date {
  const next = new Date(date.getTime());
  const fields = calendar(next, utc);
  // Calendar units move the calendar (a day is 23 or 25 hours across a DST change), in the zone shown.
  if (unit === 'M') fields.setMonth(fields.month() + amount);
  else if (unit === 'y') fields.setYear(fields.year() + amount);
  else if (unit === 'd') fields.setDay(fields.day() + amount);
  else if (unit === 'w') fields.setDay(fields.day() + amount * 7);
  else next.setTime(next.getTime() + amount * unitMs[unit]);
  return next;
}

/** Start (or, rounding up, the last millisecond) of the calendar unit holding `date`. */
function roundDate(date: Date, unit: string, roundUp: boolean, utc: boolean): Date {
  const start = new Date(date.getTime());
  const fields = calendar(start, utc);
  switch (unit) {
    case 'y':
      fields.setMonth(0, 1);
      fields.setTime(0, 0, 0);
      break;
    case 'M':
      fields.setDay(1);
      fields.setTime(0, 0, 0);
      break;
    case 'w':
      // Grafana's default week starts on Monday (ISO), like moment's isoWeek.
      fields.setDay(fields.day() - ((fields.weekday() + 6) % 7));
      fields.setTime(0, 0, 0);
      break;
    case 'd':
      fields.setTime(0, 0, 0);
      break;
    case 'h':
      fields.setTime(undefined, 0, 0);
      break;
    case 'm':
      fields.setTime(undefined, undefined, 0);
      break;
    case 's':
      fields.setTime();
      break;
    default:
      break;
  }
  if (!roundUp) return start;
  return new Date(addToDate(start, 1, unit, utc).getTime() - 1);
}

/** Resolves a raw range at `nowMs`; null when either end does not parse or the range is empty. */
export function resolveRange(raw: RawTimeRange, nowMs: number, timeZone: TimeZone = 'browser'): TimeRange | null {
  const fromMs = parseTime(raw.from, nowMs, false, timeZone);
  const toMs = parseTime(raw.to, nowMs, true, timeZone);
  if (fromMs === null || toMs === null || fromMs >= toMs) return null;
  return { raw, fromMs, toMs };
}

export function isRelative(raw: RawTimeRange): boolean {
  return raw.from.startsWith('now') || raw.to.startsWith('now');
}

/** Parses `30s`, `5m`, `1h30m`, `2d`, `1w`, `500ms` into milliseconds; null when not an interval. */
export function parseInterval(text: string): number | null {
  const value = text.trim();
  if (value === '') return null;
  let total = 0;
  let rest = value;
  while (rest.length > 0) {
    const part = /^(\d+(?:\.\d+)?)(ms|[smhdwy])/.exec(rest);
    if (!part) return null;
    total += Number(part[1]) * unitMs[part[2]];
    rest = rest.slice(part[0].length);
  }
  return total;
}

/** Prints milliseconds as a Prometheus duration: `15s`, `1m`, `1h30m`, `250ms`. */
export function formatInterval(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000 || ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  let rest = ms / 1000;
  let text = '';
  for (const [unit, seconds] of [
    ['y', 31_536_000],
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      const count = Math.floor(rest / seconds);
      text += `${count}${unit}`;
      rest -= count * seconds;
    }
  }
  return text;
}

/** Grafana's interval rounding (kbn.roundInterval): a raw interval snaps to a readable one. */
export function roundInterval(ms: number): number {
  const table: [number, number][] = [
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1_500, 1_000],
    [3_500, 2_000],
    [7_500, 5_000],
    [12_500, 10_000],
    [17_500, 15_000],
    [25_000, 20_000],
    [45_000, 30_000],
    [90_000, 60_000],
    [210_000, 120_000],
    [450_000, 300_000],
    [750_000, 600_000],
    [1_050_000, 900_000],
    [1_500_000, 1_200_000],
    [2_700_000, 1_800_000],
    [5_400_000, 3_600_000],
    [9_000_000, 7_200_000],
    [16_200_000, 10_800_000],
    [32_400_000, 21_600_000],
    [86_400_000, 43_200_000],
    [604_800_000, 86_400_000],
    [1_814_400_000, 604_800_000],
    [3_628_800_000, 2_592_000_000],
  ];
  if (ms < 10) return 1;
  for (const [limit, interval] of table) if (ms < limit) return interval;
  return 31_536_000_000;
}

export interface IntervalOptions {
  rangeMs: number;
  /** Points the panel can show (its width in pixels, or `maxDataPoints`). */
  maxDataPoints: number;
  /** The panel's or target's minimum interval (`interval`: `30s`), or the scrape interval. */
  minIntervalMs: number;
}

/**
 * The interval Grafana gives a query: range / maxDataPoints, rounded, never below the minimum
 * interval, and never so small that Prometheus would refuse the query (11,000 points).
 */
export function calculateInterval(options: IntervalOptions): number {
  const raw = options.rangeMs / Math.max(1, options.maxDataPoints);
  let interval = Math.max(roundInterval(raw), options.minIntervalMs);
  const safe = Math.ceil(options.rangeMs / 11_000 / 1000) * 1000;
  if (interval < safe) interval = safe;
  return interval;
}

/** Grafana's `$__rate_interval`: max($__interval + scrape interval, 4 × scrape interval). */
export function rateInterval(intervalMs: number, scrapeIntervalMs: number): number {
  return Math.max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}

const relativeNames: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  M: 'month',
  y: 'year',
};

/** A readable name for a range: `Last 6 hours`, `Today so far`, or the two dates. */
export function describeRange(raw: RawTimeRange, resolved: TimeRange | null, timeZone: TimeZone = 'browser'): string {
  const quick = quickRanges.find((range) => range.from === raw.from && range.to === raw.to);
  if (quick) return quick.label;
  const last = /^now-(\d+)([smhdwMy])$/.exec(raw.from);
  if (last && raw.to === 'now') {
    const count = Number(last[1]);
    return `Last ${count} ${relativeNames[last[2]]}${count === 1 ? '' : 's'}`;
  }
  if (raw.from.startsWith('now') || raw.to.startsWith('now') || !resolved) return `${raw.from} to ${raw.to}`;
  return `${formatDateTime(resolved.fromMs, timeZone)} to ${formatDateTime(resolved.toMs, timeZone)}${timeZone === 'utc' ? ' UTC' : ''}`;
}

/** `2026-01-02 10:00:00` in the dashboard's zone, the form the time picker accepts back. */
export function formatDateTime(ms: number, timeZone: TimeZone = 'browser'): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  if (timeZone === 'utc') return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A timestamp for tables and tooltips, in the dashboard's zone. */
export function formatTimestamp(ms: number, timeZone: TimeZone = 'browser'): string {
  return timeZone === 'utc' ? `${formatDateTime(ms, 'utc')} UTC` : new Date(ms).toLocaleString();
}

export const quickRanges: { from: string; to: string; label: string }[] = [
  { from: 'now-5m', to: 'now', label: 'Last 5 minutes' },
  { from: 'now-15m', to: 'now', label: 'Last 15 minutes' },
  { from: 'now-30m', to: 'now', label: 'Last 30 minutes' },
  { from: 'now-1h', to: 'now', label: 'Last 1 hour' },
  { from: 'now-3h', to: 'now', label: 'Last 3 hours' },
  { from: 'now-6h', to: 'now', label: 'Last 6 hours' },
  { from: 'now-12h', to: 'now', label: 'Last 12 hours' },
  { from: 'now-24h', to: 'now', label: 'Last 24 hours' },
  { from: 'now-2d', to: 'now', label: 'Last 2 days' },
  { from: 'now-7d', to: 'now', label: 'Last 7 days' },
  { from: 'now-30d', to: 'now', label: 'Last 30 days' },
  { from: 'now/d', to: 'now/d', label: 'Today' },
  { from: 'now/d', to: 'now', label: 'Today so far' },
  { from: 'now-1d/d', to: 'now-1d/d', label: 'Yesterday' },
  { from: 'now/w', to: 'now/w', label: 'This week' },
  { from: 'now/w', to: 'now', label: 'This week so far' },
];

export const refreshIntervals = ['5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h'];
