/**
 * Alertmanager matchers as the UI edits them: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`. The same text goes into `/api/v2/alerts?filter=…`, so the server (RE2, fully
 * anchored) decides what matches; the UI never evaluates regular expressions itself.
 */
export type MatchOperator = '=' | '!=' | '=~' | '!~';

export const OPERATORS: MatchOperator[] = ['=', '!=', '=~', '!~'];

export interface MatcherInput {
  name: string;
  operator: MatchOperator;
  value: string;
}

/** The API's matcher object (`/api/v2/silences`). */
export interface ApiMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export function toApiMatcher(matcher: MatcherInput): ApiMatcher {
  return { name: matcher.name, value: matcher.value, isRegex: matcher.operator.endsWith('~'), isEqual: !matcher.operator.startsWith('!') };
}

export function fromApiMatcher(matcher: ApiMatcher): MatcherInput {
  const negative = matcher.isEqual === false;
  const operator: MatchOperator = matcher.isRegex ? (negative ? '!~' : '=~') : negative ? '!=' : '=';
  return { name: matcher.name, operator, value: matcher.value };
}

/** `name="value"`, with the value quoted as Alertmanager's parser reads it. */
export function formatMatcher(matcher: MatcherInput): string {
  return `${matcher.name}${matcher.operator}${quote(matcher.value)}`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses one matcher (`name="value"`, quotes optional); null when it is not one. */
export function parseMatcher(text: string): MatcherInput | null {
  const match = MATCHER.exec(text);
  if (match === null) return null;
  const [, name, operator, raw] = match;
  let value = raw;
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return null;
    value = '';
    for (let index = 1; index < raw.length - 1; index++) {
      const character = raw[index];
      if (character === '\\' && index + 1 < raw.length - 1) {
        const next = raw[++index];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else if (character === '"') return null;
      else value += character;
    }
  }
  return { name, operator: operator as MatchOperator, value };
}

/** Parses `{a="b", c=~"d"}` or `a="b", c=~"d"` (commas inside quotes respected); null when any part is not a matcher. */
export function parseMatcherList(text: string): MatcherInput[] | null {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < body.length; index++) {
    const character = body[index];
    if (character === '\\' && quoted) {
      current += character + (body[index + 1] ?? '');
      index++;
      continue;
    }
    if (character === '"') quoted = !quoted;
    if (character === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  if (current.trim() !== '') parts.push(current);
  const matchers: MatcherInput[] = [];
  for (const part of parts) {
    if (part.trim() === '') continue;
    const matcher = parseMatcher(part);
    if (matcher === null) return null;
    matchers.push(matcher);
  }
  return matchers;
}

/** A problem with one matcher as typed, or null. Alertmanager refuses empty names and matchers that match the empty string only. */
export function matcherProblem(matcher: MatcherInput): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(matcher.name)) return 'label name: letters, digits and _ (not starting with a digit)';
  if (matcher.operator.endsWith('~')) {
    try {
      new RegExp(matcher.value);
    } catch (error) {
      return `invalid regular expression: ${(error as Error).message}`;
    }
  }
  return null;
}
