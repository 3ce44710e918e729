/**
 * Pull parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text.
 *
 * It walks the body string with index arithmetic and records offsets; strings are only cut when a caller
 * asks for them (seriesText, metricName, labels, …), so a sample whose series is already cached costs no
 * allocation beyond the value. Syntax follows Prometheus's model/textparse lexers (not the looser or stricter
 * readings of the written specs) so that whatever Prometheus scrapes, Vigil scrapes, and vice versa.
 */
import type { ExpositionFormat } from './content-type.ts';
import { floatParseOk, formatOpenMetricsFloat, parseGoFloat } from './float.ts';

export const EntryKind = { Series: 1, Type: 2, Help: 3, Unit: 4, Comment: 5, EOF: 6 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Malformed exposition; `line` is 1-based, the message reads `line N: reason`. */
export class ExpositionError extends Error {
  readonly line: number;
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionError';
    this.line = line;
    this.reason = reason;
  }
}

/** OpenMetrics: "The combined length of the label names and values of an Exemplar's LabelSet MUST NOT exceed 128 UTF-8 character code points." */
export const EXEMPLAR_MAX_LABEL_SET_LENGTH = 128;

const TAB = 9;
const LF = 10;
const CR = 13;
const SP = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;

// Character classes for ASCII; anything >= 128 is in no class.
const NAME_START = 1; // [a-zA-Z_:]
const NAME_CHAR = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_CHAR = 8; // [a-zA-Z0-9_]
const DIGIT = 16; // [0-9]
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const digit = c >= 48 && c <= 57;
  const colon = c === 58;
  CLASS[c] =
    (alpha || colon ? NAME_START : 0) |
    (alpha || colon || digit ? NAME_CHAR : 0) |
    (alpha ? LABEL_START : 0) |
    (alpha || digit ? LABEL_CHAR : 0) |
    (digit ? DIGIT : 0);
}

// Per-label flags.
const NAME_ESCAPED = 1; // quoted name containing a backslash escape
const VALUE_ESCAPED = 2; // value containing a backslash escape

// Metric types that change how labels() renders values (Prometheus normalizes `le` / `quantile`).
const TYPE_OTHER = 0;
const TYPE_HISTOGRAM = 1;
const TYPE_SUMMARY = 2;

const TEXT_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const OPENMETRICS_TYPES = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown'];

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_LIMIT = 9223372036854775808; // 2^63

const MISSING_EOF = 'data does not end with # EOF';

/** Unescapes `\\`, `\"` and `\n` in s[start, end); any other backslash sequence is kept as written (as Prometheus does). */
function unescapeLabel(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end - 1; i++) {
    if (s.charCodeAt(i) !== BACKSLASH) continue;
    const n = s.charCodeAt(i + 1);
    if (n === BACKSLASH || n === QUOTE || n === 110) {
      out += s.slice(from, i) + (n === 110 ? '\n' : n === QUOTE ? '"' : '\\');
      i++;
      from = i + 1;
    }
  }
  return from === start ? s.slice(start, end) : out + s.slice(from, end);
}

/** Unescapes `\\` and `\n` only (text-format HELP); `\"` and other sequences stay as written. */
function unescapeHelp(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end - 1; i++) {
    if (s.charCodeAt(i) !== BACKSLASH) continue;
    const n = s.charCodeAt(i + 1);
    if (n === BACKSLASH || n === 110) {
      out += s.slice(from, i) + (n === 110 ? '\n' : '\\');
      i++;
      from = i + 1;
    }
  }
  return from === start ? s.slice(start, end) : out + s.slice(from, end);
}

/** Number of Unicode code points in s (UTF-16 length minus surrogate pairs). */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

function hasDuplicateName(out: string[], from: number, name: string): boolean {
  for (let j = from; j < out.length; j += 2) if (out[j] === name) return true;
  return false;
}

/** A TYPE, HELP or UNIT line as an earlier parse of the same format gave it (see predictMetadata). */
export interface KnownMetadataLine {
  /** The whole line, as metadataLine() returned it. */
  readonly line: string;
  readonly kind: number;
  /** What metadataName() and metadataText() returned for it. */
  readonly family: string;
  readonly text: string;
}

/** State carried from one piece of an exposition to the next (see the ExpositionParser constructor). */
export interface ParserContinuation {
  /** Line number of the piece's first line. */
  line: number;
  /** The TYPE in force (internal code; absent for the first piece). */
  type?: number;
  more: boolean;
}

export class ExpositionParser {
  private readonly b: string;
  private readonly len: number;
  private readonly om: boolean;
  /** Next unread position. */
  private pos = 0;
  /** Line number at `pos`. */
  private lineNo = 1;
  private entryLine = 0;
  private kind = 0;
  private done = false;
  private failure: ExpositionError | null = null;
  /** Set by quoted(): whether the string just scanned contains a backslash. */
  private quotedEscaped = false;
  /** Cached position of the next backslash / newline at or after some earlier point (len if none). */
  private nextBackslash = -1;
  private nextNewline = -1;
  /** Type named by the last TYPE line (Prometheus keeps it until the next TYPE line). */
  private currentType = TYPE_OTHER;

  // Series entry.
  private seriesStart = 0;
  private seriesEnd = 0;
  private nameStart = -1;
  private nameEnd = -1;
  private nameEscaped = false;
  private labelCount = 0;
  /** Per label: nameStart, nameEnd, valueStart, valueEnd. */
  private labelOffsets = new Int32Array(64);
  private labelFlags = new Uint8Array(16);
  private sampleValue = 0;
  private sampleTs = 0;
  private hasTs = false;

  // Exemplar of the current series entry.
  private hasExemplar = false;
  private exemplarCount = 0;
  private exemplarOffsets = new Int32Array(16);
  private exemplarFlags = new Uint8Array(4);
  private exValue = 0;
  private exTs = 0;
  private exHasTs = false;

  // Type / Help / Unit / Comment entries.
  private metaNameStart = 0;
  private metaNameEnd = 0;
  private metaNameEscaped = false;
  private metaTextStart = 0;
  private metaTextEnd = 0;
  /** Start of the current Type / Help / Unit / Comment line (its `#`). */
  private metaLineStart = 0;

  /** The series text expected next (see predictSeries). */
  private predicted: string | null = null;
  /** The metadata line expected next (see predictMetadata), and whether the current entry is it. */
  private predictedMetadata: KnownMetadataLine | null = null;
  private metadataHit = false;
  /** The current series entry matched the predicted text. */
  private hit = false;
  /** Whether the current series entry's name and labels were lexed (offsets valid). */
  private lexed = false;

  /** More pieces of the same exposition follow this one (no `# EOF` required at its end). */
  private readonly more: boolean;

  /**
   * `continuation` parses one piece of a larger exposition cut at line ends (so a large body never
   * becomes one large string): it carries the line number and the current TYPE from the previous
   * piece's parser (`continuationAfter()`), and `more` says whether further pieces follow.
   */
  constructor(body: string, format: ExpositionFormat, continuation?: ParserContinuation) {
    this.b = body;
    this.len = body.length;
    this.om = format === 'openmetrics';
    this.more = continuation?.more ?? false;
    if (continuation !== undefined) {
      this.lineNo = continuation.line;
      if (continuation.type !== undefined) this.currentType = continuation.type;
    }
  }

  /** Where the next piece starts: for the parser of the piece after this one (after next() returned 0). */
  continuationAfter(more: boolean): ParserContinuation {
    return { line: this.lineNo, type: this.currentType, more };
  }

  /** 1-based line number of the current entry. */
  get line(): number {
    return this.entryLine;
  }

  /** The sample value (Series entries). */
  get value(): number {
    return this.sampleValue;
  }

  /** Timestamp in milliseconds, or undefined when the line has none (Series entries). */
  get timestamp(): number | undefined {
    return this.hasTs ? this.sampleTs : undefined;
  }

  /** Whether the current series entry has an exemplar (cheaper to ask than calling exemplar()). */
  get exemplarFollows(): boolean {
    return this.kind === EntryKind.Series && this.hasExemplar;
  }

  /** The exemplar's value; valid after exemplar() returned true. */
  get exemplarValue(): number {
    return this.exValue;
  }

  /** The exemplar's timestamp in milliseconds, or undefined; valid after exemplar() returned true. */
  get exemplarTimestamp(): number | undefined {
    return this.exHasTs ? this.exTs : undefined;
  }

  /**
   * The series text the caller expects next (one returned by seriesText() for an earlier scrape of the
   * same target), or null. If the next series entry starts with exactly this text, next() skips lexing
   * its labels and predictionHit is true: the entry's seriesText() is then equal to `text`.
   */
  predictSeries(text: string | null): void {
    this.predicted = text === '' ? null : text;
  }

  /**
   * The TYPE, HELP or UNIT line the caller expects next, as an earlier parse in the same format gave
   * it, or null. If the next entry is exactly that line, next() does not lex it again: it returns its
   * kind, applies its TYPE, and the accessors return the known name and text.
   */
  predictMetadata(known: KnownMetadataLine | null): void {
    this.predictedMetadata = known;
  }

  /** Whether the current entry is a series whose text is the one given to predictSeries(). */
  get predictionHit(): boolean {
    return this.hit;
  }

  /**
   * Advances to the next entry and returns its kind, or 0 at the end of input. Throws ExpositionError on
   * malformed input (and throws the same error again if called after that).
   */
  next(): EntryKind | 0 {
    if (this.failure !== null) throw this.failure;
    this.hit = false;
    this.metadataHit = false;
    if (this.done) return 0;
    try {
      return this.advance();
    } catch (err) {
      if (err instanceof ExpositionError) this.failure = err;
      throw err;
    }
  }

  private advance(): EntryKind | 0 {
    const b = this.b;
    const len = this.len;
    for (;;) {
      let p = this.pos;
      if (p >= len) {
        if (this.om && !this.more) throw new ExpositionError(this.lineNo, MISSING_EOF);
        this.done = true;
        this.kind = 0;
        return 0;
      }
      this.entryLine = this.lineNo;
      let c = b.charCodeAt(p);
      if (!this.om) {
        // Text format: leading blanks are allowed and blank lines are skipped.
        while (c === SP || c === TAB) {
          if (++p >= len) {
            this.pos = p;
            this.done = true;
            this.kind = 0;
            return 0;
          }
          c = b.charCodeAt(p);
        }
        if (c === LF) {
          this.pos = p + 1;
          this.lineNo++;
          continue;
        }
      }
      if (c === HASH) {
        this.metaLineStart = p;
        const known = this.predictedMetadata;
        if (known !== null && this.knownLineAt(p, known.line)) return (this.kind = this.knownMetadata(p, known));
        return (this.kind = this.om ? this.openMetricsHash(p) : this.textHash(p));
      }
      return (this.kind = this.series(p));
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Accessors

  /** The series as written: metric name plus label block (Series entries). Identical series give identical strings. */
  seriesText(): string {
    this.expect(EntryKind.Series, 'seriesText');
    return this.b.slice(this.seriesStart, this.seriesEnd);
  }

  /** The metric name, unescaped when it was written in quotes (Series entries). */
  metricName(): string {
    this.expect(EntryKind.Series, 'metricName');
    if (!this.lexed) this.seriesHead(this.seriesStart);
    return this.nameEscaped
      ? unescapeLabel(this.b, this.nameStart, this.nameEnd)
      : this.b.slice(this.nameStart, this.nameEnd);
  }

  /**
   * Appends the label pairs to `out` as [name, value, …] in the order written, `__name__` first, values
   * unescaped. Like Prometheus, `le` of a histogram and `quantile` of a summary (per the last TYPE line) are
   * normalized to OpenMetrics float form (`le="1"` → `"1.0"`). Throws ExpositionError on a duplicate name.
   */
  labels(out: string[]): void {
    this.expect(EntryKind.Series, 'labels');
    if (!this.lexed) this.seriesHead(this.seriesStart);
    const b = this.b;
    const first = out.length;
    out.push('__name__', this.metricName());
    const offsets = this.labelOffsets;
    const flags = this.labelFlags;
    for (let i = 0; i < this.labelCount; i++) {
      const o = i * 4;
      const f = flags[i];
      const name = f & NAME_ESCAPED ? unescapeLabel(b, offsets[o], offsets[o + 1]) : b.slice(offsets[o], offsets[o + 1]);
      let value = f & VALUE_ESCAPED ? unescapeLabel(b, offsets[o + 2], offsets[o + 3]) : b.slice(offsets[o + 2], offsets[o + 3]);
      if (hasDuplicateName(out, first, name)) {
        throw new ExpositionError(this.entryLine, `duplicate label name ${JSON.stringify(name)}`);
      }
      if (
        (this.currentType === TYPE_HISTOGRAM && name === 'le') ||
        (this.currentType === TYPE_SUMMARY && name === 'quantile')
      ) {
        const v = parseGoFloat(value, 0, value.length);
        if (floatParseOk()) value = formatOpenMetricsFloat(v);
      }
      out.push(name, value);
    }
  }

  /**
   * OpenMetrics exemplar of the current Series entry: returns false when there is none; otherwise appends its
   * label pairs to `out` (unescaped, in the order written) and returns true, and exemplarValue /
   * exemplarTimestamp are then valid. The exemplar's syntax is checked by next(); this throws ExpositionError
   * only for the semantic rules (duplicate label name, label set longer than 128 code points), which
   * Prometheus enforces when storing the exemplar (dropping the exemplar, keeping the sample) — a caller
   * wanting that behaviour catches the error here and carries on.
   */
  exemplar(out: string[]): boolean {
    if (this.kind !== EntryKind.Series || !this.hasExemplar) return false;
    const b = this.b;
    const first = out.length;
    const offsets = this.exemplarOffsets;
    const flags = this.exemplarFlags;
    let size = 0;
    for (let i = 0; i < this.exemplarCount; i++) {
      const o = i * 4;
      const f = flags[i];
      const name = f & NAME_ESCAPED ? unescapeLabel(b, offsets[o], offsets[o + 1]) : b.slice(offsets[o], offsets[o + 1]);
      const value = f & VALUE_ESCAPED ? unescapeLabel(b, offsets[o + 2], offsets[o + 3]) : b.slice(offsets[o + 2], offsets[o + 3]);
      if (hasDuplicateName(out, first, name)) {
        out.length = first;
        throw new ExpositionError(this.entryLine, `duplicate exemplar label name ${JSON.stringify(name)}`);
      }
      size += name.length + value.length;
      out.push(name, value);
    }
    if (size > EXEMPLAR_MAX_LABEL_SET_LENGTH) {
      let points = 0;
      for (let j = first; j < out.length; j++) points += codePointLength(out[j]);
      if (points > EXEMPLAR_MAX_LABEL_SET_LENGTH) {
        out.length = first;
        throw new ExpositionError(
          this.entryLine,
          `exemplar label set is ${points} characters long, more than the ${EXEMPLAR_MAX_LABEL_SET_LENGTH} allowed`,
        );
      }
    }
    return true;
  }

  /** The metric (family) name of a Type, Help or Unit entry; '' for a Comment. */
  metadataName(): string {
    if (this.kind === EntryKind.Comment) return '';
    this.expectMetadata('metadataName');
    if (this.metadataHit) return (this.predictedMetadata as KnownMetadataLine).family;
    return this.metaNameEscaped
      ? unescapeLabel(this.b, this.metaNameStart, this.metaNameEnd)
      : this.b.slice(this.metaNameStart, this.metaNameEnd);
  }

  /**
   * The whole line of a Type, Help or Unit entry as written, from its `#` to the end of the line: two
   * equal lines (of the same format) give equal entries.
   */
  metadataLine(): string {
    this.expectMetadata('metadataLine');
    if (this.metadataHit) return (this.predictedMetadata as KnownMetadataLine).line;
    return this.b.slice(this.metaLineStart, this.metaTextEnd);
  }

  /**
   * TYPE: the type as written (validated per format). HELP: the unescaped help text. UNIT: the unit.
   * Comment (text format only): the text after `#` and the blanks that follow it.
   */
  metadataText(): string {
    if (this.kind !== EntryKind.Comment) this.expectMetadata('metadataText');
    if (this.metadataHit) return (this.predictedMetadata as KnownMetadataLine).text;
    if (this.kind === EntryKind.Help) {
      return this.om
        ? unescapeLabel(this.b, this.metaTextStart, this.metaTextEnd)
        : unescapeHelp(this.b, this.metaTextStart, this.metaTextEnd);
    }
    return this.b.slice(this.metaTextStart, this.metaTextEnd);
  }

  private expect(kind: number, what: string): void {
    if (this.kind !== kind) throw new Error(`ExpositionParser.${what}() called on a non-series entry`);
  }

  private expectMetadata(what: string): void {
    const k = this.kind;
    if (k !== EntryKind.Type && k !== EntryKind.Help && k !== EntryKind.Unit) {
      throw new Error(`ExpositionParser.${what}() called on a non-metadata entry`);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Errors

  /** Describes what was found at p, for "expected X, got Y" messages. */
  private describe(p: number): string {
    if (p >= this.len) return 'end of input';
    const c = this.b.charCodeAt(p);
    if (c === LF) return 'end of line';
    if (c === CR) return '"\\r" (carriage return; CRLF line endings are not accepted)';
    return JSON.stringify(String.fromCodePoint(this.b.codePointAt(p) as number));
  }

  private fail(p: number, expected: string): never {
    if (this.om && p >= this.len) throw new ExpositionError(this.lineNo, `${expected}, got end of input (${MISSING_EOF})`);
    throw new ExpositionError(this.lineNo, `${expected}, got ${this.describe(p)}`);
  }

  private invalidNumber(what: string, start: number, end: number): never {
    const token = this.b.slice(start, end);
    const hint = token.indexOf('\r') >= 0 ? ' (carriage return; CRLF line endings are not accepted)' : '';
    throw new ExpositionError(this.lineNo, `invalid ${what} ${JSON.stringify(token)}${hint}`);
  }

  // ---------------------------------------------------------------------------------------------------
  // Series lines

  private series(p0: number): EntryKind {
    this.hasExemplar = false;
    this.seriesStart = p0;
    const predicted = this.predicted;
    // slice + === compares natively at memory speed; startsWith walks the text a character at a time.
    if (predicted !== null && this.b.slice(p0, p0 + predicted.length) === predicted) {
      const end = this.predictedEnd(p0 + predicted.length, predicted);
      if (end >= 0) {
        // The text is one this parser (or an earlier one) lexed before: its name and labels are lexed
        // only if asked for (seriesHead stops right after the text, so it would end where it did then).
        this.hit = true;
        this.lexed = false;
        this.seriesEnd = end;
        return this.om ? this.openMetricsSampleRest(end) : this.textSampleRest(end);
      }
    }
    const p = this.seriesHead(p0);
    return this.om ? this.openMetricsSampleRest(p) : this.textSampleRest(p);
  }

  /** Whether the line at p is exactly `line` (followed by its newline, or by the end of a text-format body). */
  private knownLineAt(p: number, line: string): boolean {
    const end = p + line.length;
    if (line.length === 0 || this.b.slice(p, end) !== line) return false;
    const c = end < this.len ? this.b.charCodeAt(end) : -1;
    return c === LF || (c === -1 && !this.om);
  }

  /** A metadata line known from an earlier parse: its effects without lexing it again. */
  private knownMetadata(p: number, known: KnownMetadataLine): EntryKind {
    this.metadataHit = true;
    this.metaTextEnd = p + known.line.length;
    if (known.kind === EntryKind.Type) {
      this.currentType = known.text === 'histogram' ? TYPE_HISTOGRAM : known.text === 'summary' ? TYPE_SUMMARY : TYPE_OTHER;
    }
    this.finishLine(this.metaTextEnd);
    return known.kind as EntryKind;
  }

  /**
   * Where a series whose text matches `predicted` at `end - predicted.length` ends, or -1 when lexing
   * would not end there: a text without a label block is a prefix of a longer name, or a label block
   * follows it. A text with a raw newline (allowed in text-format values) is not predicted, so line
   * numbers stay right.
   */
  private predictedEnd(end: number, predicted: string): number {
    const b = this.b;
    const len = this.len;
    if (predicted.charCodeAt(predicted.length - 1) === RBRACE) {
      let lf = this.nextNewline;
      if (lf < end - predicted.length) lf = this.nextNewline = this.indexOrEnd('\n', end - predicted.length);
      return lf >= end ? end : -1;
    }
    let c = end < len ? b.charCodeAt(end) : -1;
    if (c >= 0 && c < 128 && CLASS[c] & NAME_CHAR) return -1;
    if (!this.om) {
      let q = end;
      while (c === SP || c === TAB) c = ++q < len ? b.charCodeAt(q) : -1;
    }
    return c === LBRACE ? -1 : end;
  }

  /** Lexes the name and label block of the series at p0; returns the position after them. */
  private seriesHead(p0: number): number {
    const b = this.b;
    const len = this.len;
    let p = p0;
    let c = b.charCodeAt(p);
    this.labelCount = 0;
    this.nameStart = -1;
    this.nameEnd = -1;
    this.nameEscaped = false;
    this.lexed = true;
    if (c < 128 && CLASS[c] & NAME_START) {
      p++;
      while (p < len) {
        c = b.charCodeAt(p);
        if (c >= 128 || (CLASS[c] & NAME_CHAR) === 0) break;
        p++;
      }
      this.nameStart = p0;
      this.nameEnd = p;
      this.seriesEnd = p;
      if (!this.om) {
        while (c === SP || c === TAB) c = ++p < len ? b.charCodeAt(p) : -1;
      }
      if (p < len && c === LBRACE) {
        p = this.labelBlock(p + 1, false);
        this.seriesEnd = p;
      }
    } else if (c === LBRACE) {
      p = this.labelBlock(p + 1, false);
      this.seriesEnd = p;
      if (this.nameStart < 0) {
        throw new ExpositionError(this.lineNo, 'metric name missing: expected a quoted name inside the braces');
      }
    } else {
      this.fail(p, this.om ? 'expected metric name, "{" or "# "' : 'expected metric name, "{" or "#"');
    }
    return p;
  }

  /** Text format: value, optional integer millisecond timestamp, blanks allowed around both. */
  private textSampleRest(p: number): EntryKind {
    const b = this.b;
    const len = this.len;
    let c = p < len ? b.charCodeAt(p) : -1;
    while (c === SP || c === TAB) c = ++p < len ? b.charCodeAt(p) : -1;
    const vs = p;
    while (c !== SP && c !== TAB && c !== LF && c !== LBRACE && c !== -1) c = ++p < len ? b.charCodeAt(p) : -1;
    if (p === vs) this.fail(p, 'expected value after metric');
    this.sampleValue = this.parseFloatToken('value', vs, p);
    this.hasTs = false;
    while (c === SP || c === TAB) c = ++p < len ? b.charCodeAt(p) : -1;
    if (c === -1) {
      this.pos = p;
      return EntryKind.Series;
    }
    if (c === LF) {
      this.pos = p + 1;
      this.lineNo++;
      return EntryKind.Series;
    }
    if (c >= 48 && c <= 57) {
      const ts = p;
      let v = 0;
      while (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        c = ++p < len ? b.charCodeAt(p) : -1;
      }
      if (p - ts > 15) v = this.bigTimestamp(ts, p);
      this.sampleTs = v;
      this.hasTs = true;
      while (c === SP || c === TAB) c = ++p < len ? b.charCodeAt(p) : -1;
      if (c === -1) {
        this.pos = p;
        return EntryKind.Series;
      }
      if (c === LF) {
        this.pos = p + 1;
        this.lineNo++;
        return EntryKind.Series;
      }
      this.fail(p, 'expected end of line after timestamp');
    }
    this.fail(p, 'expected timestamp or end of line after value');
  }

  /** An integer timestamp of more than 15 digits: check int64 range (as strconv.ParseInt) and convert. */
  private bigTimestamp(start: number, end: number): number {
    let s = start;
    while (s < end - 1 && this.b.charCodeAt(s) === 48) s++;
    const digits = this.b.slice(s, end);
    if (digits.length > 19 || (digits.length === 19 && digits > INT64_MAX_DIGITS)) {
      throw new ExpositionError(this.lineNo, `timestamp ${JSON.stringify(this.b.slice(start, end))} out of range`);
    }
    return Number(digits);
  }

  private parseFloatToken(what: string, start: number, end: number): number {
    const v = parseGoFloat(this.b, start, end);
    if (!floatParseOk()) this.invalidNumber(what, start, end);
    return v;
  }

  /** OpenMetrics seconds → milliseconds, truncated toward zero as Go's int64(ts*1000). */
  private openMetricsTimestamp(what: string, start: number, end: number): number {
    const seconds = this.parseFloatToken(what, start, end);
    if (seconds !== seconds || seconds === Infinity || seconds === -Infinity) this.invalidNumber(what, start, end);
    const ms = Math.trunc(seconds * 1000);
    if (ms >= INT64_LIMIT || ms < -INT64_LIMIT) {
      throw new ExpositionError(this.lineNo, `${what} ${JSON.stringify(this.b.slice(start, end))} out of range`);
    }
    return ms + 0; // normalizes -0
  }

  /** True when b[p, p+4) is ` # {`, the start of an exemplar. */
  private atExemplar(p: number): boolean {
    const b = this.b;
    return (
      p + 3 < this.len && b.charCodeAt(p + 1) === HASH && b.charCodeAt(p + 2) === SP && b.charCodeAt(p + 3) === LBRACE
    );
  }

  /** OpenMetrics: exactly one space before the value, the timestamp and the exemplar; no trailing blanks. */
  private openMetricsSampleRest(p: number): EntryKind {
    const b = this.b;
    const len = this.len;
    if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
    let c = b.charCodeAt(p);
    if (c !== SP) this.fail(p, 'expected " " and value after metric');
    const vs = ++p;
    while (p < len && (c = b.charCodeAt(p)) !== SP && c !== LF) p++;
    if (p === vs) this.fail(p, 'expected value after metric');
    this.sampleValue = this.parseFloatToken('value', vs, p);
    this.hasTs = false;
    if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
    if (c === SP) {
      if (this.atExemplar(p)) return this.openMetricsExemplar(p + 4);
      const ts = ++p;
      while (p < len && (c = b.charCodeAt(p)) !== SP && c !== LF) p++;
      if (p === ts) this.fail(p, 'expected timestamp or exemplar after value');
      this.sampleTs = this.openMetricsTimestamp('timestamp', ts, p);
      this.hasTs = true;
      if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
      if (c === SP) {
        if (this.atExemplar(p)) return this.openMetricsExemplar(p + 4);
        this.fail(p, 'expected end of line or " # {" exemplar after timestamp');
      }
    }
    this.pos = p + 1;
    this.lineNo++;
    return EntryKind.Series;
  }

  /** Parses `{labels} value [timestamp]\n` of an exemplar; p is just past its `{`. */
  private openMetricsExemplar(p: number): EntryKind {
    const b = this.b;
    const len = this.len;
    p = this.labelBlock(p, true);
    this.hasExemplar = true;
    if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
    let c = b.charCodeAt(p);
    if (c !== SP) this.fail(p, 'expected " " and value after exemplar labels');
    const vs = ++p;
    while (p < len && (c = b.charCodeAt(p)) !== SP && c !== LF) p++;
    if (p === vs) this.fail(p, 'expected exemplar value');
    this.exValue = this.parseFloatToken('exemplar value', vs, p);
    this.exHasTs = false;
    if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
    if (c === SP) {
      const ts = ++p;
      while (p < len && (c = b.charCodeAt(p)) !== SP && c !== LF) p++;
      if (p === ts) this.fail(p, 'expected exemplar timestamp');
      this.exTs = this.openMetricsTimestamp('exemplar timestamp', ts, p);
      this.exHasTs = true;
      if (p >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
      if (c === SP) this.fail(p, 'expected end of line after exemplar timestamp');
    }
    this.pos = p + 1;
    this.lineNo++;
    return EntryKind.Series;
  }

  /**
   * Scans a quoted string whose opening quote is at p - 1; returns the position after the closing quote and
   * sets quotedEscaped. A backslash escapes any character but a newline. Raw newlines are allowed in the
   * text format (as Prometheus's lexer allows them) and rejected in OpenMetrics.
   */
  private quoted(p: number): number {
    const b = this.b;
    // Fast path: find the closing quote natively; valid when no backslash or newline comes before it. The
    // positions of the next backslash and newline are cached, so each is searched for once per occurrence.
    const q = b.indexOf('"', p);
    if (q >= 0) {
      let bs = this.nextBackslash;
      if (bs < p) bs = this.nextBackslash = this.indexOrEnd('\\', p);
      let lf = this.nextNewline;
      if (lf < p) lf = this.nextNewline = this.indexOrEnd('\n', p);
      if (q < bs && q < lf) {
        this.quotedEscaped = false;
        return q + 1;
      }
    }
    return this.quotedSlow(p);
  }

  private indexOrEnd(ch: string, from: number): number {
    const i = this.b.indexOf(ch, from);
    return i < 0 ? this.len : i;
  }

  private quotedSlow(p: number): number {
    const b = this.b;
    const len = this.len;
    let escaped = false;
    for (;;) {
      if (p >= len) this.fail(p, 'expected closing \'"\'');
      const c = b.charCodeAt(p);
      if (c === QUOTE) {
        this.quotedEscaped = escaped;
        return p + 1;
      }
      if (c === BACKSLASH) {
        if (p + 1 >= len || b.charCodeAt(p + 1) === LF) this.fail(p + 1, 'expected escaped character after "\\"');
        escaped = true;
        p += 2;
        continue;
      }
      if (c === LF) {
        if (this.om) this.fail(p, 'expected closing \'"\' (newlines in quoted strings must be escaped as \\n)');
        this.lineNo++;
      }
      p++;
    }
  }

  /** Skips text-format blanks (OpenMetrics allows none inside a label set). */
  private blanks(p: number): number {
    if (this.om) return p;
    const b = this.b;
    const len = this.len;
    while (p < len) {
      const c = b.charCodeAt(p);
      if (c !== SP && c !== TAB) break;
      p++;
    }
    return p;
  }

  /**
   * Parses a label set; p is just past `{`. Returns the position after `}`. For a series, a quoted string
   * followed by `,` or `}` is the metric name (`{"my.metric", "my.label"="x"}`); exemplars allow no name.
   */
  private labelBlock(p: number, exemplar: boolean): number {
    const b = this.b;
    const len = this.len;
    const om = this.om;
    let offsets = exemplar ? this.exemplarOffsets : this.labelOffsets;
    let flagsOut = exemplar ? this.exemplarFlags : this.labelFlags;
    let n = 0;
    let c = p < len ? b.charCodeAt(p) : -1;
    for (;;) {
      // Blanks are only legal in the text format; OpenMetrics rejects them below as unexpected characters.
      if (!om && (c === SP || c === TAB)) c = (p = this.blanks(p)) < len ? b.charCodeAt(p) : -1;
      if (c === RBRACE) {
        p++;
        break;
      }
      let ns = p;
      let ne: number;
      let flags = 0;
      let quotedName = false;
      if (c >= 0 && c < 128 && CLASS[c] & LABEL_START) {
        p++;
        while (p < len && (c = b.charCodeAt(p)) < 128 && CLASS[c] & LABEL_CHAR) p++;
        ne = p;
        if (p >= len) c = -1;
      } else if (c === QUOTE) {
        p = this.quoted(p + 1);
        ns++;
        ne = p - 1;
        quotedName = true;
        if (this.quotedEscaped) flags = NAME_ESCAPED;
        c = p < len ? b.charCodeAt(p) : -1;
      } else {
        this.fail(p, n === 0 && c !== COMMA ? 'expected label name or "}"' : 'expected label name');
      }
      if (!om && (c === SP || c === TAB)) c = (p = this.blanks(p)) < len ? b.charCodeAt(p) : -1;
      if (c !== EQUALS) {
        if (quotedName && (c === COMMA || c === RBRACE) && !exemplar) {
          // `{"metric.name", …}`: a lone quoted string is the metric name.
          if (this.nameStart >= 0) throw new ExpositionError(this.lineNo, 'metric name given twice');
          if (ne === ns) throw new ExpositionError(this.lineNo, 'empty metric name');
          this.nameStart = ns;
          this.nameEnd = ne;
          this.nameEscaped = flags !== 0;
          p++;
          if (c === RBRACE) break;
          c = p < len ? b.charCodeAt(p) : -1;
          continue;
        }
        this.fail(p, exemplar ? 'expected "=" after exemplar label name' : 'expected "=" after label name');
      }
      if (ne === ns) throw new ExpositionError(this.lineNo, 'empty label name');
      p++;
      c = p < len ? b.charCodeAt(p) : -1;
      if (!om && (c === SP || c === TAB)) c = (p = this.blanks(p)) < len ? b.charCodeAt(p) : -1;
      if (c !== QUOTE) this.fail(p, 'expected label value');
      const vs = p + 1;
      p = this.quoted(vs);
      if (this.quotedEscaped) flags |= VALUE_ESCAPED;
      if (n >= flagsOut.length) {
        this.growLabels(exemplar);
        offsets = exemplar ? this.exemplarOffsets : this.labelOffsets;
        flagsOut = exemplar ? this.exemplarFlags : this.labelFlags;
      }
      const o = n << 2;
      offsets[o] = ns;
      offsets[o + 1] = ne;
      offsets[o + 2] = vs;
      offsets[o + 3] = p - 1;
      flagsOut[n++] = flags;
      c = p < len ? b.charCodeAt(p) : -1;
      if (!om && (c === SP || c === TAB)) c = (p = this.blanks(p)) < len ? b.charCodeAt(p) : -1;
      if (c === COMMA) {
        p++;
        c = p < len ? b.charCodeAt(p) : -1;
      } else if (om && c !== RBRACE) {
        this.fail(p, 'expected "," or "}" after label value');
      }
      // The text format also accepts the next label without a comma, as Prometheus does.
    }
    if (exemplar) this.exemplarCount = n;
    else this.labelCount = n;
    return p;
  }

  private growLabels(exemplar: boolean): void {
    const offsets = exemplar ? this.exemplarOffsets : this.labelOffsets;
    const flags = exemplar ? this.exemplarFlags : this.labelFlags;
    const grownOffsets = new Int32Array(offsets.length * 2);
    grownOffsets.set(offsets);
    const grownFlags = new Uint8Array(flags.length * 2);
    grownFlags.set(flags);
    if (exemplar) {
      this.exemplarOffsets = grownOffsets;
      this.exemplarFlags = grownFlags;
    } else {
      this.labelOffsets = grownOffsets;
      this.labelFlags = grownFlags;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Comment and metadata lines

  private startsWithAt(p: number, word: string): boolean {
    return this.b.startsWith(word, p);
  }

  private regionIs(start: number, end: number, word: string): boolean {
    return end - start === word.length && this.b.startsWith(word, start);
  }

  /** End of the line containing p (index of its LF, or len). */
  private lineEnd(p: number): number {
    const eol = this.b.indexOf('\n', p);
    return eol < 0 ? this.len : eol;
  }

  /** Scans a metric name after HELP/TYPE/UNIT at p (plain or quoted); returns the position after it. */
  private metaName(p: number, keyword: string): number {
    const b = this.b;
    const len = this.len;
    const c = p < len ? b.charCodeAt(p) : -1;
    if (c >= 0 && c < 128 && CLASS[c] & NAME_START) {
      this.metaNameStart = p;
      p++;
      let d: number;
      while (p < len && (d = b.charCodeAt(p)) < 128 && CLASS[d] & NAME_CHAR) p++;
      this.metaNameEnd = p;
      this.metaNameEscaped = false;
      return p;
    }
    if (c === QUOTE) {
      const end = this.quoted(p + 1);
      this.metaNameStart = p + 1;
      this.metaNameEnd = end - 1;
      this.metaNameEscaped = this.quotedEscaped;
      return end;
    }
    this.fail(p, `expected metric name after ${keyword}`);
  }

  /** Text format: `# HELP name text`, `# TYPE name type`, or any other `#` line as a comment. */
  private textHash(p: number): EntryKind {
    const b = this.b;
    const len = this.len;
    let q = p + 1;
    let c = q < len ? b.charCodeAt(q) : -1;
    if (c === SP || c === TAB) {
      q = this.blanks(q);
      const help = this.startsWithAt(q, 'HELP');
      if (help || this.startsWithAt(q, 'TYPE')) {
        c = q + 4 < len ? b.charCodeAt(q + 4) : -1;
        if (c === SP || c === TAB) return this.textMetadata(this.blanks(q + 4), help ? EntryKind.Help : EntryKind.Type);
      }
    }
    // A comment: everything up to the end of the line.
    const eol = this.lineEnd(p);
    this.metaTextStart = this.blanks(p + 1);
    if (this.metaTextStart > eol) this.metaTextStart = eol;
    this.metaTextEnd = eol;
    this.finishLine(eol);
    return EntryKind.Comment;
  }

  private textMetadata(p: number, kind: EntryKind): EntryKind {
    const keyword = kind === EntryKind.Help ? 'HELP' : 'TYPE';
    const b = this.b;
    p = this.metaName(p, keyword);
    const eol = this.lineEnd(p);
    // As Prometheus's lexer: if only blanks follow the name the text is empty; otherwise the one character
    // after the name (normally the separating blank) is dropped and the rest of the line is the text.
    let allBlank = true;
    for (let i = p; i < eol; i++) {
      const c = b.charCodeAt(i);
      if (c !== SP && c !== TAB) {
        allBlank = false;
        break;
      }
    }
    if (allBlank) {
      this.metaTextStart = eol;
    } else {
      if (b.charCodeAt(p) >= 128) this.fail(p, `expected blank after metric name in ${keyword}`);
      this.metaTextStart = p + 1;
    }
    this.metaTextEnd = eol;
    if (kind === EntryKind.Type) {
      const type = this.checkType(TEXT_TYPES);
      this.currentType = type === 'histogram' ? TYPE_HISTOGRAM : type === 'summary' ? TYPE_SUMMARY : TYPE_OTHER;
    }
    this.finishLine(eol);
    return kind;
  }

  /** Validates metaText as one of `types`; returns the matching constant. */
  private checkType(types: readonly string[]): string {
    for (let i = 0; i < types.length; i++) {
      if (this.regionIs(this.metaTextStart, this.metaTextEnd, types[i])) return types[i];
    }
    const text = this.b.slice(this.metaTextStart, this.metaTextEnd);
    throw new ExpositionError(
      this.lineNo,
      `invalid metric type ${JSON.stringify(text)} (expected one of ${types.join(', ')})${
        text.indexOf('\r') >= 0 ? '; carriage return found, CRLF line endings are not accepted' : ''
      }`,
    );
  }

  private finishLine(eol: number): void {
    if (eol < this.len) {
      this.pos = eol + 1;
      this.lineNo++;
    } else {
      this.pos = eol;
    }
  }

  /** OpenMetrics: `# HELP name text`, `# TYPE name type`, `# UNIT name unit`, `# EOF`; nothing else. */
  private openMetricsHash(p: number): EntryKind {
    const b = this.b;
    const len = this.len;
    if (p + 1 >= len || b.charCodeAt(p + 1) !== SP) {
      this.fail(p + 1, 'expected " " after "#" (OpenMetrics has no free-form comments)');
    }
    const q = p + 2;
    if (this.startsWithAt(q, 'EOF')) {
      let r = q + 3;
      let line = this.lineNo;
      if (r < len && b.charCodeAt(r) === LF) {
        r++;
        line++;
      }
      if (r < len) throw new ExpositionError(line, 'unexpected data after # EOF');
      this.pos = len;
      this.done = true;
      return EntryKind.EOF;
    }
    let kind: EntryKind;
    let keyword: string;
    if (this.startsWithAt(q, 'HELP ')) {
      kind = EntryKind.Help;
      keyword = 'HELP';
    } else if (this.startsWithAt(q, 'TYPE ')) {
      kind = EntryKind.Type;
      keyword = 'TYPE';
    } else if (this.startsWithAt(q, 'UNIT ')) {
      kind = EntryKind.Unit;
      keyword = 'UNIT';
    } else {
      this.fail(q, 'expected "HELP ", "TYPE ", "UNIT " or "EOF" after "# " (OpenMetrics has no free-form comments)');
    }
    let r = this.metaName(q + 5, keyword);
    if (r >= len) throw new ExpositionError(this.lineNo, MISSING_EOF);
    if (b.charCodeAt(r) !== SP) this.fail(r, `expected " " and ${keyword === 'TYPE' ? 'type' : keyword === 'UNIT' ? 'unit' : 'text'} after metric name`);
    r++;
    const eol = b.indexOf('\n', r);
    if (eol < 0) throw new ExpositionError(this.lineNo, MISSING_EOF);
    this.metaTextStart = r;
    this.metaTextEnd = eol;
    if (kind === EntryKind.Type) {
      const type = this.checkType(OPENMETRICS_TYPES);
      this.currentType = type === 'histogram' ? TYPE_HISTOGRAM : type === 'summary' ? TYPE_SUMMARY : TYPE_OTHER;
    } else if (kind === EntryKind.Unit) {
      this.checkUnit();
    }
    this.finishLine(eol);
    return kind;
  }

  /** A non-empty unit must be a suffix of the metric name, preceded by `_`. */
  private checkUnit(): void {
    const b = this.b;
    const us = this.metaTextStart;
    const ue = this.metaTextEnd;
    const n = ue - us;
    if (n === 0) return;
    const ns = this.metaNameStart;
    const ne = this.metaNameEnd;
    let ok = ne - ns >= n + 1 && b.charCodeAt(ne - n - 1) === 95;
    for (let i = 0; ok && i < n; i++) ok = b.charCodeAt(ne - n + i) === b.charCodeAt(us + i);
    if (!ok) {
      throw new ExpositionError(
        this.lineNo,
        `unit ${JSON.stringify(b.slice(us, ue))} is not a suffix of metric name ${JSON.stringify(b.slice(ns, ne))}`,
      );
    }
  }
}
