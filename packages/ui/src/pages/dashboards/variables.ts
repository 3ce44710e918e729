/**
 * Template variables as Grafana's Prometheus data source treats them: option discovery
 * (`label_values`, `label_names`, `metrics`, `query_result`, custom lists, intervals), the current
 * selection from the URL (`var-name=value`, repeated for multi-value, `$__all` for All), and
 * interpolation of `$var`, `${var}`, `${var:format}` and `[[var]]` into PromQL.
 */
import type { VariableModel } from './model.ts';

export const ALL_VALUE = '$__all';

export interface VariableOption {
  text: string;
  value: string;
}

export interface VariableState {
  model: VariableModel;
  options: VariableOption[];
  /** Selected values; `[ALL_VALUE]` when All is selected. */
  selected: string[];
  /** Why the options could not be loaded, when they could not. */
  error: string | null;
}

export interface BuiltinValues {
  intervalMs: number;
  rateIntervalMs: number;
  rangeMs: number;
  fromMs: number;
  toMs: number;
  dashboardTitle: string;
  dashboardUid: string;
}

/** The query forms Grafana's Prometheus data source accepts for `query` variables. */
export type VariableQuery =
  | { kind: 'label_names'; match: string | null }
  | { kind: 'label_values'; label: string; match: string | null }
  | { kind: 'metrics'; regex: string }
  | { kind: 'query_result'; expr: string }
  | { kind: 'series'; match: string };

export function parseVariableQuery(query: string): VariableQuery {
  const text = query.trim();
  let match = /^label_names\(\s*(.*?)\s*\)$/s.exec(text);
  if (match) return { kind: 'label_names', match: match[1] === '' ? null : match[1] };
  match = /^label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s.exec(text);
  if (match) return { kind: 'label_values', label: match[2], match: match[1] ?? null };
  match = /^metrics\(\s*(.*?)\s*\)$/s.exec(text);
  if (match) return { kind: 'metrics', regex: match[1] };
  match = /^query_result\(\s*(.+)\s*\)$/s.exec(text);
  if (match) return { kind: 'query_result', expr: match[1] };
  // Anything else is a series selector whose label sets become the options (Grafana does the same).
  return { kind: 'series', match: text };
}

/** Grafana's variable regex: `/pattern/flags`; the first capture group (or `text`/`value` groups) wins. */
export function applyVariableRegex(values: string[], regex: string): VariableOption[] {
  if (regex.trim() === '') return values.map((value) => ({ text: value, value }));
  const literal = /^\/(.*)\/([gimsuy]*)$/s.exec(regex.trim());
  const pattern = literal ? new RegExp(literal[1], literal[2].replace('g', '')) : new RegExp(regex);
  const options: VariableOption[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const match = pattern.exec(value);
    if (!match) continue;
    const groups = match.groups ?? {};
    const optionValue = groups.value ?? groups.text ?? match[1] ?? match[0];
    const optionText = groups.text ?? groups.value ?? match[1] ?? match[0];
    if (seen.has(optionValue)) continue;
    seen.add(optionValue);
    options.push({ text: optionText, value: optionValue });
  }
  return options;
}

export function sortOptions(options: VariableOption[], sort: number): VariableOption[] {
  if (sort === 0) return options;
  const sorted = [...options];
  const numberOf = (option: VariableOption) => {
    const match = /-?\d+(\.\d+)?/.exec(option.text);
    return match ? Number(match[0]) : Number.NEGATIVE_INFINITY;
  };
  if (sort === 1 || sort === 2) sorted.sort((left, right) => (left.text < right.text ? -1 : left.text > right.text ? 1 : 0));
  else if (sort === 3 || sort === 4) sorted.sort((left, right) => numberOf(left) - numberOf(right));
  else if (sort === 5 || sort === 6) sorted.sort((left, right) => left.text.localeCompare(right.text, undefined, { sensitivity: 'base' }));
  if (sort === 2 || sort === 4 || sort === 6) sorted.reverse();
  return sorted;
}

/** `custom` variables: `a,b,c` or `label : value` pairs, commas escaped as `\,`. */
export function customOptions(query: string): VariableOption[] {
  const parts = query.match(/(?:\\,|[^,])+/g) ?? [];
  return parts
    .map((part) => part.trim().replace(/\\,/g, ','))
    .filter((part) => part !== '')
    .map((part) => {
      const pair = /^(.+?)\s+:\s+(.+)$/.exec(part);
      return pair ? { text: pair[1].trim(), value: pair[2].trim() } : { text: part, value: part };
    });
}

/** Escapes a value for use inside a PromQL regex matcher string (`=~"…"`), as Grafana does. */
export function escapeForPromRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|{}[\]]/g, (character) => `\\\\${character}`).replace(/'/g, "\\\\'");
}

/** The values a variable stands for: All expands to every option unless `allValue` is set. */
export function selectedValues(state: VariableState): { values: string[]; all: boolean } {
  if (state.selected.length === 1 && state.selected[0] === ALL_VALUE) {
    return { values: state.options.map((option) => option.value), all: true };
  }
  return { values: state.selected, all: false };
}

function formatValues(state: VariableState, format: string | undefined): string {
  const { values, all } = selectedValues(state);
  if (all && state.model.allValue !== null && (format === undefined || format === 'regex' || format === 'pipe')) return state.model.allValue;
  const multiple = state.model.multi || state.model.includeAll;
  switch (format) {
    case 'raw':
      return values.join(',');
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(values);
    case 'text':
      if (all) return 'All';
      return state.options.filter((option) => values.includes(option.value)).map((option) => option.text).join(' + ') || values.join(' + ');
    case 'glob':
      return values.length > 1 ? `{${values.join(',')}}` : (values[0] ?? '');
    case 'queryparam':
      return values.map((value) => `var-${encodeURIComponent(state.model.name)}=${encodeURIComponent(value)}`).join('&');
    case 'regex':
      return values.length > 1 ? `(${values.map(escapeForPromRegex).join('|')})` : escapeForPromRegex(values[0] ?? '');
    default:
      // The Prometheus data source's default: single values as they are; multi/All as an escaped regex alternation.
      if (!multiple) return values[0] ?? '';
      if (values.length === 1) return escapeForPromRegex(values[0]);
      return `(${values.map(escapeForPromRegex).join('|')})`;
  }
}

function builtin(name: string, builtins: BuiltinValues): string | null {
  switch (name) {
    case '__interval':
      return formatDurationForQuery(builtins.intervalMs);
    case '__interval_ms':
      return String(builtins.intervalMs);
    case '__rate_interval':
      return formatDurationForQuery(builtins.rateIntervalMs);
    case '__rate_interval_ms':
      return String(builtins.rateIntervalMs);
    case '__range':
      return `${Math.round(builtins.rangeMs / 1000)}s`;
    case '__range_s':
      return String(Math.round(builtins.rangeMs / 1000));
    case '__range_ms':
      return String(builtins.rangeMs);
    case '__from':
      return String(builtins.fromMs);
    case '__to':
      return String(builtins.toMs);
    case '__dashboard':
      return builtins.dashboardTitle;
    default:
      return null;
  }
}

/** Grafana prints `$__interval` as whole seconds or larger units (`15s`, `1m`, `2h`), ms below 1 s. */
export function formatDurationForQuery(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const variablePattern = /\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([\w.]+))?(?::(\w+))?\}/g;

/**
 * Replaces variable references in `text` (`defaultFormat` `text` for titles, as Grafana shows
 * `All` or `a + b` there rather than a regex). Unknown names stay as written, as in Grafana, so a typo
 * shows up in the query error rather than silently vanishing.
 */
export function interpolate(text: string, variables: Map<string, VariableState>, builtins: BuiltinValues, scoped: Record<string, string> = {}, defaultFormat?: string): string {
  return text.replace(variablePattern, (whole, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, _fieldPath?: string, bracedFormat?: string) => {
    const name = plain ?? bracket ?? braced ?? '';
    const format = bracketFormat ?? bracedFormat ?? defaultFormat;
    if (name in scoped) return scoped[name];
    const builtinValue = builtin(name, builtins);
    if (builtinValue !== null) return builtinValue;
    const state = variables.get(name);
    if (!state) return whole;
    return formatValues(state, format);
  });
}

/** Names of variables that `text` refers to (for refreshing dependants when one changes). */
export function referencedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(variablePattern)) names.add(match[1] ?? match[2] ?? match[4] ?? '');
  return names;
}

/**
 * The selection for a variable: the URL's `var-<name>` values first, then the dashboard's saved
 * `current`, then All (when offered) or the first option. Values no longer among the options are
 * kept only for textbox/constant, like Grafana.
 */
export function initialSelection(model: VariableModel, options: VariableOption[], fromUrl: string[]): string[] {
  const wanted = fromUrl.length > 0 ? fromUrl : model.current ? (Array.isArray(model.current.value) ? model.current.value : [model.current.value]) : [];
  const normalized = wanted.map((value) => (value === 'All' || value === '$__all' ? ALL_VALUE : value));
  if (model.type === 'textbox' || model.type === 'constant') return [normalized[0] ?? model.query];
  if (normalized.length === 1 && normalized[0] === ALL_VALUE && model.includeAll) return [ALL_VALUE];
  const known = normalized.filter((value) => options.some((option) => option.value === value));
  if (known.length > 0) return model.multi ? known : [known[0]];
  if (model.includeAll) return [ALL_VALUE];
  return options.length > 0 ? [options[0].value] : [];
}
