/**
 * Prometheus rule files (rulefmt): YAML → rule groups, validated as Prometheus validates them, with
 * every error collected (not just the first) and pointing at `file:line:col`.
 */
import { readFile } from 'node:fs/promises';
import { glob } from '../config/index.ts';
import { isYamlScalar } from '../config/yaml.ts';
import type { ParsedYaml, Path } from '../config/yaml.ts';
import { parseYaml } from '../config/yaml.ts';
import { ConfigError } from '../config/index.ts';
import { isValidLabelName, isValidMetricName, parseDuration } from '../model/index.ts';
import type { Expr } from '../query/promql/ast.ts';
import { parseExpr } from '../query/promql/parser/index.ts';
import { Template, alertTemplatePrefix, prometheusFunctions } from '../template/index.ts';

/** One rule as written in a file, checked. */
export interface RuleDefinition {
  kind: 'alert' | 'record';
  /** The alert name or the recorded metric name. */
  name: string;
  /** The expression as written. */
  expr: string;
  /** The parsed expression. */
  query: Expr;
  /** `for`, ms (0 for recording rules). */
  forMs: number;
  /** `keep_firing_for`, ms. */
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Where the rule starts in its file, 1-based. */
  line: number;
  column: number;
}

/** One group as written in a file, checked. */
export interface RuleGroupDefinition {
  name: string;
  /** The file the group came from (as given to the loader). */
  file: string;
  /** `interval`, ms; 0 when absent (the global evaluation interval applies). */
  intervalMs: number;
  /** `query_offset`, ms; undefined when absent (the global `rule_query_offset` applies). */
  queryOffsetMs: number | undefined;
  /** `limit`: most alerts or series a rule may produce; 0 for none. */
  limit: number;
  /** Group-wide labels (Prometheus 3), added to every rule; a rule's own labels win. */
  labels: Record<string, string>;
  rules: RuleDefinition[];
}

export interface ParsedRuleFile {
  groups: RuleGroupDefinition[];
  /** `file:line:col: …` lines; the groups are only usable when this is empty. */
  errors: string[];
}

export interface RuleFileOptions {
  /**
   * `legacy` (Prometheus 2's character sets, and what promtool 2.42 checks) or `utf8` (Prometheus
   * 3's default: any UTF-8 name). Default `utf8` as Prometheus 3 loads rule files.
   */
  nameValidation?: 'legacy' | 'utf8';
}

const GROUP_FIELDS = new Set(['name', 'interval', 'query_offset', 'limit', 'rules', 'labels']);
const RULE_FIELDS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

/**
 * Parses and validates one rule file's text. `filename` prefixes every error. Errors follow
 * Prometheus's texts (`group "g", rule 2, "Name": invalid field 'for' in recording rule`) with the
 * position of the offending node in front.
 */
export function parseRuleFile(text: string, filename: string, options: RuleFileOptions = {}): ParsedRuleFile {
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text, { filename, emptyValue: {} });
  } catch (error) {
    if (error instanceof ConfigError) return { groups: [], errors: error.lines };
    throw error;
  }
  return new RuleFileChecker(parsed, filename, options.nameValidation ?? 'utf8').check();
}

/** Reads and parses one rule file. A file that cannot be read is one error line. */
export async function readRuleFile(path: string, options: RuleFileOptions = {}): Promise<ParsedRuleFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { groups: [], errors: [`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`] };
  }
  return parseRuleFile(text, path, options);
}

/** Expands `rule_files` globs (already absolute) into file names, in order, without repeats. */
export async function expandRuleFiles(patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    for (const file of await glob(pattern)) {
      if (seen.has(file)) continue;
      seen.add(file);
      files.push(file);
    }
  }
  return files;
}

/**
 * Loads every rule file the globs name. All errors of all files are collected; when there is any,
 * `groups` must not be used (a reload keeps the previous rules).
 */
export async function loadRuleFiles(patterns: readonly string[], options: RuleFileOptions = {}): Promise<ParsedRuleFile> {
  const groups: RuleGroupDefinition[] = [];
  const errors: string[] = [];
  let files: string[];
  try {
    files = await expandRuleFiles(patterns);
  } catch (error) {
    return { groups: [], errors: [(error as Error).message] };
  }
  for (const file of files) {
    const parsed = await readRuleFile(file, options);
    groups.push(...parsed.groups);
    errors.push(...parsed.errors);
  }
  return { groups, errors };
}

type Scheme = 'legacy' | 'utf8';

function isValidName(name: string, scheme: Scheme, metric: boolean): boolean {
  if (scheme === 'utf8') return name !== '' && isWellFormed(name);
  return metric ? isValidMetricName(name) : isValidLabelName(name);
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

class RuleFileChecker {
  private readonly errors: string[] = [];
  /** Shape errors (unknown fields, wrong types) are reported alone, as Prometheus's YAML decoder does. */
  private readonly shapeErrors: string[] = [];
  private readonly writtenNames = new WeakMap<RuleDefinition, { recordName: string; alertName: string }>();

  constructor(
    private readonly yaml: ParsedYaml,
    private readonly filename: string,
    private readonly scheme: Scheme,
  ) {}

  private at(path: Path, key = false): string {
    const position = key ? this.yaml.locateKey(path) : this.yaml.locate(path);
    return `${this.filename}:${position.line}:${position.col}`;
  }

  private shape(path: Path, message: string, key = false): void {
    this.shapeErrors.push(`${this.at(path, key)}: ${message}`);
  }

  check(): ParsedRuleFile {
    const root = this.yaml.value;
    if (!isMapping(root)) {
      this.shape([], `cannot unmarshal ${kindOf(root)} into rulefmt.RuleGroups`);
      return { groups: [], errors: this.shapeErrors };
    }
    for (const key of Object.keys(root)) if (key !== 'groups') this.shape([key], `field ${key} not found in type rulefmt.RuleGroups`, true);
    const groupsValue = root.groups;
    const groups: RuleGroupDefinition[] = [];
    if (groupsValue !== undefined && groupsValue !== null) {
      if (!Array.isArray(groupsValue)) this.shape(['groups'], `cannot unmarshal ${kindOf(groupsValue)} into []rulefmt.RuleGroup`);
      else groupsValue.forEach((group, index) => {
        const checked = this.group(group, ['groups', index]);
        if (checked !== null) groups.push(checked);
      });
    }
    if (this.shapeErrors.length > 0) return { groups: [], errors: this.shapeErrors };
    this.validateGroups(groups);
    return { groups: this.errors.length === 0 ? groups : [], errors: this.errors };
  }

  private group(value: unknown, path: Path): RuleGroupDefinition | null {
    if (!isMapping(value)) {
      this.shape(path, `cannot unmarshal ${kindOf(value)} into rulefmt.RuleGroup`);
      return null;
    }
    for (const key of Object.keys(value)) if (!GROUP_FIELDS.has(key)) this.shape([...path, key], `field ${key} not found in type rulefmt.RuleGroup`, true);
    const group: RuleGroupDefinition = {
      name: this.string(value.name, [...path, 'name']),
      file: this.filename,
      intervalMs: this.duration(value.interval, [...path, 'interval']),
      queryOffsetMs: value.query_offset === undefined || value.query_offset === null ? undefined : this.duration(value.query_offset, [...path, 'query_offset']),
      limit: this.integer(value.limit, [...path, 'limit']),
      labels: this.stringMap(value.labels, [...path, 'labels']),
      rules: [],
    };
    const rules = value.rules;
    if (rules !== undefined && rules !== null) {
      if (!Array.isArray(rules)) this.shape([...path, 'rules'], `cannot unmarshal ${kindOf(rules)} into []rulefmt.Rule`);
      else rules.forEach((rule, index) => {
        const checked = this.rule(rule, [...path, 'rules', index]);
        if (checked !== null) group.rules.push(checked);
      });
    }
    return group;
  }

  private rule(value: unknown, path: Path): RuleDefinition | null {
    if (!isMapping(value)) {
      this.shape(path, `cannot unmarshal ${kindOf(value)} into rulefmt.Rule`);
      return null;
    }
    for (const key of Object.keys(value)) if (!RULE_FIELDS.has(key)) this.shape([...path, key], `field ${key} not found in type rulefmt.Rule`, true);
    const record = this.string(value.record, [...path, 'record']);
    const alert = this.string(value.alert, [...path, 'alert']);
    const position = this.yaml.locate(path);
    const definition: RuleDefinition = {
      kind: alert !== '' ? 'alert' : 'record',
      name: alert !== '' ? alert : record,
      expr: this.string(value.expr, [...path, 'expr']),
      // Filled in by validation; a rule with errors is never used.
      query: undefined as unknown as Expr,
      forMs: this.duration(value.for, [...path, 'for']),
      keepFiringForMs: this.duration(value.keep_firing_for, [...path, 'keep_firing_for']),
      labels: this.stringMap(value.labels, [...path, 'labels']),
      annotations: this.stringMap(value.annotations, [...path, 'annotations']),
      line: position.line,
      column: position.col,
    };
    // Both names are kept for validation: a rule with both set is an error.
    this.writtenNames.set(definition, { recordName: record, alertName: alert });
    return definition;
  }

  private string(value: unknown, path: Path): string {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (isYamlScalar(value) && !(value.value instanceof Uint8Array)) return value.source;
    this.shape(path, `cannot unmarshal ${kindOf(value)} into string`);
    return '';
  }

  private duration(value: unknown, path: Path): number {
    const text = this.string(value, path);
    if (text === '') return 0;
    try {
      return parseDuration(text);
    } catch (error) {
      this.shape(path, (error as Error).message);
      return 0;
    }
  }

  private integer(value: unknown, path: Path): number {
    if (value === undefined || value === null) return 0;
    if (isYamlScalar(value)) {
      const n = typeof value.value === 'bigint' ? Number(value.value) : value.value;
      if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
    }
    this.shape(path, `cannot unmarshal ${kindOf(value)} into int`);
    return 0;
  }

  private stringMap(value: unknown, path: Path): Record<string, string> {
    const out: Record<string, string> = {};
    if (value === undefined || value === null) return out;
    if (!isMapping(value)) {
      this.shape(path, `cannot unmarshal ${kindOf(value)} into map[string]string`);
      return out;
    }
    for (const [key, item] of Object.entries(value)) out[key] = this.string(item, [...path, key]);
    return out;
  }

  /** rulefmt's RuleGroups.Validate and Rule.Validate, in Prometheus's order. */
  private validateGroups(groups: RuleGroupDefinition[]): void {
    const seen = new Set<string>();
    groups.forEach((group, groupIndex) => {
      const groupPath: Path = ['groups', groupIndex];
      if (group.name === '') this.errors.push(`${this.at(groupPath)}: Groupname must not be empty`);
      if (seen.has(group.name)) this.errors.push(`${this.at(groupPath)}: groupname: "${group.name}" is repeated in the same file`);
      seen.add(group.name);
      for (const name of Object.keys(group.labels)) {
        if (!isValidName(name, this.scheme, false) || name === '__name__') this.errors.push(`${this.at([...groupPath, 'labels', name], true)}: invalid label name: ${name}`);
      }
      group.rules.forEach((rule, ruleIndex) => {
        const rulePath: Path = [...groupPath, 'rules', ruleIndex];
        const prefix = `group ${JSON.stringify(group.name)}, rule ${ruleIndex + 1}, ${JSON.stringify(rule.name)}`;
        for (const problem of this.validateRule(rule, rulePath)) this.errors.push(`${problem.at}: ${prefix}: ${problem.message}`);
      });
    });
  }

  private validateRule(rule: RuleDefinition, path: Path): { at: string; message: string }[] {
    const problems: { at: string; message: string }[] = [];
    const names = this.writtenNames.get(rule) ?? { recordName: '', alertName: '' };
    const has = (key: string) => this.yaml.hasKey(path, key);
    const recordAt = has('record') ? this.at([...path, 'record']) : this.at(path);
    if (names.recordName !== '' && names.alertName !== '') problems.push({ at: recordAt, message: "only one of 'record' and 'alert' must be set" });
    if (names.recordName === '' && names.alertName === '') problems.push({ at: this.at(path), message: "one of 'record' or 'alert' must be set" });
    const exprAt = has('expr') ? this.at([...path, 'expr']) : this.at(path);
    if (rule.expr === '') problems.push({ at: exprAt, message: "field 'expr' must be set in rule" });
    else {
      try {
        rule.query = parseExpr(rule.expr);
      } catch (error) {
        problems.push({ at: exprAt, message: `could not parse expression: ${(error as Error).message}` });
      }
    }
    if (names.recordName !== '') {
      if (Object.keys(rule.annotations).length > 0) problems.push({ at: recordAt, message: "invalid field 'annotations' in recording rule" });
      if (rule.forMs !== 0) problems.push({ at: recordAt, message: "invalid field 'for' in recording rule" });
      if (rule.keepFiringForMs !== 0) problems.push({ at: recordAt, message: "invalid field 'keep_firing_for' in recording rule" });
      if (!isValidName(names.recordName, this.scheme, true)) problems.push({ at: recordAt, message: `invalid recording rule name: ${names.recordName}` });
      if (/[{}]/.test(names.recordName)) problems.push({ at: recordAt, message: `braces present in the recording rule name; should it be in expr?: ${names.recordName}` });
    }
    for (const name of Object.keys(rule.labels)) {
      if (!isValidName(name, this.scheme, false) || name === '__name__') problems.push({ at: this.at([...path, 'labels', name], true), message: `invalid label name: ${name}` });
    }
    for (const name of Object.keys(rule.annotations)) {
      if (!isValidName(name, this.scheme, false)) problems.push({ at: this.at([...path, 'annotations', name], true), message: `invalid annotation name: ${name}` });
    }
    if (names.alertName !== '') {
      for (const [name, text] of Object.entries(rule.labels)) {
        const error = templateParseError(rule.name, text);
        if (error !== null) problems.push({ at: this.at([...path, 'labels', name]), message: `label ${JSON.stringify(name)}: ${error}` });
      }
      for (const [name, text] of Object.entries(rule.annotations)) {
        const error = templateParseError(rule.name, text);
        if (error !== null) problems.push({ at: this.at([...path, 'annotations', name]), message: `annotation ${JSON.stringify(name)}: ${error}` });
      }
    }
    return problems;
  }
}

/** Parses an alert label or annotation template as Prometheus's ParseTest does; null when it parses. */
function templateParseError(alertName: string, text: string): string | null {
  const template = new Template(`__alert_${alertName}`, { missingKey: 'zero' });
  template.addFunctions(prometheusFunctions({ timestampMilliseconds: 0 }));
  try {
    template.parse(alertTemplatePrefix + text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isYamlScalar(value);
}

function kindOf(value: unknown): string {
  if (isYamlScalar(value)) return `!!${typeof value.value === 'boolean' ? 'bool' : typeof value.value === 'number' ? (Number.isInteger(value.value) ? 'int' : 'float') : 'str'} \`${value.source}\``;
  if (value === null || value === undefined) return '!!null';
  if (typeof value === 'string') return `!!str \`${value}\``;
  if (Array.isArray(value)) return '!!seq';
  return '!!map';
}
