import { AnchoredRegex } from './regex.ts';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher such as `job=~"api|web"`. An absent label matches as the empty string. */
export class LabelMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  private readonly regex: AnchoredRegex | null;

  constructor(type: MatchType, name: string, value: string) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.regex = type === '=~' || type === '!~' ? new AnchoredRegex(value) : null;
  }

  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return (this.regex as AnchoredRegex).matches(value);
      case '!~':
        return !(this.regex as AnchoredRegex).matches(value);
    }
  }

  /** True when the matcher accepts the empty string, i.e. also series without the label. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  /** The same matcher without negation (`!=` → `=`, `!~` → `=~`). */
  positive(): LabelMatcher {
    if (this.type === '!=') return new LabelMatcher('=', this.name, this.value);
    if (this.type === '!~') return new LabelMatcher('=~', this.name, this.value);
    return this;
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}
