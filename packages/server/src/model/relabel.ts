/**
 * Prometheus relabeling: the `relabel_configs` / `metric_relabel_configs` / `write_relabel_configs` /
 * `alert_relabel_configs` machinery. Semantics follow Prometheus's model/relabel package: the actions
 * run in order over a label builder, `$1` / `${name}` templates expand as Go's regexp.Expand does, and
 * a label set to the empty value is removed.
 */
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import type { Labels } from './labels.ts';
import { compareStrings, isValidLabelName } from './labels.ts';
import { AnchoredRegex } from './regex.ts';

export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

export const RELABEL_ACTIONS: readonly RelabelAction[] = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
];

export interface RelabelConfig {
  sourceLabels: string[];
  separator: string;
  regex: AnchoredRegex;
  modulus: number;
  targetLabel: string;
  replacement: string;
  action: RelabelAction;
}

export const DEFAULT_RELABEL_SEPARATOR = ';';
export const DEFAULT_RELABEL_REGEX = '(.*)';
export const DEFAULT_RELABEL_REPLACEMENT = '$1';

const DEFAULT_REGEX = new AnchoredRegex(DEFAULT_RELABEL_REGEX);

/** A relabel config with Prometheus's defaults (separator `;`, regex `(.*)`, replacement `$1`, action replace). */
export type RelabelConfigFields = Partial<Omit<RelabelConfig, 'regex'>> & { regex?: AnchoredRegex | string };

export function relabelConfig(fields: RelabelConfigFields): RelabelConfig {
  const regex = fields.regex === undefined ? DEFAULT_REGEX : typeof fields.regex === 'string' ? new AnchoredRegex(fields.regex) : fields.regex;
  return {
    sourceLabels: fields.sourceLabels ?? [],
    separator: fields.separator ?? DEFAULT_RELABEL_SEPARATOR,
    regex,
    modulus: fields.modulus ?? 0,
    targetLabel: fields.targetLabel ?? '',
    replacement: fields.replacement ?? DEFAULT_RELABEL_REPLACEMENT,
    action: fields.action ?? 'replace',
  };
}

export function isRelabelAction(value: string): value is RelabelAction {
  return (RELABEL_ACTIONS as readonly string[]).includes(value);
}

/** Target labels of `replace` may hold `$var` / `${var}` references besides legacy name characters. */
function isValidTemplatedLabelName(name: string): boolean {
  // ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$, written out by hand.
  let i = 0;
  if (name === '') return false;
  let sawStart = false;
  while (i < name.length) {
    const c = name[i];
    if (c === '$') {
      if (name[i + 1] === '{') {
        let j = i + 2;
        while (j < name.length && isWordChar(name[j])) j++;
        if (j === i + 2 || name[j] !== '}') return false;
        i = j + 1;
      } else {
        let j = i + 1;
        while (j < name.length && isWordChar(name[j])) j++;
        if (j === i + 1) return false;
        i = j;
      }
      sawStart = true;
    } else if (isWordChar(c)) {
      if (!sawStart && c >= '0' && c <= '9') return false;
      sawStart = true;
      i++;
    } else {
      return false;
    }
  }
  return true;
}

function isWordChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
}

/**
 * Checks a relabel config as Prometheus's relabel.Config.Validate does (legacy label-name rules).
 * Returns an error message, or null when the config is valid.
 */
export function validateRelabelConfig(cfg: RelabelConfig, fieldsSet?: ReadonlySet<string>): string | null {
  const { action } = cfg;
  if (action === 'hashmod' && cfg.modulus === 0) return 'relabel configuration for hashmod requires non-zero modulus';
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(action) && cfg.targetLabel === '') {
    return `relabel configuration for ${action} action requires 'target_label' value`;
  }
  const hasVar = cfg.targetLabel.includes('$');
  if (action === 'replace' && !hasVar && !isValidLabelName(cfg.targetLabel)) {
    return `${JSON.stringify(cfg.targetLabel)} is invalid 'target_label' for ${action} action`;
  }
  if (action === 'replace' && hasVar && !isValidTemplatedLabelName(cfg.targetLabel)) {
    return `${JSON.stringify(cfg.targetLabel)} is invalid 'target_label' for ${action} action`;
  }
  const targetOnly = ['lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (targetOnly.includes(action) && !isValidLabelName(cfg.targetLabel)) {
    return `${JSON.stringify(cfg.targetLabel)} is invalid 'target_label' for ${action} action`;
  }
  if (targetOnly.includes(action) && cfg.replacement !== DEFAULT_RELABEL_REPLACEMENT) {
    return `'replacement' can not be set for ${action} action`;
  }
  if (action === 'labelmap' && !isValidTemplatedLabelName(cfg.replacement)) {
    return `${JSON.stringify(cfg.replacement)} is invalid 'replacement' for ${action} action`;
  }
  if (action === 'hashmod' && !isValidLabelName(cfg.targetLabel)) {
    return `${JSON.stringify(cfg.targetLabel)} is invalid 'target_label' for ${action} action`;
  }
  if (action === 'keepequal' || action === 'dropequal') {
    if (
      cfg.regex.source !== DEFAULT_RELABEL_REGEX ||
      cfg.modulus !== 0 ||
      cfg.separator !== DEFAULT_RELABEL_SEPARATOR ||
      cfg.replacement !== DEFAULT_RELABEL_REPLACEMENT
    ) {
      return `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`;
    }
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    // Prometheus distinguishes an absent source_labels (nil) from an empty list; fieldsSet carries that.
    const sourceSet = fieldsSet ? fieldsSet.has('source_labels') : cfg.sourceLabels.length > 0;
    if (
      sourceSet ||
      cfg.targetLabel !== '' ||
      cfg.modulus !== 0 ||
      cfg.separator !== DEFAULT_RELABEL_SEPARATOR ||
      cfg.replacement !== DEFAULT_RELABEL_REPLACEMENT
    ) {
      return `${action} action requires only 'regex', and no other fields`;
    }
  }
  return null;
}

/**
 * A label builder shaped like Prometheus's labels.Builder: a sorted base, plus deletions and additions.
 * Its iteration order (base survivors, then additions in insertion order) decides which write wins
 * when labelmap maps two labels onto one name, so it is kept exactly.
 */
interface Builder {
  base: Labels;
  del: string[];
  add: string[]; // flat name/value pairs
}

function builderGet(b: Builder, name: string): string {
  for (let i = 0; i < b.add.length; i += 2) if (b.add[i] === name) return b.add[i + 1];
  if (b.del.includes(name)) return '';
  for (let i = 0; i < b.base.length; i += 2) if (b.base[i] === name) return b.base[i + 1];
  return '';
}

function builderDel(b: Builder, name: string): void {
  for (let i = 0; i < b.add.length; i += 2) {
    if (b.add[i] === name) {
      b.add.splice(i, 2);
      i -= 2;
    }
  }
  b.del.push(name);
}

function builderSet(b: Builder, name: string, value: string): void {
  if (value === '') {
    builderDel(b, name);
    return;
  }
  for (let i = 0; i < b.add.length; i += 2) {
    if (b.add[i] === name) {
      b.add[i + 1] = value;
      return;
    }
  }
  b.add.push(name, value);
}

/** Snapshot of the builder's current labels in Prometheus's Range order. */
function builderPairs(b: Builder): string[] {
  const out: string[] = [];
  const addNames = new Set<string>();
  for (let i = 0; i < b.add.length; i += 2) addNames.add(b.add[i]);
  const del = new Set(b.del);
  for (let i = 0; i < b.base.length; i += 2) {
    const name = b.base[i];
    if (!del.has(name) && !addNames.has(name)) out.push(name, b.base[i + 1]);
  }
  for (let i = 0; i < b.add.length; i++) out.push(b.add[i]);
  return out;
}

function builderLabels(b: Builder): Labels {
  if (b.del.length === 0 && b.add.length === 0) return b.base;
  const pairs = builderPairs(b);
  const order: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i + 1] !== '') order.push(i);
  order.sort((x, y) => compareStrings(pairs[x], pairs[y]));
  const out: string[] = [];
  for (const i of order) out.push(pairs[i], pairs[i + 1]);
  return out;
}

/**
 * Applies configs in order. Returns the new canonical Labels, or null when a keep/drop-style action
 * drops the series or target.
 */
export function relabel(labels: Labels, configs: readonly RelabelConfig[]): Labels | null {
  if (configs.length === 0) return labels;
  const b: Builder = { base: labels, del: [], add: [] };
  for (const cfg of configs) {
    if (!applyOne(cfg, b)) return null;
  }
  return builderLabels(b);
}

function applyOne(cfg: RelabelConfig, b: Builder): boolean {
  let val: string;
  if (cfg.sourceLabels.length === 1) val = builderGet(b, cfg.sourceLabels[0]);
  else {
    const values: string[] = [];
    for (const name of cfg.sourceLabels) values.push(builderGet(b, name));
    val = values.join(cfg.separator);
  }
  switch (cfg.action) {
    case 'drop':
      return !cfg.regex.matches(val);
    case 'keep':
      return cfg.regex.matches(val);
    case 'dropequal':
      return builderGet(b, cfg.targetLabel) !== val;
    case 'keepequal':
      return builderGet(b, cfg.targetLabel) === val;
    case 'replace': {
      // Fast path: with the default regex and no templates, the result is the literal replacement.
      if (
        val === '' &&
        cfg.regex.source === DEFAULT_RELABEL_REGEX &&
        !cfg.targetLabel.includes('$') &&
        !cfg.replacement.includes('$')
      ) {
        builderSet(b, cfg.targetLabel, cfg.replacement);
        return true;
      }
      const match = submatch(cfg.regex, val);
      if (match === null) return true;
      const target = expandTemplate(cfg.targetLabel, match);
      if (!isValidLabelName(target)) return true;
      const value = expandTemplate(cfg.replacement, match);
      if (value === '') builderDel(b, target);
      else builderSet(b, target, value);
      return true;
    }
    case 'lowercase':
      builderSet(b, cfg.targetLabel, goToLower(val));
      return true;
    case 'uppercase':
      builderSet(b, cfg.targetLabel, goToUpper(val));
      return true;
    case 'hashmod':
      builderSet(b, cfg.targetLabel, hashMod(val, cfg.modulus));
      return true;
    case 'labelmap': {
      const pairs = builderPairs(b);
      for (let i = 0; i < pairs.length; i += 2) {
        const match = submatch(cfg.regex, pairs[i]);
        if (match !== null) builderSet(b, expandTemplate(cfg.replacement, match), pairs[i + 1]);
      }
      return true;
    }
    case 'labeldrop': {
      const pairs = builderPairs(b);
      for (let i = 0; i < pairs.length; i += 2) if (cfg.regex.matches(pairs[i])) builderDel(b, pairs[i]);
      return true;
    }
    case 'labelkeep': {
      const pairs = builderPairs(b);
      for (let i = 0; i < pairs.length; i += 2) if (!cfg.regex.matches(pairs[i])) builderDel(b, pairs[i]);
      return true;
    }
  }
}

/** `md5(value)`, last 8 bytes read big-endian, modulo `modulus` (Prometheus's hashmod). */
export function hashMod(value: string, modulus: number): string {
  const digest = createHash('md5').update(value, 'utf8').digest();
  const n = digest.readBigUInt64BE(8);
  return (n % BigInt(modulus)).toString();
}

// ---- regex submatches and Go-style template expansion ----

export interface Submatch {
  /** Group texts; undefined for groups that did not participate. */
  groups: (string | undefined)[];
  names: Readonly<Record<string, number>>;
}

const compiledCache = new WeakMap<AnchoredRegex, RE2JS>();

function compiled(regex: AnchoredRegex): RE2JS {
  let re = compiledCache.get(regex);
  if (re === undefined) {
    re = RE2JS.compile(`^(?s:${regex.source})$`);
    compiledCache.set(regex, re);
  }
  return re;
}

function submatch(regex: AnchoredRegex, value: string): Submatch | null {
  if (!regex.matches(value)) return null;
  const re = compiled(regex);
  const m = re.matcher(value);
  if (!m.matches()) return null;
  const groups: (string | undefined)[] = [];
  for (let i = 0; i <= m.groupCount(); i++) {
    const g = m.group(i);
    groups.push(g === null ? undefined : g);
  }
  return { groups, names: re.namedGroups() };
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Expands `$1`, `${1}`, `$name`, `${name}` and `$$` in `template` as Go's regexp.Expand does: a name
 * is the longest run of letters, digits and underscores (so `$1x` names group "1x", which is empty);
 * a malformed reference leaves the `$` as literal text.
 */
export function expandTemplate(template: string, match: Submatch): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const brace = template[i] === '{';
    let j = brace ? i + 1 : i;
    const start = j;
    while (j < template.length) {
      const cp = template.codePointAt(j) as number;
      const ch = String.fromCodePoint(cp);
      if (!NAME_CHAR.test(ch)) break;
      j += ch.length;
    }
    const name = template.slice(start, j);
    if (name === '' || (brace && template[j] !== '}')) {
      out += '$';
      continue;
    }
    i = brace ? j + 1 : j;
    out += groupByName(name, match);
  }
  return out;
}

function groupByName(name: string, match: Submatch): string {
  let num = -1;
  if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0') && name.length <= 9) num = Number(name);
  if (num >= 0) return match.groups[num] ?? '';
  const index = match.names[name];
  return index === undefined ? '' : (match.groups[index] ?? '');
}

// ---- Go's strings.ToLower / ToUpper use simple per-rune case mapping ----

function goToLower(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const lower = ch.toLowerCase();
    // Only U+0130 has a multi-rune full lowering; its simple mapping is the first rune.
    out += [...lower].length === 1 ? lower : String.fromCodePoint(lower.codePointAt(0) as number);
  }
  return out;
}

function goToUpper(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toUpperCase();
  let out = '';
  for (const ch of s) {
    const upper = ch.toUpperCase();
    // Multi-rune full uppercasings (ß → SS) have no simple mapping: Go leaves the rune alone.
    out += [...upper].length === 1 ? upper : ch;
  }
  return out;
}
