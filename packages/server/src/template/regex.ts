/**
 * Go regexp's unanchored MatchString and ReplaceAllString on RE2 (re2js) — user patterns never
 * reach JavaScript's backtracking RegExp.
 */
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS>();

/** Compiles with Go's error wording ("error parsing regexp: …"). */
export function compileRegex(pattern: string): RE2JS {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.startsWith('error parsing regexp') ? message : `error parsing regexp: ${message}`, { cause: error });
    }
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** regexp.MatchString: does the pattern match anywhere in the text? */
export function regexMatch(pattern: string, text: string): boolean {
  return compileRegex(pattern).matcher(text).find();
}

/**
 * regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` expand to groups (the longest run of
 * letters, digits and `_` is the name, so `$1x` is the group named "1x"); `$$` is a dollar.
 * Empty matches right after a previous match are skipped, as in Go.
 */
export function regexReplaceAll(pattern: string, replacement: string, text: string): string {
  const compiled = compileRegex(pattern);
  const matcher = compiled.matcher(text);
  const groupCount = matcher.groupCount();
  const namedGroups = compiled.namedGroups();
  let output = '';
  let lastMatchEnd = 0;
  let searchPosition = 0;
  while (searchPosition <= text.length) {
    if (!matcher.find(searchPosition)) break;
    const start = matcher.start();
    const end = matcher.end();
    output += text.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) output += expandReplacement(replacement, (name) => {
      const index = /^\d+$/.test(name) ? Number(name) : namedGroups[name];
      if (index === undefined || index > groupCount) return '';
      return matcher.group(index) ?? '';
    });
    lastMatchEnd = end;
    const codePoint = text.codePointAt(searchPosition);
    const width = codePoint !== undefined && codePoint > 0xffff ? 2 : 1;
    if (searchPosition + width > end) searchPosition += width;
    else if (searchPosition + 1 > end) searchPosition++;
    else searchPosition = end;
  }
  return output + text.slice(lastMatchEnd);
}

function expandReplacement(template: string, group: (name: string) => string): string {
  let output = '';
  for (let index = 0; index < template.length; index++) {
    const character = template[index];
    if (character !== '$') {
      output += character;
      continue;
    }
    const rest = template.slice(index + 1);
    if (rest.startsWith('$')) {
      output += '$';
      index++;
      continue;
    }
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    const bare = /^[A-Za-z0-9_]+/.exec(rest);
    if (braced !== null) {
      output += group(braced[1]);
      index += braced[0].length;
    } else if (bare !== null) {
      output += group(bare[0]);
      index += bare[0].length;
    } else output += '$';
  }
  return output;
}
