/**
 * Alertmanager's notification-template functions (template/template.go DefaultFuncs) and the data
 * notifications are rendered with: `.Receiver`, `.Status`, `.Alerts` (with `.Firing`/`.Resolved`),
 * `.GroupLabels`, `.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`, and KV's methods.
 */
import { queryEscape } from './builtins.ts';
import { templateFunction } from './function.ts';
import type { FunctionMap } from './function.ts';
import { humanizeDuration } from './prometheus.ts';
import { regexMatch, regexReplaceAll } from './regex.ts';
import { Template } from './template.ts';
import { compareGoStrings, GoDuration, GoMap, GoStruct, GoTime, isKnownLocation, typeNameOf, withMethods } from './value.ts';

export interface AlertmanagerFunctionOptions {
  /** Clock for `since`, milliseconds since the epoch. */
  now?: () => number;
}

/** cases.Title(language.AmericanEnglish): first letter of each word upper, the rest lower. */
export function titleLowering(text: string): string {
  let output = '';
  let inWord = false;
  for (const character of text) {
    const isWordCharacter: boolean = /[\p{L}\p{N}\p{M}]/u.test(character) || (inWord && (character === "'" || character === '’'));
    output += isWordCharacter && !inWord ? character.toUpperCase() : character.toLowerCase();
    inWord = isWordCharacter;
  }
  return output;
}

/** Go's url.QueryUnescape. */
export function queryUnescape(text: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '%') {
      const hex = text.slice(index + 1, index + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        const shown = text.slice(index, index + 3);
        throw new Error(`invalid URL escape ${JSON.stringify(shown)}`);
      }
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else if (character === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(character, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's strings.TrimSpace (Unicode white space). */
function trimSpace(text: string): string {
  return text.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

function expectStrings(value: unknown): string[] {
  if (Array.isArray(value) && value.every((element) => typeof element === 'string')) return value as string[];
  throw new Error(`wrong type for value; expected []string; got ${value === null || value === undefined ? '<nil>' : typeNameOf(value)}`);
}

function expectTime(value: unknown): GoTime {
  if (value instanceof GoTime) return value;
  throw new Error(`wrong type for value; expected time.Time; got ${value === null || value === undefined ? '<nil>' : typeNameOf(value)}`);
}

/** Alertmanager's DefaultFuncs. */
export function alertmanagerFunctions(options: AlertmanagerFunctionOptions = {}): FunctionMap {
  const now = options.now ?? Date.now;
  return {
    toUpper: templateFunction(['string'], (text: string) => text.toUpperCase()),
    toLower: templateFunction(['string'], (text: string) => text.toLowerCase()),
    title: templateFunction(['string'], titleLowering),
    trimSpace: templateFunction(['string'], trimSpace),
    // Alertmanager's join takes the separator first, for pipelines.
    join: templateFunction(['string', 'any'], (separator: string, values: unknown) => expectStrings(values).join(separator)),
    match: templateFunction(['string', 'string'], regexMatch),
    safeHtml: templateFunction(['string'], (text: string) => text),
    safeUrl: templateFunction(['string'], (text: string) => text),
    urlUnescape: templateFunction(['string'], queryUnescape),
    reReplaceAll: templateFunction(['string', 'string', 'string'], regexReplaceAll),
    stringSlice: templateFunction([], (...values: string[]) => values, 'string'),
    date: templateFunction(['string', 'any'], (layout: string, time: unknown) => expectTime(time).format(layout)),
    tz: templateFunction(['string', 'any'], (name: string, time: unknown) => {
      if (!isKnownLocation(name)) throw new Error(`unknown time zone ${name}`);
      return new GoTime(expectTime(time).epochNanoseconds, name === '' ? 'UTC' : name);
    }),
    since: templateFunction(['any'], (time: unknown) => new GoDuration(BigInt(Math.trunc(now())) * 1_000_000n - expectTime(time).epochNanoseconds)),
    humanizeDuration: templateFunction(['any'], humanizeDuration),
    urlQueryEscape: templateFunction(['string'], queryEscape),
  };
}

/**
 * Alertmanager's KV: a label or annotation set with SortedPairs (alertname first, then by name),
 * Names, Values, Remove, and a String method ("a=1, b=2") that fmt uses when it is printed.
 */
export function keyValues(record: Record<string, string>): GoMap {
  const entries = new Map(Object.entries(record));
  const sortedNames = (): string[] => {
    const names = [...entries.keys()].filter((name) => name !== 'alertname').sort(compareGoStrings);
    return entries.has('alertname') ? ['alertname', ...names] : names;
  };
  const pairsText = (): string => sortedNames().map((name) => `${name}=${entries.get(name) ?? ''}`).join(', ');
  return new GoMap(entries, {
    elementZero: '',
    typeName: 'template.KV',
    methods: {
      SortedPairs: () => pairs(sortedNames().map((name) => ({ name, value: entries.get(name) ?? '' }))),
      Names: () => sortedNames(),
      Values: () => sortedNames().map((name) => entries.get(name) ?? ''),
      Remove: (keys) => {
        const removed = new Set(expectStrings(keys));
        return keyValues(Object.fromEntries([...entries].filter(([name]) => !removed.has(name))));
      },
      String: pairsText,
    },
  });
}

function pairs(list: { name: string; value: string }[]): GoStruct[] {
  const result = list.map((pair) => new GoStruct('template.Pair', { Name: pair.name, Value: pair.value }));
  return withMethods(result, 'template.Pairs', {
    Names: () => list.map((pair) => pair.name),
    Values: () => list.map((pair) => pair.value),
    String: () => list.map((pair) => `${pair.name}=${pair.value}`).join(', '),
  });
}

/** One alert of a notification. Times are milliseconds since the epoch. */
export interface NotificationAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** 0 or absent: Go's zero time. */
  endsAt?: number;
  generatorURL?: string;
  fingerprint?: string;
}

export interface NotificationData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: NotificationAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

const zeroTime = new GoTime(-62135596800n * 1_000_000_000n, 'UTC');

/** Alerts has Firing and Resolved; they return plain []Alert, without those methods, as in Alertmanager. */
function alertsValue(alerts: GoStruct[]): GoStruct[] {
  const subset = (status: string): GoStruct[] => withMethods(alerts.filter((alert) => alert.fields.Status === status), '[]template.Alert', {});
  return withMethods(alerts, 'template.Alerts', {
    Firing: () => subset('firing'),
    Resolved: () => subset('resolved'),
  });
}

/** Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name in Data. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, (character) => `\\${character}`);
}

/** Builds Alertmanager's template.Data for a notification. */
export function notificationData(data: NotificationData): GoStruct {
  const alerts = data.alerts.map((alert) => new GoStruct('template.Alert', {
    Status: alert.status,
    Labels: keyValues(alert.labels),
    Annotations: keyValues(alert.annotations),
    StartsAt: GoTime.fromMilliseconds(alert.startsAt),
    EndsAt: alert.endsAt === undefined || alert.endsAt === 0 ? zeroTime : GoTime.fromMilliseconds(alert.endsAt),
    GeneratorURL: alert.generatorURL ?? '',
    Fingerprint: alert.fingerprint ?? '',
  }));
  return new GoStruct('template.Data', {
    Receiver: quoteMeta(data.receiver),
    Status: data.status,
    Alerts: alertsValue(alerts),
    GroupLabels: keyValues(data.groupLabels),
    CommonLabels: keyValues(data.commonLabels),
    CommonAnnotations: keyValues(data.commonAnnotations),
    ExternalURL: data.externalURL,
  });
}

/**
 * Alertmanager's ExecuteTextString: `text` (a receiver field such as a Slack title) is parsed as a
 * new template next to the loaded definitions (default.tmpl and the user's files, in `definitions`)
 * and executed with missingkey=zero. Empty text renders as empty without parsing.
 */
export async function executeTextString(definitions: Template, text: string, data: unknown): Promise<string> {
  if (text === '') return '';
  const template = definitions.clone('', { missingKey: 'zero' });
  template.parse(text);
  return await template.execute(data);
}

/** A template set with Alertmanager's functions and options, ready for notification templates. */
export function alertmanagerTemplate(options: AlertmanagerFunctionOptions = {}): Template {
  return new Template('', { functions: alertmanagerFunctions(options), missingKey: 'zero' });
}
