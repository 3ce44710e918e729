/**
 * Prometheus's template functions and its alert-template expansion (rules/alerting.go,
 * template/template.go): `{{$labels}}`, `{{$value}}`, … are declared by a prefix, like Prometheus
 * does, so error columns match Prometheus's too.
 *
 * `query` is async (Vigil's query engine is); the executor awaits every function call, so a
 * template may call `query` anywhere a Go template could.
 */
import { isGoFloatSyntax, parseGoFloat } from '../model/index.ts';
import { queryEscape } from './builtins.ts';
import { sprintf } from './format.ts';
import { templateFunction } from './function.ts';
import type { FunctionMap } from './function.ts';
import { regexMatch, regexReplaceAll } from './regex.ts';
import { Template } from './template.ts';
import type { MissingKey } from './exec.ts';
import { GoDuration, GoStruct, GoTime, GoUint, stringMap, typeNameOf, withMethods } from './value.ts';

/** One sample of a query result, as Prometheus hands it to templates. */
export interface QuerySample {
  labels: Record<string, string>;
  value: number;
}

export type TemplateQueryFunction = (expression: string) => Promise<QuerySample[]>;

export interface PrometheusFunctionOptions {
  /** Evaluation time in milliseconds since the epoch (`now`, and the time `query` runs at). */
  timestampMilliseconds: number;
  /** Runs an instant query; without one, `query` fails with an error. */
  query?: TemplateQueryFunction;
  /** The server's external URL (`externalURL`, `pathPrefix`). */
  externalURL?: string;
  /** The template set, for `tmpl`. */
  template?: Template;
}

/** strconv.ParseFloat with its error text, as a template function's error shows it. */
function parseFloatOrThrow(text: string): number {
  const value = parseGoFloat(text);
  if (value !== null) return value;
  // parseGoFloat refuses what is malformed and what overflows; Go names the two apart.
  const reason = isGoFloatSyntax(text) ? 'value out of range' : 'invalid syntax';
  throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: ${reason}`);
}

/** Prometheus's convertToFloat: float64, string, any int or uint, time.Duration (as seconds). */
export function convertToFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseFloatOrThrow(value);
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof GoUint) return Number(value.value);
  if (value instanceof GoDuration) return Number(value.nanoseconds) / 1e9;
  throw new Error(`can't convert ${value === null || value === undefined ? '<nil>' : typeNameOf(value)} to float`);
}

export function humanize(input: unknown): string {
  let value = convertToFloat(input);
  if (value === 0 || !Number.isFinite(value)) return sprintf('%.4g', [value]);
  if (Math.abs(value) >= 1) {
    let prefix = '';
    for (const candidate of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(value) < 1000) break;
      prefix = candidate;
      value /= 1000;
    }
    return sprintf('%.4g%s', [value, prefix]);
  }
  let prefix = '';
  for (const candidate of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(value) >= 1) break;
    prefix = candidate;
    value *= 1000;
  }
  return sprintf('%.4g%s', [value, prefix]);
}

export function humanize1024(input: unknown): string {
  let value = convertToFloat(input);
  if (Math.abs(value) <= 1 || !Number.isFinite(value)) return sprintf('%.4g', [value]);
  let prefix = '';
  for (const candidate of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(value) < 1024) break;
    prefix = candidate;
    value /= 1024;
  }
  return sprintf('%.4g%s', [value, prefix]);
}

export function humanizeDuration(input: unknown): string {
  let value = convertToFloat(input);
  if (!Number.isFinite(value)) return sprintf('%.4g', [value]);
  if (value === 0) return sprintf('%.4gs', [value]);
  if (Math.abs(value) >= 1) {
    let sign = '';
    if (value < 0) {
      sign = '-';
      value = -value;
    }
    const duration = BigInt(Math.trunc(value));
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 3600n) % 24n;
    const days = duration / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return sprintf('%s%.4gs', [sign, value]);
  }
  let prefix = '';
  for (const candidate of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(value) >= 1) break;
    prefix = candidate;
    value *= 1000;
  }
  return sprintf('%.4g%ss', [value, prefix]);
}

export function humanizePercentage(input: unknown): string {
  return sprintf('%.4g%%', [convertToFloat(input) * 100]);
}

const maxInt64 = 2 ** 63;

/** Prometheus's floatToTime: seconds → UTC time, truncated to milliseconds like model.Time. */
function floatToTime(value: number): GoTime {
  if (!Number.isFinite(value)) throw new Error('value is NaN or Inf');
  const nanoseconds = value * 1e9;
  if (nanoseconds >= maxInt64 || nanoseconds < -maxInt64) {
    throw new Error(`${sprintf('%v', [value])} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  const milliseconds = BigInt(Math.trunc(nanoseconds)) / 1_000_000n;
  return new GoTime(milliseconds * 1_000_000n, 'UTC', true);
}

export function humanizeTimestamp(input: unknown): string {
  const value = convertToFloat(input);
  if (!Number.isFinite(value)) return sprintf('%.4g', [value]);
  return floatToTime(value).goString();
}

/** Splits "host:port" like Go's net.SplitHostPort; undefined when it would fail. */
export function splitHostPort(hostPort: string): { host: string; port: string } | undefined {
  const lastColon = hostPort.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  let host: string;
  if (hostPort.startsWith('[')) {
    const closing = hostPort.indexOf(']');
    if (closing < 0) return undefined;
    if (closing + 1 === hostPort.length) return undefined;
    if (closing + 1 !== lastColon) return undefined;
    host = hostPort.slice(1, closing);
    if (host.includes('[') || host.includes(']')) return undefined;
  } else {
    host = hostPort.slice(0, lastColon);
    if (host.includes(':') || host.includes('[') || host.includes(']')) return undefined;
  }
  const port = hostPort.slice(lastColon + 1);
  if (port.includes('[') || port.includes(']')) return undefined;
  return { host, port };
}

function isIPAddress(host: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host)) return host.split('.').every((part) => Number(part) <= 255 && !(part.length > 1 && part.startsWith('0')));
  if (!host.includes(':')) return false;
  try {
    new URL(`http://[${host}]/`);
    return true;
  } catch {
    return false;
  }
}

export function stripPort(hostPort: string): string {
  return splitHostPort(hostPort)?.host ?? hostPort;
}

export function stripDomain(hostPort: string): string {
  const split = splitHostPort(hostPort);
  let host = split?.host ?? hostPort;
  const port = split?.port ?? '';
  if (isIPAddress(host)) return hostPort;
  host = host.split('.')[0];
  if (port !== '') return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return host;
}

/** golang.org/x/text cases.Title with NoLower: upper-case the first letter of each word, keep the rest. */
export function title(text: string): string {
  let output = '';
  let inWord = false;
  let previous = '';
  for (const character of text) {
    const isWordCharacter: boolean = /[\p{L}\p{N}\p{M}]/u.test(character) || (inWord && (character === "'" || character === '’') );
    if (isWordCharacter && !inWord) output += character.toUpperCase();
    else output += character;
    inWord = isWordCharacter || (inWord && previous === "'" && /[\p{L}]/u.test(character));
    previous = character;
  }
  return output;
}

const durationPattern = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const durationUnits = [365n * 86_400_000n, 7n * 86_400_000n, 86_400_000n, 3_600_000n, 60_000n, 1000n, 1n];

/** Prometheus's model.ParseDurationAllowNegative, in seconds. */
export function parseDuration(text: string): number {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  if (unsigned === '0') return 0;
  const match = durationPattern.exec(unsigned);
  if (unsigned === '' || match === null) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  let milliseconds = 0n;
  for (let index = 0; index < durationUnits.length; index++) {
    const amount = match[index + 1];
    if (amount !== undefined) milliseconds += BigInt(amount) * durationUnits[index];
  }
  if (milliseconds > 2n ** 63n / 1_000_000n) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  const seconds = Number(milliseconds * 1_000_000n) / 1e9;
  return negative ? -seconds : seconds;
}

/** The sample type Prometheus's `query` returns: `*template.sample{Labels, Value}`. */
export function querySample(sample: QuerySample): GoStruct {
  return new GoStruct('template.sample', { Labels: stringMap(sample.labels), Value: sample.value }, { pointer: true });
}

function expectSample(value: unknown): GoStruct {
  if (value instanceof GoStruct && value.typeName === 'template.sample') return value;
  throw new Error(`wrong type for value; expected *template.sample; got ${value === null || value === undefined ? '<nil>' : typeNameOf(value)}`);
}

function expectSamples(value: unknown): GoStruct[] {
  if (Array.isArray(value)) return value.map(expectSample);
  throw new Error(`wrong type for value; expected template.queryResult; got ${value === null || value === undefined ? '<nil>' : typeNameOf(value)}`);
}

function labelOf(sample: GoStruct, name: string): string {
  const labels = sample.fields.Labels;
  if (labels !== null && typeof labels === 'object' && 'entries' in labels && labels.entries instanceof Map) {
    const value = labels.entries.get(name);
    return typeof value === 'string' ? value : '';
  }
  return '';
}

function pathOf(externalURL: string): string {
  try {
    return new URL(externalURL).pathname.replace(/^\/$/, externalURL.endsWith('/') ? '/' : '');
  } catch {
    return '';
  }
}

/** Prometheus's template function map (template/template.go NewTemplateExpander). */
export function prometheusFunctions(options: PrometheusFunctionOptions): FunctionMap {
  const externalURL = options.externalURL ?? '';
  return {
    query: templateFunction(['string'], async (expression: string) => {
      if (options.query === undefined) throw new Error('no query engine is available to templates');
      const samples = await options.query(expression);
      const result: unknown[] = samples.map(querySample);
      return withMethods(result, 'template.queryResult', {});
    }),
    first: templateFunction(['any'], (value: unknown) => {
      const samples = expectSamples(value);
      if (samples.length === 0) throw new Error('first() called on vector with no elements');
      return samples[0];
    }),
    label: templateFunction(['string', 'any'], (name: string, sample: unknown) => labelOf(expectSample(sample), name)),
    value: templateFunction(['any'], (sample: unknown) => expectSample(sample).fields.Value),
    strvalue: templateFunction(['any'], (sample: unknown) => labelOf(expectSample(sample), '__value__')),
    args: templateFunction([], (...args: unknown[]) => {
      const result = new Map<string, unknown>();
      args.forEach((argument, index) => result.set(`arg${index}`, argument));
      return result;
    }, 'any'),
    reReplaceAll: templateFunction(['string', 'string', 'string'], regexReplaceAll),
    safeHtml: templateFunction(['string'], (text: string) => text),
    match: templateFunction(['string', 'string'], regexMatch),
    title: templateFunction(['string'], title),
    toUpper: templateFunction(['string'], (text: string) => text.toUpperCase()),
    toLower: templateFunction(['string'], (text: string) => text.toLowerCase()),
    graphLink: templateFunction(['string'], (expression: string) => `/graph?g0.expr=${queryEscape(expression)}&g0.tab=0`),
    tableLink: templateFunction(['string'], (expression: string) => `/graph?g0.expr=${queryEscape(expression)}&g0.tab=1`),
    sortByLabel: templateFunction(['string', 'any'], (name: string, value: unknown) => {
      const samples = expectSamples(value);
      // Array.prototype.sort is stable, as sort.Stable is.
      return samples.slice().sort((left, right) => {
        const leftLabel = labelOf(left, name);
        const rightLabel = labelOf(right, name);
        return leftLabel < rightLabel ? -1 : leftLabel > rightLabel ? 1 : 0;
      });
    }),
    stripPort: templateFunction(['string'], stripPort),
    stripDomain: templateFunction(['string'], stripDomain),
    humanize: templateFunction(['any'], humanize),
    humanize1024: templateFunction(['any'], humanize1024),
    humanizeDuration: templateFunction(['any'], humanizeDuration),
    humanizePercentage: templateFunction(['any'], humanizePercentage),
    humanizeTimestamp: templateFunction(['any'], humanizeTimestamp),
    toTime: templateFunction(['any'], (value: unknown) => floatToTime(convertToFloat(value))),
    toDuration: templateFunction(['any'], (value: unknown) => new GoDuration(BigInt(Math.trunc(convertToFloat(value) * 1e9)))),
    now: templateFunction([], () => options.timestampMilliseconds / 1000),
    pathPrefix: templateFunction([], () => pathOf(externalURL)),
    externalURL: templateFunction([], () => externalURL),
    parseDuration: templateFunction(['string'], parseDuration),
    urlQueryEscape: templateFunction(['string'], queryEscape),
    tmpl: templateFunction(['string', 'any'], async (name: string, data: unknown) => {
      if (options.template === undefined) throw new Error('tmpl is only available in templates with definitions');
      return await options.template.execute(data, name);
    }),
  };
}

export interface PrometheusExpandOptions extends PrometheusFunctionOptions {
  /** Template name used in error messages. */
  name: string;
  /** Default 'zero', as Prometheus sets it. */
  missingKey?: MissingKey;
  /** Extra functions; they override Prometheus's, as Expander.Funcs does. */
  functions?: FunctionMap;
}

/**
 * Prometheus's Expander.Expand: parse and execute in text mode. Throws an Error worded like
 * Prometheus: "error parsing template NAME: …" or "error executing template NAME: …".
 */
export async function expandPrometheusTemplate(text: string, data: unknown, options: PrometheusExpandOptions): Promise<string> {
  const template = new Template(options.name, { missingKey: options.missingKey ?? 'zero' });
  template.addFunctions(prometheusFunctions({ ...options, template }));
  if (options.functions !== undefined) template.addFunctions(options.functions);
  try {
    template.parse(text);
  } catch (error) {
    throw new Error(`error parsing template ${options.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return await template.execute(data);
  } catch (error) {
    throw new Error(`error executing template ${options.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** What an alerting rule knows when it expands its labels and annotations. */
export interface AlertTemplateInput {
  /** The alert's labels (the sample's labels, without __name__, plus the rule's). */
  labels: Record<string, string>;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** The sample value that fired the alert. */
  value: number;
}

/** Prometheus's AlertTemplateData: the struct alert templates see as dot. */
export function alertTemplateData(input: AlertTemplateInput): GoStruct {
  // Prometheus 2.x declares Value as float64 (3.x as interface {}, for native histograms); the type
  // name only shows in "can't evaluate field" errors, and the 2.x spelling is what promtool here prints.
  return new GoStruct('struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }', {
    Labels: stringMap(input.labels),
    ExternalLabels: stringMap(input.externalLabels ?? {}),
    ExternalURL: input.externalURL ?? '',
    Value: input.value,
  });
}

/** The declarations Prometheus puts before every alert label and annotation template. */
export const alertTemplatePrefix = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

export interface AlertExpandOptions {
  /** The alerting rule's name; the template is named `__alert_<name>`. */
  alertName: string;
  /** Evaluation time, milliseconds since the epoch. */
  timestampMilliseconds: number;
  query?: TemplateQueryFunction;
  externalURL?: string;
  functions?: FunctionMap;
}

/**
 * Expands one alert label value or annotation like Prometheus's alerting rule does. Never throws:
 * a failing template yields `<error expanding template: …>` as the text, which is what Prometheus
 * stores in the annotation.
 */
export async function expandAlertTemplate(text: string, input: AlertTemplateInput, options: AlertExpandOptions): Promise<string> {
  try {
    return await expandPrometheusTemplate(alertTemplatePrefix + text, alertTemplateData({ ...input, externalURL: input.externalURL ?? options.externalURL }), {
      name: `__alert_${options.alertName}`,
      timestampMilliseconds: options.timestampMilliseconds,
      query: options.query,
      externalURL: options.externalURL ?? input.externalURL,
      functions: options.functions,
    });
  } catch (error) {
    return `<error expanding template: ${error instanceof Error ? error.message : String(error)}>`;
  }
}
