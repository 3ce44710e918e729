import { RE2JS } from 're2js';

/**
 * A regular expression with RE2 semantics, fully anchored as Prometheus anchors label matchers and
 * relabel regexes (`^(?s:re)$`). Matching is linear in the input, so a user's pattern cannot hang the
 * server. Plain literals and `a|b|c` alternations of literals skip the regex engine entirely.
 */
export class AnchoredRegex {
  readonly source: string;
  private readonly literals: ReadonlySet<string> | null;
  private readonly compiled: RE2JS | null;
  /** When the pattern is `prefix.*`, the prefix; lets `foo.*` run as startsWith. */
  private readonly prefix: string | null;

  constructor(source: string) {
    this.source = source;
    this.literals = literalAlternatives(source);
    this.prefix = this.literals === null ? literalPrefixDotStar(source) : null;
    if (this.literals === null && this.prefix === null) {
      try {
        this.compiled = RE2JS.compile(`^(?s:${source})$`);
      } catch (error) {
        throw new Error(`invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`, { cause: error });
      }
    } else {
      this.compiled = null;
    }
  }

  matches(value: string): boolean {
    if (this.literals !== null) return this.literals.has(value);
    if (this.prefix !== null) return value.startsWith(this.prefix);
    return (this.compiled as RE2JS).matches(value);
  }

  /** The capture groups of a full match (index 0 is the whole), or null when it does not match. */
  groups(value: string): string[] | null {
    const re = this.compiled ?? RE2JS.compile(`^(?s:${this.source})$`);
    const matcher = re.matcher(value);
    if (!matcher.matches()) return null;
    const out: string[] = [];
    for (let i = 0; i <= matcher.groupCount(); i++) out.push(matcher.group(i) ?? '');
    return out;
  }
}

const META = /[\\.+*?()|[\]{}^$]/;

function literalAlternatives(source: string): ReadonlySet<string> | null {
  const parts = source.split('|');
  for (const part of parts) if (META.test(part)) return null;
  return new Set(parts);
}

function literalPrefixDotStar(source: string): string | null {
  if (!source.endsWith('.*')) return null;
  const prefix = source.slice(0, -2);
  return META.test(prefix) ? null : prefix;
}
