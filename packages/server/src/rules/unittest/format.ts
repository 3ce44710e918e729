/**
 * The rule unit-test file format promtool reads (`promtool test rules`), decoded strictly the way
 * promtool's YAML decoder does: unknown keys and values of the wrong type are collected as
 * `line N: …` lines under `yaml: unmarshal errors:`, with promtool's wording; a bad duration or
 * timestamp stops the decoding at once (as in promtool) and is reported with its file:line:col.
 */
import type { ParsedYaml, Path } from '../../config/yaml.ts';
import { isYamlScalar, parseYaml } from '../../config/yaml.ts';
import { ConfigError } from '../../config/index.ts';
import { parseDuration } from '../../model/index.ts';

export interface InputSeries {
  /** The series selector text, `metric{label="value"}`. */
  series: string;
  /** Expanding notation, `1+2x3 _ stale`. */
  values: string;
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertTestCase {
  /** ms after the test's start. */
  evalTime: number;
  alertname: string;
  expAlerts: ExpectedAlert[];
}

export interface ExpectedSample {
  /** Series notation text, `metric{label="value"}`, `{}` or empty. */
  labels: string;
  value: number;
}

export interface PromqlTestCase {
  expr: string;
  /** ms after the test's start. */
  evalTime: number;
  expSamples: ExpectedSample[];
}

export interface TestGroup {
  /** Spacing of the input samples, ms; 0 when absent (then `evaluation_interval` applies). */
  intervalMs: number;
  inputSeries: InputSeries[];
  alertRuleTests: AlertTestCase[];
  promqlExprTests: PromqlTestCase[];
  externalLabels: Record<string, string>;
  externalURL: string;
  name: string;
  /** `start_timestamp` (Prometheus 3), ms since the epoch; 0 when absent. */
  startTimestamp: number;
}

export interface RuleTestFile {
  /** As written (relative to the test file's directory, globs allowed). */
  ruleFiles: string[];
  /** ms; 0 when absent (the runner uses 1m). */
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
  /** Floats may differ in the last bit of the mantissa (Prometheus 3's `fuzzy_compare`). */
  fuzzyCompare: boolean;
  tests: TestGroup[];
}

export type ParseResult = { ok: true; file: RuleTestFile } | { ok: false; error: string };

/** Thrown inside the decoder for errors that end decoding at once (promtool's non-type errors). */
class FatalDecodeError extends Error {}

/** Parses a test file's text. `filename` prefixes positions in errors that carry one. */
export function parseRuleTestFile(text: string, filename: string): ParseResult {
  let yaml: ParsedYaml;
  try {
    yaml = parseYaml(text, { filename, emptyValue: {} });
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error: error.lines.join('\n') };
    throw error;
  }
  const decoder = new Decoder(yaml, filename);
  let file: RuleTestFile;
  try {
    file = decoder.file(yaml.value, []);
  } catch (error) {
    if (error instanceof FatalDecodeError) return { ok: false, error: error.message };
    throw error;
  }
  if (decoder.typeErrors.length > 0) return { ok: false, error: ['yaml: unmarshal errors:', ...decoder.typeErrors.map((line) => `  ${line}`)].join('\n') };
  return { ok: true, file };
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isYamlScalar(value);
}

function isNull(value: unknown): boolean {
  return value === undefined || value === null || (isYamlScalar(value) && value.value === null);
}

/** YAML's short tag of a node, as go-yaml names it in errors. */
function shortTag(value: unknown): string {
  if (Array.isArray(value)) return '!!seq';
  if (typeof value === 'string') return '!!str';
  if (isYamlScalar(value)) {
    const resolved = value.value;
    if (typeof resolved === 'boolean') return '!!bool';
    if (typeof resolved === 'bigint') return '!!int';
    if (typeof resolved === 'number') return Number.isInteger(resolved) && !/[.eE]|inf|nan/i.test(value.source) ? '!!int' : '!!float';
    if (resolved === null) return '!!null';
    if (resolved instanceof Uint8Array) return '!!binary';
    if (resolved instanceof Date) return '!!timestamp';
    return '!!str';
  }
  if (isMapping(value)) return '!!map';
  return '!!null';
}

/** The scalar text go-yaml puts in errors: the first 7 characters and `...` past 10. */
function errorValue(value: unknown): string {
  if (Array.isArray(value) || isMapping(value)) return '';
  const text = typeof value === 'string' ? value : isYamlScalar(value) ? value.source : '';
  return text.length > 10 ? ` \`${text.slice(0, 7)}...\`` : ` \`${text}\``;
}

class Decoder {
  readonly typeErrors: string[] = [];

  constructor(
    private readonly yaml: ParsedYaml,
    private readonly filename: string,
  ) {}

  private line(path: Path): number {
    return this.yaml.locate(path).line;
  }

  private typeError(value: unknown, path: Path, into: string): void {
    this.typeErrors.push(`line ${this.line(path)}: cannot unmarshal ${shortTag(value)}${errorValue(value)} into ${into}`);
  }

  private fatal(path: Path, message: string): never {
    const position = this.yaml.locate(path);
    throw new FatalDecodeError(`${this.filename}:${position.line}:${position.col}: ${message}`);
  }

  /**
   * Checks a mapping against a struct's fields: unknown keys are errors, in document order, and
   * each known key is handed to `field`. Returns false (after a type error) for a non-mapping.
   */
  private struct(value: unknown, path: Path, type: string, fields: Record<string, (value: unknown, path: Path) => void>): boolean {
    if (isNull(value)) return false;
    if (!isMapping(value)) {
      this.typeError(value, path, type);
      return false;
    }
    for (const [key, item] of Object.entries(value)) {
      const decode = fields[key];
      if (decode === undefined) {
        this.typeErrors.push(`line ${this.yaml.locateKey([...path, key]).line}: field ${key} not found in type ${type}`);
        continue;
      }
      decode(item, [...path, key]);
    }
    return true;
  }

  private list<T>(value: unknown, path: Path, type: string, item: (value: unknown, path: Path) => T): T[] {
    if (isNull(value)) return [];
    if (!Array.isArray(value)) {
      this.typeError(value, path, type);
      return [];
    }
    return value.map((element, index) => item(element, [...path, index]));
  }

  /** go-yaml puts any scalar's text into a string field; null leaves it empty. */
  private string(value: unknown, path: Path): string {
    if (isNull(value)) return '';
    if (typeof value === 'string') return value;
    if (isYamlScalar(value)) return value.source;
    this.typeError(value, path, 'string');
    return '';
  }

  private float(value: unknown, path: Path): number {
    if (isNull(value)) return 0;
    if (isYamlScalar(value)) {
      if (typeof value.value === 'number') return value.value;
      if (typeof value.value === 'bigint') return Number(value.value);
    }
    this.typeError(value, path, 'float64');
    return 0;
  }

  private bool(value: unknown, path: Path): boolean {
    if (isNull(value)) return false;
    if (isYamlScalar(value) && typeof value.value === 'boolean') return value.value;
    this.typeError(value, path, 'bool');
    return false;
  }

  /** Prometheus's model.Duration: read as a string, then parsed; a bad one ends decoding. */
  private duration(value: unknown, path: Path): number {
    const typeErrorsBefore = this.typeErrors.length;
    const text = this.string(value, path);
    if (this.typeErrors.length > typeErrorsBefore || isNull(value)) return 0;
    try {
      return parseDuration(text);
    } catch (error) {
      return this.fatal(path, (error as Error).message);
    }
  }

  private stringMap(value: unknown, path: Path): Record<string, string> {
    const out: Record<string, string> = {};
    if (isNull(value)) return out;
    if (!isMapping(value)) {
      this.typeError(value, path, 'map[string]string');
      return out;
    }
    for (const [key, item] of Object.entries(value)) out[key] = this.string(item, [...path, key]);
    return out;
  }

  /** promtool's start_timestamp: Unix seconds (fractions allowed) or RFC 3339. */
  private timestamp(value: unknown, path: Path): number {
    const typeErrorsBefore = this.typeErrors.length;
    const text = this.string(value, path);
    if (this.typeErrors.length > typeErrorsBefore || isNull(value)) return 0;
    const seconds = Number(text);
    if (text.trim() !== '' && Number.isFinite(seconds)) return Math.trunc(seconds * 1000);
    if (/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) {
      const parsed = Date.parse(text);
      if (!Number.isNaN(parsed)) return parsed;
    }
    return this.fatal(path, `cannot parse ${JSON.stringify(text)} to a valid timestamp`);
  }

  file(value: unknown, path: Path): RuleTestFile {
    const file: RuleTestFile = { ruleFiles: [], evaluationIntervalMs: 0, groupEvalOrder: [], fuzzyCompare: false, tests: [] };
    this.struct(value, path, 'main.unitTestFile', {
      rule_files: (item, at) => (file.ruleFiles = this.list(item, at, '[]string', (element, elementAt) => this.string(element, elementAt))),
      evaluation_interval: (item, at) => (file.evaluationIntervalMs = this.duration(item, at)),
      group_eval_order: (item, at) => (file.groupEvalOrder = this.list(item, at, '[]string', (element, elementAt) => this.string(element, elementAt))),
      fuzzy_compare: (item, at) => (file.fuzzyCompare = this.bool(item, at)),
      tests: (item, at) => (file.tests = this.list(item, at, '[]main.testGroup', (element, elementAt) => this.testGroup(element, elementAt))),
    });
    return file;
  }

  private testGroup(value: unknown, path: Path): TestGroup {
    const group: TestGroup = { intervalMs: 0, inputSeries: [], alertRuleTests: [], promqlExprTests: [], externalLabels: {}, externalURL: '', name: '', startTimestamp: 0 };
    this.struct(value, path, 'main.testGroup', {
      interval: (item, at) => (group.intervalMs = this.duration(item, at)),
      input_series: (item, at) => (group.inputSeries = this.list(item, at, '[]main.series', (element, elementAt) => this.inputSeries(element, elementAt))),
      alert_rule_test: (item, at) => (group.alertRuleTests = this.list(item, at, '[]main.alertTestCase', (element, elementAt) => this.alertTestCase(element, elementAt))),
      promql_expr_test: (item, at) => (group.promqlExprTests = this.list(item, at, '[]main.promqlTestCase', (element, elementAt) => this.promqlTestCase(element, elementAt))),
      external_labels: (item, at) => (group.externalLabels = this.stringMap(item, at)),
      external_url: (item, at) => (group.externalURL = this.string(item, at)),
      name: (item, at) => (group.name = this.string(item, at)),
      start_timestamp: (item, at) => (group.startTimestamp = this.timestamp(item, at)),
    });
    return group;
  }

  private inputSeries(value: unknown, path: Path): InputSeries {
    const series: InputSeries = { series: '', values: '' };
    this.struct(value, path, 'main.series', {
      series: (item, at) => (series.series = this.string(item, at)),
      values: (item, at) => (series.values = this.string(item, at)),
    });
    return series;
  }

  private alertTestCase(value: unknown, path: Path): AlertTestCase {
    const test: AlertTestCase = { evalTime: 0, alertname: '', expAlerts: [] };
    this.struct(value, path, 'main.alertTestCase', {
      eval_time: (item, at) => (test.evalTime = this.duration(item, at)),
      alertname: (item, at) => (test.alertname = this.string(item, at)),
      exp_alerts: (item, at) => (test.expAlerts = this.list(item, at, '[]main.alert', (element, elementAt) => this.expectedAlert(element, elementAt))),
    });
    return test;
  }

  private expectedAlert(value: unknown, path: Path): ExpectedAlert {
    const alert: ExpectedAlert = { labels: {}, annotations: {} };
    this.struct(value, path, 'main.alert', {
      exp_labels: (item, at) => (alert.labels = this.stringMap(item, at)),
      exp_annotations: (item, at) => (alert.annotations = this.stringMap(item, at)),
    });
    return alert;
  }

  private promqlTestCase(value: unknown, path: Path): PromqlTestCase {
    const test: PromqlTestCase = { expr: '', evalTime: 0, expSamples: [] };
    this.struct(value, path, 'main.promqlTestCase', {
      expr: (item, at) => (test.expr = this.string(item, at)),
      eval_time: (item, at) => (test.evalTime = this.duration(item, at)),
      exp_samples: (item, at) => (test.expSamples = this.list(item, at, '[]main.sample', (element, elementAt) => this.expectedSample(element, elementAt))),
    });
    return test;
  }

  private expectedSample(value: unknown, path: Path): ExpectedSample {
    const sample: ExpectedSample = { labels: '', value: 0 };
    this.struct(value, path, 'main.sample', {
      labels: (item, at) => (sample.labels = this.string(item, at)),
      value: (item, at) => (sample.value = this.float(item, at)),
    });
    return sample;
  }
}
