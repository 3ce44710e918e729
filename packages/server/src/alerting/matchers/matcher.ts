/**
 * Alertmanager's label matcher (pkg/labels.Matcher). Unlike Prometheus's selector matchers, the regex
 * is anchored as `^(?:re)$` (no `s` flag: `.` does not match a newline), and the text form quotes
 * names that contain reserved characters, as current Alertmanager does.
 */
import { RE2JS } from 're2js';
import { goQuote } from '../../model/index.ts';
import type { MatchType } from '../../model/index.ts';
import type { LabelSet } from '../types.ts';

// The four operators are the model's; only the regex anchoring and the text form are Alertmanager's.
export type { MatchType };

/** Alertmanager's MatchType order, used when sorting matchers (Matchers.Less). */
const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly regex: RE2JS | null;

  /** Throws when a regex matcher's value does not compile (message as Go's `error parsing regexp`). */
  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    if (type === '=~' || type === '!~') {
      try {
        this.regex = RE2JS.compile(`^(?:${value})$`);
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(message.startsWith('error parsing regexp') ? message : `error parsing regexp: ${message}`, { cause: error });
      }
    } else {
      this.regex = null;
    }
  }

  /** Whether the value (an absent label is the empty string) matches. */
  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return (this.regex as RE2JS).matches(value);
      case '!~':
        return !(this.regex as RE2JS).matches(value);
    }
  }

  /** Whether the label set's value for this matcher's name matches. */
  matchesLabels(labels: LabelSet): boolean {
    return this.matches(Object.hasOwn(labels, this.name) ? labels[this.name] : '');
  }

  isRegex(): boolean {
    return this.type === '=~' || this.type === '!~';
  }

  isEqual(): boolean {
    return this.type === '=' || this.type === '=~';
  }

  /** `name="value"` as Alertmanager prints it; a name with reserved characters is quoted. */
  toString(): string {
    if (/[\s{}!=~,\\"'`]/u.test(this.name)) return `${goQuote(this.name)}${this.type}${goQuote(this.value)}`;
    return `${this.name}${this.type}"${openMetricsEscape(this.value)}"`;
  }
}

/** Whether every matcher matches the label set (Alertmanager's Matchers.Matches). */
export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const matcher of matchers) if (!matcher.matchesLabels(labels)) return false;
  return true;
}

/** Alertmanager's sort order for matchers: by name, then value, then type. */
export function compareMatchers(a: Matcher, b: Matcher): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}

/** `{a="b",c=~"d"}` as Alertmanager's Matchers.String prints a list. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map((matcher) => matcher.toString()).join(',')}}`;
}

function openMetricsEscape(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}
