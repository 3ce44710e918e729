import { labelsKey, parseDuration } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import { RE2JS } from 're2js';
import { parseGoNumber, unquoteGoString } from './numbers.ts';
import { parseSeriesDescription } from './series.ts';
import type { SeriesDescription } from './series.ts';
import type { OutOfScopeReason } from './scope.ts';

/**
 * The promqltest file format (Prometheus's `promql/promqltest`), read line by line as Prometheus's
 * runner reads it: `load`, `clear` and `eval` commands, each followed by its lines up to the next
 * blank line; `#` lines count as blank. Line numbers are 1-based, as the runner reports them.
 * A malformed command does not stop the file: it becomes a `problem` and reading goes on after its block.
 */

export interface Problem {
  line: number;
  message: string;
  /**
   * Set when the line fails only because it needs something outside PromQL's stable language that
   * Vigil does not support yet (see scope.ts); absent for a failure of the stable language.
   */
  outOfScope?: OutOfScopeReason;
}

export interface LoadedSeries {
  line: number;
  description: SeriesDescription;
}

export interface LoadCommand {
  kind: 'load';
  line: number;
  /** Milliseconds between consecutive values. */
  interval: number;
  /** `load_with_nhcb`: Prometheus also converts classic histograms to native ones, which Vigil cannot yet. */
  withNativeHistograms: boolean;
  series: LoadedSeries[];
  /** Series given start timestamps (`name{…}@st` lines), which Vigil does not load. */
  startTimestampSeries: Labels[];
}

export interface ClearCommand {
  kind: 'clear';
  line: number;
}

/** An `expect` line's message check: exact text, an unanchored RE2 pattern, or anything. */
export type MessageCheck = { kind: 'any' } | { kind: 'message'; message: string } | { kind: 'regex'; source: string; regex: RE2JS };

export interface ExpectedSeries {
  labels: Labels;
  /** 1-based position among the result lines, for `expect ordered`. */
  position: number;
  line: number;
  description: SeriesDescription;
}

export interface EvalCommand {
  kind: 'eval';
  line: number;
  expr: string;
  isRange: boolean;
  /** Instant: the evaluation time (for `expect range vector`, its `to`). Range: unused. */
  evalTime: number;
  /** Range queries, and instant queries with `expect range vector`: the steps results are checked against. */
  start: number;
  end: number;
  step: number;
  /** Old spellings: `eval_fail`, `eval_warn`, `eval_info`, `eval_ordered`. */
  legacyFail: boolean;
  legacyWarn: boolean;
  legacyInfo: boolean;
  legacyOrdered: boolean;
  expectedFailMessage: string | null;
  expectedFailRegex: MessageCheck | null;
  expectFail: MessageCheck[];
  expectWarn: MessageCheck[];
  expectInfo: MessageCheck[];
  expectNoWarn: boolean;
  expectNoInfo: boolean;
  expectOrdered: boolean;
  /** `expect range vector …` was given (instant query returning a range vector). */
  expectRangeVector: boolean;
  expectedString: string;
  /** Skip the range-mode re-run (the result is not an instant vector or scalar). */
  excludeFromRangeQuery: boolean;
  expectScalar: boolean;
  scalar: number;
  /** Expected series by labels key. */
  expected: Map<string, ExpectedSeries>;
  /** Expected values written as native histograms (`{{…}}`): the eval cannot run in Vigil yet. */
  usesNativeHistograms: boolean;
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

export interface Script {
  commands: Command[];
  /** Lines the runner could not read or load; each counts as one failure. */
  problems: Problem[];
}

const SPACES = /[\t ]+/;
const LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const RANGE_VECTOR_PREFIX = 'expect range vector';
const EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const EXPECT_STRING_PREFIX = 'expect string';

class ScriptError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Trimmed lines with comments blanked, as Prometheus's `getLines`. */
function scriptLines(text: string): string[] {
  return text.split('\n').map((line) => {
    const trimmed = line.trim();
    return trimmed.startsWith('#') ? '' : trimmed;
  });
}

export function parseScript(text: string): Script {
  const lines = scriptLines(text);
  const commands: Command[] = [];
  const problems: Problem[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line === '') continue;
    const word = line.split(SPACES, 1)[0].toLowerCase();
    try {
      if (word === 'clear') {
        commands.push({ kind: 'clear', line: index + 1 });
      } else if (word.startsWith('load')) {
        const parsed = parseLoad(lines, index, problems);
        commands.push(parsed.command);
        index = parsed.last;
      } else if (word.startsWith('eval')) {
        const parsed = parseEval(lines, index);
        commands.push(parsed.command);
        index = parsed.last;
      } else {
        throw new ScriptError(index + 1, `invalid command ${JSON.stringify(line)}`);
      }
    } catch (error) {
      if (!(error instanceof ScriptError)) throw error;
      problems.push({ line: error.line, message: error.message });
      // Skip the rest of the broken command's block.
      while (index + 1 < lines.length && lines[index + 1] !== '') index++;
    }
  }
  return { commands, problems };
}

function parseLoad(lines: string[], index: number, problems: Problem[]): { command: LoadCommand; last: number } {
  const match = LOAD.exec(lines[index]);
  if (match === null) throw new ScriptError(index + 1, 'invalid load command. (load[_with_nhcb] <step:duration>)');
  let interval: number;
  try {
    interval = parseDuration(match[2]);
  } catch (error) {
    throw new ScriptError(index + 1, `invalid step definition ${JSON.stringify(match[2])}: ${(error as Error).message}`);
  }
  const command: LoadCommand = { kind: 'load', line: index + 1, interval, withNativeHistograms: match[1] === 'with_nhcb', series: [], startTimestampSeries: [] };
  if (command.withNativeHistograms) {
    problems.push({ line: index + 1, message: 'load_with_nhcb: native histograms are not supported yet (the float series are loaded, the converted histograms are not)', outOfScope: 'native histograms' });
  }
  let last = index;
  while (last + 1 < lines.length && lines[last + 1] !== '') {
    last++;
    const line = lines[last];
    const firstWord = line.split(/[\t ]/, 1)[0];
    if (firstWord.endsWith('@st')) {
      problems.push({ line: last + 1, message: 'start timestamps (@st lines) are not supported yet', outOfScope: 'start timestamps' });
      try {
        command.startTimestampSeries.push(parseSeriesDescription(firstWord.slice(0, -'@st'.length)).labels);
      } catch {
        // Its labels stay unknown: evals cannot be attributed to it, so their failures count as the stable language's.
      }
      continue;
    }
    let description: SeriesDescription;
    try {
      description = parseSeriesDescription(line);
    } catch (error) {
      problems.push({ line: last + 1, message: `invalid series line: ${(error as Error).message}` });
      continue;
    }
    command.series.push({ line: last + 1, description });
    if (description.histograms > 0) {
      problems.push({ line: last + 1, message: `native histograms are not supported yet: ${description.histograms} histogram sample(s) of this series not loaded`, outOfScope: 'native histograms' });
    }
  }
  return { command, last };
}

function parseMessageCheck(kind: string | undefined, text: string | undefined, line: number, type: string): MessageCheck {
  if (kind === undefined) return { kind: 'any' };
  const value = (text ?? '').trim();
  if (kind === 'msg') return { kind: 'message', message: value };
  try {
    return { kind: 'regex', source: value, regex: RE2JS.compile(value) };
  } catch {
    throw new ScriptError(line, `invalid regex ${value} for ${type}`);
  }
}

export function messageMatches(check: MessageCheck, text: string): boolean {
  switch (check.kind) {
    case 'any':
      return true;
    case 'message':
      return check.message === text;
    case 'regex':
      return check.regex.matcher(text).find();
  }
}

export function describeCheck(check: MessageCheck): string {
  return check.kind === 'message' ? `message ${JSON.stringify(check.message)}` : check.kind === 'regex' ? `pattern ${JSON.stringify(check.source)}` : 'anything';
}

function parseTimes(from: string, to: string, step: string, line: number, prefix: string): { start: number; end: number; step: number } {
  const parse = (text: string, what: string): number => {
    try {
      return parseDuration(text);
    } catch (error) {
      throw new ScriptError(line, `${prefix}invalid ${what} definition ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  };
  const start = parse(from, 'start timestamp');
  const end = parse(to, 'end timestamp');
  if (end < start) throw new ScriptError(line, `${prefix}invalid test definition, end timestamp (${to}) is before start timestamp (${from})`);
  return { start, end, step: parse(step, 'step') };
}

function parseEval(lines: string[], index: number): { command: EvalCommand; last: number } {
  const instant = EVAL_INSTANT.exec(lines[index]);
  const range = EVAL_RANGE.exec(lines[index]);
  if (instant === null && range === null) {
    throw new ScriptError(
      index + 1,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'",
    );
  }
  const line = index + 1;
  const expr = instant !== null ? instant[3] : (range as RegExpExecArray)[5];
  const modifier = instant !== null ? instant[1] : (range as RegExpExecArray)[1];
  const prefix = `error in eval ${expr} (line ${line}): `;
  const command: EvalCommand = {
    kind: 'eval',
    line,
    expr,
    isRange: instant === null,
    evalTime: 0,
    start: 0,
    end: Number.NEGATIVE_INFINITY,
    step: 0,
    legacyFail: modifier === 'fail',
    legacyWarn: modifier === 'warn',
    legacyInfo: modifier === 'info',
    legacyOrdered: modifier === 'ordered',
    expectedFailMessage: null,
    expectedFailRegex: null,
    expectFail: [],
    expectWarn: [],
    expectInfo: [],
    expectNoWarn: false,
    expectNoInfo: false,
    expectOrdered: false,
    expectRangeVector: false,
    expectedString: '',
    excludeFromRangeQuery: false,
    expectScalar: false,
    scalar: 0,
    expected: new Map(),
    usesNativeHistograms: false,
  };
  if (instant !== null) {
    const at = instant[2] ?? '';
    try {
      command.evalTime = parseDuration(at);
    } catch (error) {
      throw new ScriptError(line, `${prefix}invalid timestamp definition ${JSON.stringify(at)}: ${(error as Error).message}`);
    }
    command.start = command.evalTime;
  } else {
    const match = range as RegExpExecArray;
    const times = parseTimes(match[2], match[3], match[4], line, prefix);
    command.start = times.start;
    command.end = times.end;
    command.step = times.step;
  }

  let last = index;
  // Position of the next expected series among the result lines; `expect` lines do not count.
  let position = 0;
  while (last + 1 < lines.length && lines[last + 1] !== '') {
    last++;
    position++;
    const text = lines[last];
    if (command.legacyFail && text.startsWith('expected_fail_message')) {
      command.expectedFailMessage = text.slice('expected_fail_message'.length).trim();
      break;
    }
    if (command.legacyFail && text.startsWith('expected_fail_regexp')) {
      const source = text.slice('expected_fail_regexp'.length).trim();
      try {
        command.expectedFailRegex = { kind: 'regex', source, regex: RE2JS.compile(source) };
      } catch (error) {
        throw new ScriptError(last + 1, `${prefix}invalid regexp '${source}' for expected_fail_regexp: ${(error as Error).message}`);
      }
      break;
    }
    if (text.startsWith(RANGE_VECTOR_PREFIX)) {
      const match = EXPECT_RANGE.exec(text);
      if (match === null) throw new ScriptError(last + 1, `${prefix}invalid range vector definition ${JSON.stringify(text)}`);
      const times = parseTimes(match[1], match[2], match[3], last + 1, prefix);
      command.expectRangeVector = true;
      command.start = times.start;
      command.end = times.end;
      command.step = times.step;
      command.evalTime = times.end;
      command.excludeFromRangeQuery = true;
      continue;
    }
    if (text.startsWith(EXPECT_STRING_PREFIX)) {
      command.expectedString = parseExpectedString(text, last + 1, prefix);
      command.excludeFromRangeQuery = true;
      continue;
    }
    if (text.split(' ')[0] === 'expect') {
      parseExpectLine(command, text, last + 1, prefix);
      position--;
      continue;
    }
    const number = parseGoNumber(text);
    if (number !== null) {
      command.expectScalar = true;
      command.scalar = number;
      break;
    }
    let description: SeriesDescription;
    try {
      description = parseSeriesDescription(text);
    } catch (error) {
      throw new ScriptError(last + 1, `invalid series line: ${(error as Error).message}`);
    }
    if (description.histograms > 0) command.usesNativeHistograms = true;
    if (description.values.length > 1 && !command.isRange && !command.expectRangeVector) {
      throw new ScriptError(
        last + 1,
        `${prefix}expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query`,
      );
    }
    command.expectScalar = false;
    command.expected.set(labelsKey(description.labels), { labels: description.labels, position, line: last + 1, description });
  }
  return { command, last };
}

function parseExpectedString(text: string, line: number, prefix: string): string {
  if (text === EXPECT_STRING_PREFIX) throw new ScriptError(line, `${prefix}expected string literal not valid - a quoted string literal is required`);
  const literal = text.startsWith(`${EXPECT_STRING_PREFIX} `) ? text.slice(EXPECT_STRING_PREFIX.length + 1) : text;
  if (literal === '') throw new ScriptError(line, `${prefix}expected string literal not valid - a quoted string literal is required`);
  try {
    return unquoteGoString(literal);
  } catch {
    throw new ScriptError(line, `${prefix}expected string literal not valid - check that the string is correctly quoted`);
  }
}

function parseExpectLine(command: EvalCommand, text: string, line: number, prefix: string): void {
  const match = EXPECT.exec(text.trim());
  if (match === null) throw new ScriptError(line, `${prefix}invalid expect statement, must match \`expect <type> <match_type>: <string>\` format`);
  const type = match[1];
  const check = parseMessageCheck(match[2], match[3], line, type);
  switch (type) {
    case 'fail':
      command.expectFail.push(check);
      break;
    case 'warn':
      command.expectWarn.push(check);
      break;
    case 'info':
      command.expectInfo.push(check);
      break;
    case 'no_warn':
      command.expectNoWarn = true;
      break;
    case 'no_info':
      command.expectNoInfo = true;
      break;
    case 'ordered':
      command.expectOrdered = true;
      break;
  }
  if (command.expectInfo.length > 0 && command.expectNoInfo) throw new ScriptError(line, `${prefix}invalid expect lines, info and no_info cannot be used together`);
  if (command.expectWarn.length > 0 && command.expectNoWarn) throw new ScriptError(line, `${prefix}invalid expect lines, warn and no_warn cannot be used together`);
  if (command.expectFail.length > 1) throw new ScriptError(line, `${prefix}invalid expect lines, multiple expect fail lines are not allowed`);
}

export function isFailExpected(command: EvalCommand): boolean {
  return command.legacyFail || command.expectFail.length > 0;
}

export function isOrdered(command: EvalCommand): boolean {
  return command.legacyOrdered || command.expectOrdered;
}
