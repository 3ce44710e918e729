/**
 * File globs with Go's filepath.Glob / filepath.Match semantics, as Prometheus expands rule_files,
 * scrape_config_files and file_sd paths: `*` (not crossing `/`), `?`, `[a-z]`, `[^abc]`, `\` escapes;
 * no `**`. Results are sorted per directory; a pattern without metacharacters yields the path when
 * it exists. Matching nothing is not an error.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class GlobPatternError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
    this.name = 'GlobPatternError';
  }
}

export function hasGlobMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}

/** filepath.Match: whether `name` matches the shell pattern (throws GlobPatternError on a bad pattern). */
export function globMatch(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(name);
  validatePattern(p, pattern);
  return matchFrom(p, 0, s, 0);
}

function validatePattern(p: string[], original: string): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      if (i + 1 >= p.length) throw new GlobPatternError(original);
      i++;
    } else if (p[i] === '[') {
      const end = classEnd(p, i);
      if (end < 0) throw new GlobPatternError(original);
      i = end;
    }
  }
}

/** Index of the `]` closing the class opened at `start`, or -1 when the class is malformed. */
function classEnd(p: string[], start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  let first = true;
  while (i < p.length) {
    if (p[i] === ']' && !first) return i;
    first = false;
    // A range endpoint: an escaped char or a plain one (']' cannot start a class item after the first).
    const lo = readClassChar(p, i);
    if (lo === null) return -1;
    i = lo.next;
    if (p[i] === '-') {
      const hi = readClassChar(p, i + 1);
      if (hi === null || p[i + 1] === ']') return -1;
      i = hi.next;
    }
  }
  return -1;
}

function readClassChar(p: string[], i: number): { ch: string; next: number } | null {
  if (i >= p.length) return null;
  if (p[i] === '\\') {
    if (i + 1 >= p.length) return null;
    return { ch: p[i + 1], next: i + 2 };
  }
  // Go treats an unescaped '-' or ']' at an item start as a syntax error (a closing ']' is handled by the caller).
  if (p[i] === '-' || p[i] === ']') return null;
  return { ch: p[i], next: i + 1 };
}

function matchClass(p: string[], start: number, c: string): { matched: boolean; next: number } {
  const end = classEnd(p, start);
  let i = start + 1;
  let negated = false;
  if (p[i] === '^') {
    negated = true;
    i++;
  }
  let matched = false;
  const cp = c.codePointAt(0) as number;
  while (i < end) {
    const lo = readClassChar(p, i) as { ch: string; next: number };
    i = lo.next;
    let hiCh = lo.ch;
    if (p[i] === '-') {
      const hi = readClassChar(p, i + 1) as { ch: string; next: number };
      hiCh = hi.ch;
      i = hi.next;
    }
    if ((lo.ch.codePointAt(0) as number) <= cp && cp <= (hiCh.codePointAt(0) as number)) matched = true;
  }
  return { matched: matched !== negated, next: end + 1 };
}

function matchFrom(p: string[], pi: number, s: string[], si: number): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) {
        for (let k = si; k < s.length; k++) if (s[k] === '/') return false;
        return true;
      }
      for (let k = si; k <= s.length; k++) {
        if (matchFrom(p, pi, s, k)) return true;
        if (k < s.length && s[k] === '/') return false;
      }
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      if (s[si] === '/') return false;
      pi++;
      si++;
    } else if (c === '[') {
      if (s[si] === '/') return false;
      const { matched, next } = matchClass(p, pi, s[si]);
      if (!matched) return false;
      pi = next;
      si++;
    } else {
      const literal = c === '\\' ? p[pi + 1] : c;
      if (s[si] !== literal) return false;
      pi += c === '\\' ? 2 : 1;
      si++;
    }
  }
  return si === s.length;
}

/** filepath.Glob: the paths matching `pattern`, sorted per directory; [] when nothing matches. */
export async function glob(pattern: string): Promise<string[]> {
  if (!hasGlobMeta(pattern)) {
    try {
      await lstat(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const sep = pattern.lastIndexOf('/');
  const dirPart = sep < 0 ? '' : pattern.slice(0, sep + 1);
  const filePart = pattern.slice(sep + 1);
  let dir = dirPart === '' ? '.' : dirPart.length > 1 ? dirPart.slice(0, -1) : dirPart;
  if (dir === '') dir = '/';
  validatePattern(Array.from(filePart), pattern);
  if (!hasGlobMeta(dir)) return globDir(dir, filePart, dirPart === '');
  if (dir === pattern) throw new GlobPatternError(pattern);
  const out: string[] = [];
  for (const d of await glob(dir)) out.push(...(await globDir(d, filePart, false)));
  return out;
}

async function globDir(dir: string, pattern: string, relative: boolean): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
  } catch {
    return [];
  }
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: string[] = [];
  for (const name of names) if (globMatch(pattern, name)) out.push(relative ? name : join(dir, name));
  return out;
}
