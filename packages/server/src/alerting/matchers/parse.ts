/**
 * Matcher strings as Alertmanager reads them: `matchers:` entries in alertmanager.yml, amtool's
 * arguments and the API's `filter` — `severity="critical"`, `foo=~"a|b"`, bare `a=b`, and lists
 * `{a="b",c!="d"}` or `a=b, c=d`. This is Alertmanager's classic parser (what 0.25 uses and what
 * current versions fall back to), plus double-quoted label names from the newer UTF-8 parser.
 */
import type { LabelSet } from '../types.ts';
import type { MatchType } from './matcher.ts';
import { Matcher, compareMatchers } from './matcher.ts';

const MATCHER = /^[\t\n\f\r ]*([a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*")[\t\n\f\r ]*(=~|=|!=|!~)[\t\n\f\r ]*([\s\S]*?)[\t\n\f\r ]*$/;

/** Parses one matcher (`name op value`). Throws with Alertmanager's messages. */
export function parseMatcher(text: string): Matcher {
  const match = MATCHER.exec(text);
  if (match === null) throw new Error(`bad matcher format: ${text}`);
  const name = match[1].startsWith('"') ? unquoteName(match[1], text) : match[1];
  const type = match[2] as MatchType;
  let raw = match[3];
  let expectTrailingQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (escaped) {
      escaped = false;
      if (char === 'n') value += '\n';
      else if (char === '"' || char === '\\') value += char;
      else value += `\\${char}`;
      continue;
    }
    if (char === '\\') {
      if (i < raw.length - 1) {
        escaped = true;
        continue;
      }
      value += '\\';
    } else if (char === '"') {
      if (!expectTrailingQuote || i < raw.length - 1) throw new Error(`matcher value contains unescaped double quote: ${match[3]}`);
      expectTrailingQuote = false;
    } else {
      value += char;
    }
  }
  if (expectTrailingQuote) throw new Error(`matcher value contains unescaped double quote: ${match[3]}`);
  return new Matcher(type, name, value);
}

function unquoteName(quoted: string, text: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new Error(`bad matcher format: ${text}`);
  }
}

/**
 * Parses a list of matchers: optional surrounding braces, comma-separated (commas inside double
 * quotes do not split). An empty list (`{}` or '') gives no matchers.
 */
export function parseMatchers(text: string): Matcher[] {
  let body = text.startsWith('{') ? text.slice(1) : text;
  body = body.endsWith('}') ? body.slice(0, -1) : body;
  const tokens: string[] = [];
  let insideQuotes = false;
  let escaped = false;
  let token = '';
  for (const char of body) {
    if (char === ',' && !insideQuotes) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (char === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (char === '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token += char;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  return tokens.map(parseMatcher);
}

/** Legacy `match:` (equality) maps as Alertmanager converts them: one `=` matcher per entry. */
export function matchersFromMatchMap(match: Readonly<Record<string, string>>): Matcher[] {
  return Object.entries(match).map(([name, value]) => new Matcher('=', name, value));
}

/**
 * Legacy `match_re:` maps: one `=~` matcher per entry. Alertmanager builds it from the compiled
 * regex's source, which it anchored when reading the config, so the matcher's value (and the route
 * key amtool and webhook group keys show) is `^(?:re)$`, not the regex as written.
 */
export function matchersFromMatchRegexMap(match: Readonly<Record<string, string>>): Matcher[] {
  return Object.entries(match).map(([name, value]) => new Matcher('=~', name, `^(?:${value})$`));
}

/** Sorts matchers in place as Alertmanager does before printing route keys. */
export function sortMatchers(matchers: Matcher[]): Matcher[] {
  return matchers.sort(compareMatchers);
}

/**
 * amtool's label arguments (`label=value`, also `label="value"`) → a label set, as `amtool config
 * routes test` reads them: each argument is one matcher, which must be an equality.
 */
export function parseLabelArguments(args: readonly string[]): LabelSet {
  const labels: Record<string, string> = {};
  for (const arg of args) {
    const matcher = parseMatcher(arg);
    if (matcher.type !== '=') throw new Error('labels must be specified as key=value pairs');
    labels[matcher.name] = matcher.value;
  }
  return labels;
}
