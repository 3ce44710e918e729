import { RE2JS } from 're2js';
import type { Labels } from '../../../model/labels.ts';
import { AnchoredRegex } from '../../../model/regex.ts';
import { QueryError } from '../value.ts';

/**
 * label_replace and label_join. Both validate their string arguments once per query and return the
 * transformation applied to every series; the engine checks the results for duplicate label sets.
 */

/**
 * Prometheus 3 accepts any non-empty valid UTF-8 string as a label name. A JavaScript string is
 * valid UTF-8 text unless it holds a lone surrogate.
 */
export function isValidUtf8LabelName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Returns `labels` with `name` set to `value` (removed when value is empty), keeping the sort order. */
export function setLabel(labels: Labels, name: string, value: string): Labels {
  let index = 0;
  while (index < labels.length && labels[index] < name) index += 2;
  const exists = index < labels.length && labels[index] === name;
  if (exists && labels[index + 1] === value) return labels;
  if (!exists && value === '') return labels;
  const out = labels.slice();
  if (exists) {
    if (value === '') out.splice(index, 2);
    else out[index + 1] = value;
  } else {
    out.splice(index, 0, name, value);
  }
  return out;
}

function getLabelValue(labels: Labels, name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return '';
}

function isLetterOrDigit(character: string): boolean {
  return /^[\p{L}\p{Nd}_]$/u.test(character);
}

/**
 * A replacement template compiled once: literal text and references to capture groups, following
 * Go's Regexp.Expand: `$$` is a dollar sign, `$name`/`${name}` take the longest run of letters,
 * digits and underscores as the name, a name of digits only is a group number (no leading zero),
 * other names are named groups, an unknown group expands to nothing, and a malformed reference
 * keeps its `$` as text.
 */
type TemplatePart = { literal: string } | { group: number };

export function compileTemplate(template: string, namedGroups: Readonly<Record<string, number>>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let rest = template;
  while (rest.length > 0) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    literal += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      literal += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = extractReference(rest);
    if (reference === null) {
      literal += '$';
      continue;
    }
    rest = reference.rest;
    let group = -1;
    if (reference.number >= 0) {
      group = reference.number;
    } else if (Object.hasOwn(namedGroups, reference.name)) {
      group = namedGroups[reference.name];
    }
    if (group >= 0) {
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ group });
    }
  }
  literal += rest;
  if (literal !== '') parts.push({ literal });
  return parts;
}

function extractReference(text: string): { name: string; number: number; rest: string } | null {
  if (text === '') return null;
  let body = text;
  const brace = body[0] === '{';
  if (brace) body = body.slice(1);
  let length = 0;
  for (const character of body) {
    if (!isLetterOrDigit(character)) break;
    length += character.length;
  }
  if (length === 0) return null;
  const name = body.slice(0, length);
  let restStart = length;
  if (brace) {
    if (body[length] !== '}') return null;
    restStart++;
  }
  let number = 0;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 48 || code > 57 || number >= 1e8) {
      number = -1;
      break;
    }
    number = number * 10 + code - 48;
  }
  if (name[0] === '0' && name.length > 1) number = -1;
  return { name, number, rest: body.slice(restStart) };
}

function expandTemplate(parts: readonly TemplatePart[], groups: readonly string[]): string {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) out += part.literal;
    else if (part.group < groups.length) out += groups[part.group];
  }
  return out;
}

/** label_replace(v, dst, replacement, src, regex). */
export function prepareLabelReplace(stringArgs: readonly string[]): (labels: Labels) => Labels {
  const [destination, replacement, source, pattern] = stringArgs;
  let regex: AnchoredRegex;
  let namedGroups: Record<string, number>;
  try {
    regex = new AnchoredRegex(pattern);
    namedGroups = RE2JS.compile(`^(?s:${pattern})$`).namedGroups();
  } catch {
    throw new QueryError('execution', `invalid regular expression in label_replace(): ${pattern}`);
  }
  if (!isValidUtf8LabelName(destination)) {
    throw new QueryError('execution', `invalid destination label name in label_replace(): ${destination}`);
  }
  const template = compileTemplate(replacement, namedGroups);
  return (labels) => {
    const sourceValue = getLabelValue(labels, source);
    if (!regex.matches(sourceValue)) return labels;
    const groups = regex.groups(sourceValue);
    if (groups === null) return labels;
    return setLabel(labels, destination, expandTemplate(template, groups));
  };
}

/** label_join(v, dst, separator, src…). */
export function prepareLabelJoin(stringArgs: readonly string[]): (labels: Labels) => Labels {
  const destination = stringArgs[0];
  const separator = stringArgs[1];
  const sources = stringArgs.slice(2);
  for (const source of sources) {
    if (!isValidUtf8LabelName(source)) {
      throw new QueryError('execution', `invalid source label name in label_join(): ${source}`);
    }
  }
  if (!isValidUtf8LabelName(destination)) {
    throw new QueryError('execution', `invalid destination label name in label_join(): ${destination}`);
  }
  return (labels) => {
    let joined = '';
    for (let i = 0; i < sources.length; i++) {
      if (i > 0) joined += separator;
      joined += getLabelValue(labels, sources[i]);
    }
    return setLabel(labels, destination, joined);
  };
}
