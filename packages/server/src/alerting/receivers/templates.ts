/**
 * The notification template set: Vigil's default definitions, then the user's `templates:` files,
 * and how a notifier expands one of its fields (Alertmanager's ExecuteTextString and
 * ExecuteHTMLString).
 *
 * HTML rendering (email bodies, Telegram's HTML parse mode) escapes what alerts bring in, as Go's
 * html/template does for text in HTML, so a label value such as `a<b` cannot break the markup: the
 * alert strings of the data are escaped before rendering, and `safeHtml` turns an escaped value back
 * into the original markup, which is what it means in Alertmanager. Literal text of the template is
 * written as is. This differs from html/template where a template computes on escaped values (the
 * length of a label value, a regular expression match on it) and in URL attributes, which
 * html/template also percent-encodes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from '../../config/index.ts';
import { alertmanagerFunctions, alertmanagerTemplate, executeTextString, GoMap, GoStruct, GoTime, GoUint, notificationData, templateFunction, TemplateParseError } from '../../template/index.ts';
import type { AlertmanagerFunctionOptions, Template } from '../../template/index.ts';
import { defaultTemplateText } from './default-templates.ts';
import { goJsonMarshal, goTimeJson, sortedRecord } from './go-json.ts';
import { notificationInput } from './data.ts';
import type { PresentedNotification } from './data.ts';

/** Templates loaded once per configuration, shared by every integration. */
export interface TemplateSet {
  /** Definitions for plain-text fields. */
  text: Template;
  /** The same definitions with `safeHtml` undoing the escaping of data, for HTML fields. */
  html: Template;
  /** The files the user's patterns matched, in load order. */
  files: readonly string[];
}

/** A template file that does not parse: the message names the file and line, as Alertmanager's does. */
export class TemplateFileError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(message);
    this.name = 'TemplateFileError';
    this.file = file;
    this.line = line;
  }
}

const htmlEscapes: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '+': '&#43;', '<': '&lt;', '>': '&gt;', '\u0000': '\uFFFD' };
const htmlUnescapes = new Map(Object.entries(htmlEscapes).filter(([raw]) => raw !== '\u0000').map(([raw, escaped]) => [escaped, raw]));

/** html/template's escaping of text in an HTML element. */
export function escapeHtml(text: string): string {
  return text.replace(/["'&+<>]/g, (character) => htmlEscapes[character]).replaceAll('\u0000', '\uFFFD');
}

function unescapeHtml(text: string): string {
  return text.replace(/&#34;|&#39;|&amp;|&#43;|&lt;|&gt;/g, (entity) => htmlUnescapes.get(entity) ?? entity);
}

/** JSON names of template.Alert's fields (its json tags); other structs use their Go field names. */
const alertJsonNames: Record<string, string> = {
  Status: 'status',
  Labels: 'labels',
  Annotations: 'annotations',
  StartsAt: 'startsAt',
  EndsAt: 'endsAt',
  GeneratorURL: 'generatorURL',
  Fingerprint: 'fingerprint',
};

/** Go's zero time.Time, as template data carries an unset EndsAt. */
const zeroTimeNanoseconds = -62135596800n * 1_000_000_000n;

/** A template value as plain JSON data, the way encoding/json sees the Go value. */
function jsonData(value: unknown): unknown {
  if (value instanceof GoTime) return value.epochNanoseconds === zeroTimeNanoseconds ? goTimeJson(0) : goTimeJson(Number(value.epochNanoseconds / 1_000_000n));
  if (value instanceof GoUint) return Number(value.value);
  if (value instanceof GoMap) return sortedRecord(Object.fromEntries([...value.entries].map(([key, element]) => [key, jsonData(element)])));
  if (value instanceof GoStruct) {
    const names = value.typeName === 'template.Alert' ? alertJsonNames : undefined;
    return Object.fromEntries(Object.entries(value.fields).map(([name, element]) => [names?.[name] ?? name, jsonData(element)]));
  }
  if (Array.isArray(value)) return value.map(jsonData);
  if (typeof value === 'bigint') return Number(value);
  return value ?? null;
}

/** Alertmanager's `toJson` (json.Marshal). */
export const toJsonFunction = templateFunction(['any'], (value: unknown) => goJsonMarshal(jsonData(value)));

function newSet(options: AlertmanagerFunctionOptions, html: boolean): Template {
  const template = alertmanagerTemplate(options);
  template.addFunctions({ toJson: toJsonFunction });
  if (html) {
    const functions = alertmanagerFunctions(options);
    template.addFunctions({
      safeHtml: templateFunction(['string'], unescapeHtml),
      // Values of the data were escaped once already; html/template would not escape these twice.
      safeUrl: functions.safeUrl,
    });
  }
  return template;
}

function parseInto(set: TemplateSet, name: string, text: string, file: string): void {
  try {
    set.text.parse(text, name);
    set.html.parse(text, name);
  } catch (error) {
    if (error instanceof TemplateParseError) {
      throw new TemplateFileError(file, error.line, `${file}:${error.line}: ${error.detail}`);
    }
    throw new TemplateFileError(file, 0, `${file}: ${(error as Error).message}`);
  }
}

export interface LoadTemplatesOptions extends AlertmanagerFunctionOptions {
  /** Reads a file (tests); default: from disk. */
  readTextFile?: (file: string) => Promise<string>;
}

/**
 * Builds the template set: the defaults, then every file matching `patterns` (in pattern order,
 * each pattern's files sorted), each parsed under its base name as Go's ParseGlob does. A definition
 * in a user file replaces the default of the same name.
 */
export async function loadTemplates(patterns: readonly string[], options: LoadTemplatesOptions = {}): Promise<TemplateSet> {
  const set: TemplateSet = { text: newSet(options, false), html: newSet(options, true), files: [] };
  parseInto(set, 'default.tmpl', defaultTemplateText, 'default.tmpl');
  const readTextFile = options.readTextFile ?? ((file: string) => readFile(file, 'utf8'));
  const files: string[] = [];
  for (const pattern of patterns) {
    for (const file of (await glob(pattern)).sort()) {
      parseInto(set, path.basename(file), await readTextFile(file), file);
      files.push(file);
    }
  }
  return { ...set, files };
}

/**
 * Template data for HTML rendering: what alerts bring in (labels, annotations, generator URLs) is
 * HTML-escaped. The receiver name and external URL come from the configuration and stay as written,
 * so `{{ .Receiver | urlquery }}` in a link encodes the real name.
 */
function escapedNotification(notification: PresentedNotification): PresentedNotification {
  const escapeRecord = (record: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(record).map(([name, value]) => [escapeHtml(name), escapeHtml(value)]));
  return {
    receiver: notification.receiver,
    status: notification.status,
    alerts: notification.alerts.map((alert) => ({
      ...alert,
      labels: escapeRecord(alert.labels),
      annotations: escapeRecord(alert.annotations),
      generatorURL: escapeHtml(alert.generatorURL),
    })),
    groupLabels: escapeRecord(notification.groupLabels),
    commonLabels: escapeRecord(notification.commonLabels),
    commonAnnotations: escapeRecord(notification.commonAnnotations),
    externalURL: notification.externalURL,
  };
}

/**
 * Expands a notifier's fields for one notification. Each call parses the field as a template next to
 * the loaded definitions (ExecuteTextString); errors are thrown with Go's wording.
 */
export class FieldRenderer {
  private readonly templates: TemplateSet;
  private readonly textData: unknown;
  private htmlData: unknown;
  readonly notification: PresentedNotification;

  constructor(templates: TemplateSet, notification: PresentedNotification) {
    this.templates = templates;
    this.notification = notification;
    this.textData = notificationData(notificationInput(notification));
  }

  /** ExecuteTextString. */
  async text(field: string): Promise<string> {
    return await executeTextString(this.templates.text, field, this.textData);
  }

  /** ExecuteHTMLString. */
  async html(field: string): Promise<string> {
    this.htmlData ??= notificationData(notificationInput(escapedNotification(this.notification)));
    return await executeTextString(this.templates.html, field, this.htmlData);
  }
}
