/**
 * Grafana's value formats (`fieldConfig.defaults.unit`, classic `format`): a value becomes text plus
 * a suffix, scaled the way Grafana scales it (`short` → K/Mil/Bil, `bytes` → KiB/MiB, `s` → min/hour).
 */

export interface FormattedValue {
  text: string;
  prefix?: string;
  suffix?: string;
}

export function formattedToString(value: FormattedValue): string {
  return `${value.prefix ?? ''}${value.text}${value.suffix ?? ''}`;
}

/** Decimals Grafana shows when none are configured: about two significant digits, none for integers. */
export function autoDecimals(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return 0;
  if (Number.isInteger(value)) return 0;
  const log10 = Math.floor(Math.log10(Math.abs(value)));
  let decimals = -log10 + 1;
  const magnitude = 10 ** -decimals;
  const normalized = Math.abs(value) / magnitude;
  if (normalized > 2.25) decimals++;
  return Math.min(Math.max(0, decimals), 10);
}

export function toFixed(value: number, decimals?: number | null): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  return value.toFixed(decimals ?? autoDecimals(value));
}

function scaled(value: number, decimals: number | null | undefined, factor: number, suffixes: string[], offset = 0): FormattedValue {
  if (!Number.isFinite(value)) return { text: toFixed(value) };
  let index = offset;
  let scaledValue = value;
  while (Math.abs(scaledValue) >= factor && index < suffixes.length - 1) {
    scaledValue /= factor;
    index++;
  }
  // Small values step down to smaller units the list has (0.5 KiB for `kbytes` is 512 B).
  while (scaledValue !== 0 && Math.abs(scaledValue) < 1 && index > 0) {
    scaledValue *= factor;
    index--;
  }
  return { text: toFixed(scaledValue, decimals), suffix: suffixes[index] };
}

const siPrefixes = ['n', 'µ', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** Scales by 1000 across SI prefixes around `unit` (for volts, hertz, decbytes…). */
function si(value: number, decimals: number | null | undefined, unit: string, startPrefix = ''): FormattedValue {
  if (!Number.isFinite(value) || value === 0) return { text: toFixed(value, decimals), suffix: ` ${unit}` };
  let index = siPrefixes.indexOf(startPrefix);
  let scaledValue = value;
  while (Math.abs(scaledValue) >= 1000 && index < siPrefixes.length - 1) {
    scaledValue /= 1000;
    index++;
  }
  while (Math.abs(scaledValue) < 1 && index > 0) {
    scaledValue *= 1000;
    index--;
  }
  return { text: toFixed(scaledValue, decimals), suffix: ` ${siPrefixes[index]}${unit}` };
}

const shortSuffixes = ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'];
const iecBytes = [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB', ' EiB', ' ZiB', ' YiB'];
const siBytes = [' B', ' kB', ' MB', ' GB', ' TB', ' PB', ' EB', ' ZB', ' YB'];
const iecBits = [' b', ' Kib', ' Mib', ' Gib', ' Tib', ' Pib', ' Eib', ' Zib', ' Yib'];
const siBits = [' b', ' kb', ' Mb', ' Gb', ' Tb', ' Pb', ' Eb', ' Zb', ' Yb'];

function short(value: number, decimals?: number | null): FormattedValue {
  if (Math.abs(value) < 1000) return { text: toFixed(value, decimals) };
  return scaled(value, decimals, 1000, shortSuffixes);
}

/** Durations from a value in `unit`, stepping to larger units the way Grafana's toSeconds etc. do. */
function duration(value: number, decimals: number | null | undefined, unit: 'ns' | 'µs' | 'ms' | 's' | 'm' | 'h' | 'd'): FormattedValue {
  if (!Number.isFinite(value)) return { text: toFixed(value) };
  const nanoseconds: Record<string, number> = { ns: 1, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };
  const total = value * nanoseconds[unit];
  const absolute = Math.abs(total);
  const steps: [number, number, string][] = [
    [1e3, 1, ' ns'],
    [1e6, 1e3, ' µs'],
    [1e9, 1e6, ' ms'],
    [60e9, 1e9, ' s'],
    [3600e9, 60e9, ' min'],
    [86400e9, 3600e9, ' hour'],
    [604800e9, 86400e9, ' day'],
    [31536000e9, 604800e9, ' week'],
  ];
  // Never show smaller units than the field's own (seconds never become ms unless below 1 s).
  for (const [limit, divisor, suffix] of steps) {
    if (absolute < limit && (divisor >= nanoseconds[unit] || absolute < nanoseconds[unit])) {
      if (value === 0) return { text: toFixed(0, decimals), suffix: ` ${unit === 'm' ? 'min' : unit === 'h' ? 'hour' : unit === 'd' ? 'day' : unit}` };
      return { text: toFixed(total / divisor, decimals), suffix };
    }
  }
  return { text: toFixed(total / 31536000e9, decimals), suffix: ' year' };
}

type Formatter = (value: number, decimals?: number | null) => FormattedValue;

const suffix =
  (text: string): Formatter =>
  (value, decimals) => ({ text: toFixed(value, decimals), suffix: text });
const shortWithSuffix =
  (text: string): Formatter =>
  (value, decimals) => {
    const formatted = short(value, decimals);
    return { text: formatted.text, suffix: `${formatted.suffix ?? ''}${text}` };
  };

const formatters: Record<string, Formatter> = {
  none: (value, decimals) => ({ text: toFixed(value, decimals) }),
  short,
  number: (value, decimals) => ({ text: toFixed(value, decimals) }),
  percent: suffix('%'),
  percentunit: (value, decimals) => ({ text: toFixed(value * 100, decimals), suffix: '%' }),
  humidity: suffix('%H'),
  dB: suffix(' dB'),
  // Time
  ns: (value, decimals) => duration(value, decimals, 'ns'),
  µs: (value, decimals) => duration(value, decimals, 'µs'),
  us: (value, decimals) => duration(value, decimals, 'µs'),
  ms: (value, decimals) => duration(value, decimals, 'ms'),
  s: (value, decimals) => duration(value, decimals, 's'),
  m: (value, decimals) => duration(value, decimals, 'm'),
  h: (value, decimals) => duration(value, decimals, 'h'),
  d: (value, decimals) => duration(value, decimals, 'd'),
  dtdurations: (value, decimals) => duration(value, decimals, 's'),
  dtdurationms: (value, decimals) => duration(value, decimals, 'ms'),
  // Data
  bytes: (value, decimals) => scaled(value, decimals, 1024, iecBytes),
  decbytes: (value, decimals) => scaled(value, decimals, 1000, siBytes),
  bits: (value, decimals) => scaled(value, decimals, 1024, iecBits),
  decbits: (value, decimals) => scaled(value, decimals, 1000, siBits),
  kbytes: (value, decimals) => scaled(value, decimals, 1024, iecBytes, 1),
  mbytes: (value, decimals) => scaled(value, decimals, 1024, iecBytes, 2),
  gbytes: (value, decimals) => scaled(value, decimals, 1024, iecBytes, 3),
  deckbytes: (value, decimals) => scaled(value, decimals, 1000, siBytes, 1),
  decmbytes: (value, decimals) => scaled(value, decimals, 1000, siBytes, 2),
  decgbytes: (value, decimals) => scaled(value, decimals, 1000, siBytes, 3),
  // Data rate
  Bps: (value, decimals) => scaled(value, decimals, 1000, siBytes.map((unit) => `${unit}/s`)),
  binBps: (value, decimals) => scaled(value, decimals, 1024, iecBytes.map((unit) => `${unit}/s`)),
  bps: (value, decimals) => scaled(value, decimals, 1000, [' bps', ' kbps', ' Mbps', ' Gbps', ' Tbps', ' Pbps']),
  binbps: (value, decimals) => scaled(value, decimals, 1024, iecBits.map((unit) => `${unit}/s`)),
  KBs: (value, decimals) => scaled(value, decimals, 1000, siBytes.map((unit) => `${unit}/s`), 1),
  MBs: (value, decimals) => scaled(value, decimals, 1000, siBytes.map((unit) => `${unit}/s`), 2),
  // Throughput
  reqps: shortWithSuffix(' req/s'),
  rps: shortWithSuffix(' rd/s'),
  wps: shortWithSuffix(' wr/s'),
  iops: shortWithSuffix(' io/s'),
  ops: shortWithSuffix(' ops/s'),
  opm: shortWithSuffix(' ops/min'),
  reqpm: shortWithSuffix(' req/min'),
  cps: shortWithSuffix(' c/s'),
  cpm: shortWithSuffix(' c/m'),
  mps: shortWithSuffix(' msg/s'),
  eps: shortWithSuffix(' evt/s'),
  // Physics and misc
  hertz: (value, decimals) => si(value, decimals, 'Hz'),
  volt: (value, decimals) => si(value, decimals, 'V'),
  amp: (value, decimals) => si(value, decimals, 'A'),
  watt: (value, decimals) => si(value, decimals, 'W'),
  celsius: suffix('°C'),
  fahrenheit: suffix('°F'),
  bool: (value) => ({ text: value === 0 ? 'false' : 'true' }),
  bool_yes_no: (value) => ({ text: value === 0 ? 'No' : 'Yes' }),
  bool_on_off: (value) => ({ text: value === 0 ? 'Off' : 'On' }),
  currencyUSD: (value, decimals) => ({ prefix: '$', ...short(value, decimals ?? 2) }),
  currencyEUR: (value, decimals) => ({ prefix: '€', ...short(value, decimals ?? 2) }),
  locale: (value, decimals) => ({ text: value.toLocaleString(undefined, { maximumFractionDigits: decimals ?? 6 }) }),
  dateTimeAsIso: (value) => ({ text: new Date(value).toISOString() }),
  dateTimeFromNow: (value) => ({ text: relativeTime(value) }),
};

function relativeTime(ms: number): string {
  const seconds = Math.round((Date.now() - ms) / 1000);
  const absolute = Math.abs(seconds);
  const [count, unit] = absolute < 60 ? [absolute, 'second'] : absolute < 3600 ? [Math.round(absolute / 60), 'minute'] : absolute < 86400 ? [Math.round(absolute / 3600), 'hour'] : [Math.round(absolute / 86400), 'day'];
  const text = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** Units the formatter knows (for documentation and tests). */
export const knownUnits = Object.keys(formatters);

/**
 * Formats `value` in Grafana `unit`. Unknown units print the value with the unit as a suffix, as
 * Grafana's custom units do (`suffix:<text>` and `prefix:<text>` are honoured too).
 */
export function formatValue(value: number | null | undefined, unit?: string | null, decimals?: number | null): FormattedValue {
  if (value === null || value === undefined) return { text: 'No data' };
  const name = unit && unit !== '' ? unit : 'short';
  const formatter = formatters[name];
  if (formatter) return formatter(value, decimals);
  if (name.startsWith('suffix:')) return { text: toFixed(value, decimals), suffix: name.slice(7) };
  if (name.startsWith('prefix:')) return { prefix: name.slice(7), text: toFixed(value, decimals) };
  if (name.startsWith('currency')) return { prefix: name.slice(8), ...short(value, decimals ?? 2) };
  return { text: toFixed(value, decimals), suffix: ` ${name}` };
}

export function formatValueText(value: number | null | undefined, unit?: string | null, decimals?: number | null): string {
  return formattedToString(formatValue(value, unit, decimals));
}
