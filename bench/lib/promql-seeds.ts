/**
 * The PromQL expressions of the seed guides (`../shared/seeds/*.txt` beside the repository, or any directory of text
 * files): `expr:` lines of rule files (one-line and `|`/`>` blocks), `"expr"` fields of dashboard
 * JSON, and ```promql fenced blocks. Grafana variables are replaced by concrete values, and each
 * expression's selectors (metric names, label matchers) and grouping labels are read off so that
 * bench/lib/promql-workload.ts can generate data they select.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface SeedExpression {
  expr: string;
  /** `file:line` where it was found. */
  source: string;
}

/** Concrete values for Grafana's variables (`$__rate_interval`, `${job}`, `[[instance]]` …). */
export const GRAFANA_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '6h',
  __range_s: '21600',
  interval: '1m',
  job: 'app',
  instance: 'host-0:9100',
  namespace: 'default',
  pod: 'app-0',
  service: 'app',
  environment: 'production',
  env: 'production',
};

export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return GRAFANA_VARIABLES[name] ?? (name.startsWith('__') ? whole : 'x');
  });
}

function unquoteYaml(value: string): string {
  const v = value.trim();
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) return JSON.parse(v) as string;
  if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) return v.slice(1, -1).replaceAll("''", "'");
  return v.replace(/\s+#.*$/, '');
}

/** Every PromQL expression in one text, in order of appearance (duplicates kept). */
export function extractExpressions(text: string, file = 'input'): SeedExpression[] {
  const lines = text.split('\n');
  const out: SeedExpression[] = [];
  const push = (expr: string, line: number) => {
    const normalized = substituteGrafanaVariables(expr.replace(/\s+/g, ' ').trim());
    if (normalized !== '') out.push({ expr: normalized, source: `${basename(file)}:${line + 1}` });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const json = /"expr"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(line);
    if (json) {
      push(JSON.parse(json[1]) as string, i);
      continue;
    }
    const yaml = /^(\s*)(?:-\s+)?expr:\s*(.*)$/.exec(line);
    if (yaml) {
      const value = yaml[2].trim();
      if (/^[|>][-+]?$/.test(value)) {
        // A block scalar: the following lines indented deeper than the key.
        const keyIndent = line.indexOf('expr:');
        const parts: string[] = [];
        let j = i + 1;
        for (; j < lines.length; j++) {
          const next = lines[j];
          if (next.trim() === '') continue;
          if (next.length - next.trimStart().length <= keyIndent) break;
          parts.push(next.trim());
        }
        push(parts.join(' '), i);
        i = j - 1;
      } else {
        push(unquoteYaml(value), i);
      }
      continue;
    }
    if (/^\s*```promql\s*$/.test(line)) {
      // Comment lines and blank lines separate the expressions of one block.
      let parts: string[] = [];
      let first = i + 1;
      let j = i + 1;
      for (; j < lines.length && !/^\s*```/.test(lines[j]); j++) {
        const content = lines[j].replace(/(^|\s+)#.*$/, '');
        if (content.trim() === '') {
          if (parts.length > 0) push(parts.join(' '), first);
          parts = [];
          first = j + 1;
        } else {
          parts.push(content);
        }
      }
      if (parts.length > 0) push(parts.join(' '), first);
      i = j;
    }
  }
  return out;
}

/** Expressions of every `*.txt` file in `dir`, deduplicated (first source kept). */
export function seedExpressions(dir: string): SeedExpression[] {
  const seen = new Set<string>();
  const out: SeedExpression[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    for (const found of extractExpressions(readFileSync(join(dir, file), 'utf8'), file)) {
      if (seen.has(found.expr)) continue;
      seen.add(found.expr);
      out.push(found);
    }
  }
  return out;
}

export interface SelectorUse {
  metric: string;
  /** label → values named by `=` matchers, and the regexes of `=~` matchers. */
  equal: Map<string, Set<string>>;
  regex: Map<string, Set<string>>;
}

export interface ExpressionShape {
  selectors: SelectorUse[];
  /** Labels named in by/without/on/ignoring/group_x clauses. */
  groupingLabels: Set<string>;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan', 'start', 'end']);

/**
 * Reads the selectors of a (well-formed) expression without a full parser: strings, numbers,
 * durations and grouping clauses are masked first, then every identifier not followed by `(` is a
 * metric name, with the `{…}` that may follow it.
 */
export function expressionShape(expr: string): ExpressionShape {
  const groupingLabels = new Set<string>();
  const strings: string[] = [];
  let masked = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (s) => {
    strings.push(s.startsWith('`') ? s.slice(1, -1) : (JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replaceAll('"', '\\"')}"` : s) as string));
    // A private-use character per string: no digit for the number masking below to eat.
    return String.fromCharCode(0xe000 + strings.length - 1);
  });
  masked = masked.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_whole, _keyword: string, labels: string) => {
    for (const label of labels.split(',').map((l) => l.trim()).filter(Boolean)) groupingLabels.add(label);
    return ' ';
  });
  masked = masked.replace(/\[[^\]]*\]/g, ' ').replace(/(^|[^\w:])\d+(\.\d+)?([eE][+-]?\d+)?/g, '$1 ');
  const selectors: SelectorUse[] = [];
  const selector = /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[^}]*\})?/g;
  for (let match = selector.exec(masked); match !== null; match = selector.exec(masked)) {
    if (match[0] === '') {
      selector.lastIndex++;
      continue;
    }
    const name = match[1];
    const braces = match[2];
    const rest = masked.slice(selector.lastIndex).trimStart();
    if (name !== undefined && (rest.startsWith('(') || KEYWORDS.has(name.toLowerCase())) && braces === undefined) continue;
    if (name === undefined && braces === undefined) continue;
    const use: SelectorUse = { metric: name ?? '', equal: new Map(), regex: new Map() };
    for (const m of (braces ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*([\ue000-\uf8ff])/g)) {
      const value = strings[m[3].charCodeAt(0) - 0xe000];
      if (m[1] === '__name__' && m[2] === '=') use.metric = value;
      const target = m[2] === '=' ? use.equal : m[2] === '=~' ? use.regex : null;
      if (target === null) continue;
      const set = target.get(m[1]) ?? new Set<string>();
      set.add(value);
      target.set(m[1], set);
    }
    if (use.metric !== '') selectors.push(use);
  }
  return { selectors, groupingLabels };
}
