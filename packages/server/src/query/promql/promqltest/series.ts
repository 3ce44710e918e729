import { METRIC_NAME, labelsFromPairs, staleNaN } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import { parseGoNumber, unquoteGoString } from './numbers.ts';

/**
 * Series descriptions, the notation promtool and promqltest share for loaded data and expected
 * results: `metric{label="value"} 1 2+3x4 _ stale`. Values expand as Prometheus's series grammar
 * expands them: `a+bxN` and `a-bxN` give N+1 values, `axN` gives N+1 copies, `_` skips a step,
 * `_xN` skips N steps, `stale` is the stale marker.
 */
export interface SeriesDescription {
  labels: Labels;
  /** One entry per step; `present[i] === 0` marks a skipped step (`_`) or a native histogram. */
  values: Float64Array;
  present: Uint8Array;
  /**
   * Steps written as native histograms (`{{…}}`, `{{…}}xN`, `{{…}}+{{…}}xN`). Vigil has no native
   * histograms yet: they are left out (not present) and counted, so callers can report them.
   */
  histograms: number;
}

export class SeriesSyntaxError extends Error {}

/** Grows a pair of typed arrays as values are expanded. */
class ValueBuffer {
  values = new Float64Array(16);
  present = new Uint8Array(16);
  length = 0;

  push(value: number, present: boolean): void {
    if (this.length === this.values.length) {
      const values = new Float64Array(this.length * 2);
      values.set(this.values);
      this.values = values;
      const flags = new Uint8Array(this.length * 2);
      flags.set(this.present);
      this.present = flags;
    }
    this.values[this.length] = value;
    this.present[this.length] = present ? 1 : 0;
    this.length++;
  }
}

const METRIC_IDENTIFIER = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*/;
/** A number as the series lexer scans one: decimal digits with `.`, exponent and `_`, never hex. */
const DECIMAL = /^(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?/;
const WORD = /^[a-zA-Z_][a-zA-Z0-9_:]*/;
/** Repetition counts are plain decimal (Go's `ParseUint(s, 10, 64)`); a larger count could never be expanded anyway. */
const MAX_REPETITION = 10_000_000;

/** Parses `metric{labels} values…`. Throws SeriesSyntaxError. */
export function parseSeriesDescription(line: string): SeriesDescription {
  const text = line.trim();
  const { labels, rest } = parseMetric(text);
  if (rest !== '' && !/^\s/.test(rest)) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(rest[0])} after the series labels`);
  const buffer = new ValueBuffer();
  let position = 0;
  let histograms = 0;
  const values = rest.trim();
  while (position < values.length) {
    if (values.startsWith('{{', position)) {
      const skipped = skipHistogramItem(values, position);
      for (let i = 0; i < skipped.count; i++) buffer.push(0, false);
      histograms += skipped.count;
      position = skipped.end;
    } else {
      let end = position;
      while (end < values.length && !/\s/.test(values[end])) end++;
      const item = values.slice(position, end);
      if (item.includes('{{')) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(item)} in series values`);
      expandItem(item, buffer);
      position = end;
    }
    if (position < values.length && !/\s/.test(values[position])) throw new SeriesSyntaxError(`expected a space after a value at ${JSON.stringify(values.slice(position, position + 10))}`);
    while (position < values.length && /\s/.test(values[position])) position++;
  }
  return { labels, values: buffer.values.subarray(0, buffer.length), present: buffer.present.subarray(0, buffer.length), histograms };
}

/** Finds the end of a `{{…}}` description (they hold no `}}` inside). */
function histogramEnd(text: string, start: number): number {
  const close = text.indexOf('}}', start + 2);
  if (close < 0) throw new SeriesSyntaxError('unterminated native histogram {{…}}');
  return close + 2;
}

/** Skips one native histogram item; returns how many steps it stands for and where it ends. */
function skipHistogramItem(text: string, start: number): { count: number; end: number } {
  let end = histogramEnd(text, start);
  if ((text[end] === '+' || text[end] === '-') && text.startsWith('{{', end + 1)) {
    end = histogramEnd(text, end + 1);
    if (text[end] !== 'x') throw new SeriesSyntaxError('expected "x" and a repetition count after a histogram increment');
  }
  if (text[end] !== 'x') return { count: 1, end };
  let digitsEnd = end + 1;
  while (digitsEnd < text.length && text[digitsEnd] >= '0' && text[digitsEnd] <= '9') digitsEnd++;
  const count = readRepetition(text.slice(end + 1, digitsEnd), text.slice(start, digitsEnd));
  return { count: count + 1, end: digitsEnd };
}

function parseMetric(text: string): { labels: Labels; rest: string } {
  const pairs: string[] = [];
  let rest = text;
  const name = METRIC_IDENTIFIER.exec(rest);
  if (name !== null) {
    pairs.push(METRIC_NAME, name[0]);
    rest = rest.slice(name[0].length);
  }
  if (rest.startsWith('{') && !rest.startsWith('{{')) {
    rest = parseLabelSet(rest.slice(1), pairs);
  } else if (name === null) {
    throw new SeriesSyntaxError(`expected a metric name or "{" at the start of ${JSON.stringify(text)}`);
  }
  return { labels: labelsFromPairs(pairs), rest };
}

/** Reads `name="value", …}` (after the opening brace) into `pairs`; returns what follows the closing brace. */
function parseLabelSet(text: string, pairs: string[]): string {
  let rest = text.trimStart();
  let expectItem = true;
  while (true) {
    if (rest.startsWith('}')) return rest.slice(1);
    if (!expectItem) throw new SeriesSyntaxError(`expected "," or "}" in label set, got ${JSON.stringify(rest.slice(0, 10))}`);
    let name: string;
    let quotedName = false;
    const identifier = LABEL_IDENTIFIER.exec(rest);
    if (identifier !== null) {
      name = identifier[0];
      rest = rest.slice(name.length);
    } else if (rest.startsWith('"') || rest.startsWith("'") || rest.startsWith('`')) {
      const literal = readStringLiteral(rest);
      name = literal.value;
      rest = literal.rest;
      quotedName = true;
    } else {
      throw new SeriesSyntaxError(`expected a label name or "}" in label set, got ${JSON.stringify(rest.slice(0, 10))}`);
    }
    rest = rest.trimStart();
    if (rest.startsWith('=') && !rest.startsWith('=~') && !rest.startsWith('==')) {
      rest = rest.slice(1).trimStart();
      const literal = readStringLiteral(rest);
      pairs.push(name, literal.value);
      rest = literal.rest.trimStart();
    } else if (quotedName) {
      // `{"metric name"}`: a quoted string alone names the metric.
      pairs.push(METRIC_NAME, name);
    } else {
      throw new SeriesSyntaxError(`expected "=" after label name ${JSON.stringify(name)}`);
    }
    expectItem = false;
    if (rest.startsWith(',')) {
      rest = rest.slice(1).trimStart();
      expectItem = true;
    }
    if (rest === '') throw new SeriesSyntaxError('unterminated label set');
  }
}

function readStringLiteral(text: string): { value: string; rest: string } {
  const quote = text[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') throw new SeriesSyntaxError(`expected a quoted string, got ${JSON.stringify(text.slice(0, 10))}`);
  let index = 1;
  while (index < text.length && text[index] !== quote) {
    if (text[index] === '\\' && quote !== '`') index++;
    index++;
  }
  if (index >= text.length) throw new SeriesSyntaxError('unterminated quoted string');
  const literal = text.slice(0, index + 1);
  try {
    return { value: unquoteGoString(literal, true), rest: text.slice(index + 1) };
  } catch (error) {
    throw new SeriesSyntaxError(`invalid string ${literal}: ${(error as Error).message}`);
  }
}

/** Reads a number token (decimal, `Inf`, `NaN`) at the start of `text`, without sign. */
function readUnsignedNumber(text: string): { value: number; length: number } | null {
  const word = WORD.exec(text);
  if (word !== null) {
    const lower = word[0].toLowerCase();
    if (lower === 'inf' || lower === 'nan') return { value: lower === 'nan' ? NaN : Infinity, length: word[0].length };
    return null;
  }
  const decimal = DECIMAL.exec(text);
  if (decimal === null) return null;
  const value = parseGoNumber(decimal[0]);
  if (value === null) throw new SeriesSyntaxError(`bad number syntax: ${JSON.stringify(decimal[0])}`);
  return { value, length: decimal[0].length };
}

function readRepetition(text: string, item: string): number {
  if (!/^[0-9]+$/.test(text)) throw new SeriesSyntaxError(`invalid repetition in series values: ${JSON.stringify(item)}`);
  const count = Number(text);
  if (count > MAX_REPETITION) throw new SeriesSyntaxError(`repetition ${text} in ${JSON.stringify(item)} is too large`);
  return count;
}

function expandItem(item: string, buffer: ValueBuffer): void {
  if (item === '_') {
    buffer.push(0, false);
    return;
  }
  if (item.startsWith('_x')) {
    const count = readRepetition(item.slice(2), item);
    for (let i = 0; i < count; i++) buffer.push(0, false);
    return;
  }
  if (item === 'stale') {
    buffer.push(staleNaN(), true);
    return;
  }
  let rest = item;
  let sign = 1;
  if (rest.startsWith('+') || rest.startsWith('-')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  const first = readUnsignedNumber(rest);
  if (first === null) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(item)} in series values, expected number or "stale"`);
  let value = sign * first.value;
  rest = rest.slice(first.length);
  if (rest === '') {
    buffer.push(value, true);
    return;
  }
  let increment = 0;
  if (rest[0] === '+' || rest[0] === '-') {
    const incrementSign = rest[0] === '-' ? -1 : 1;
    const step = readUnsignedNumber(rest.slice(1));
    if (step === null) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(item)} in series values, expected a number after ${JSON.stringify(rest[0])}`);
    increment = incrementSign * step.value;
    rest = rest.slice(1 + step.length);
    if (!rest.startsWith('x')) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(item)} in series values, expected "x" and a repetition count`);
  }
  if (!rest.startsWith('x')) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(item)} in series values`);
  const count = readRepetition(rest.slice(1), item);
  // N repetitions give N+1 values: the first is the starting value itself.
  for (let i = 0; i <= count; i++) {
    buffer.push(value, true);
    value += increment;
  }
}
