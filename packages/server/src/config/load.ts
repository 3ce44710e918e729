/**
 * Loading prometheus.yml: YAML → zod → build, with every problem reported as `file:line:col: reason`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import type { BuildContext, Reporter } from './build.ts';
import { buildConfig, buildScrapeConfig } from './build.ts';
import { ConfigError } from './errors.ts';
import { glob } from './glob.ts';
import { configSchema, knownKeysOf, scrapeConfigFileSchema } from './schema.ts';
import type { PrometheusConfig, ScrapeConfig } from './types.ts';
import type { ParsedYaml, Path, PathSegment } from './yaml.ts';
import { parseYaml } from './yaml.ts';

const SUPPORTED_SD = 'static_configs, file_sd_configs';

interface Located {
  line: number;
  col: number;
  message: string;
}

/** Collects errors against YAML paths and renders them sorted by position. */
export class ErrorCollector implements Reporter {
  private readonly located: Located[] = [];
  private readonly filename: string;
  private readonly parsed: ParsedYaml;

  constructor(filename: string, parsed: ParsedYaml) {
    this.filename = filename;
    this.parsed = parsed;
  }

  error(path: Path, message: string, atKey = false): void {
    const pos = atKey ? this.parsed.locateKey(path) : this.parsed.locate(path);
    this.located.push({ line: pos.line, col: pos.col, message });
  }

  hasKey(path: Path, key: string): boolean {
    return this.parsed.hasKey(path, key);
  }

  get count(): number {
    return this.located.length;
  }

  /** Adds the issues of a failed zod parse. */
  addZodIssues(issues: readonly z.core.$ZodIssue[], prefix: Path = []): void {
    for (const issue of issues) this.addZodIssue(issue, prefix);
  }

  private addZodIssue(issue: z.core.$ZodIssue, prefix: Path): void {
    const path: PathSegment[] = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysOf(issue.message) ?? [];
      for (const key of issue.keys) this.error([...path, key], unknownKeyMessage(key, path, known), true);
      return;
    }
    if (issue.code === 'invalid_type') {
      const expected = issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected;
      this.error(path, `cannot unmarshal ${kindOf(issue.input)} into ${expected}${sectionSuffix(path)}`);
      return;
    }
    if (issue.code === 'invalid_union' || issue.code === 'invalid_value' || issue.code === 'custom') {
      this.error(path, issue.message);
      return;
    }
    this.error(path, issue.message);
  }

  throwIfAny(): void {
    if (this.located.length === 0) return;
    const sorted = this.located.toSorted((a, b) => a.line - b.line || a.col - b.col);
    const lines: string[] = [];
    for (const e of sorted) {
      const line = `${this.filename}:${e.line}:${e.col}: ${e.message}`;
      if (!lines.includes(line)) lines.push(line);
    }
    throw new ConfigError(lines);
  }
}

function kindOf(input: unknown): string {
  if (input === null || input === undefined) return '!!null';
  if (Array.isArray(input)) return '!!seq';
  if (typeof input === 'string') return `!!str \`${input}\``;
  if (typeof input === 'number') return Number.isInteger(input) ? `!!int \`${input}\`` : `!!float \`${input}\``;
  if (typeof input === 'boolean') return `!!bool \`${input}\``;
  return '!!map';
}

/** A readable name for the section at `path`: "global", "scrape_configs[0]", … */
function sectionName(path: Path): string {
  if (path.length === 0) return 'the top level of the config';
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

function sectionSuffix(path: Path): string {
  return path.length === 0 ? '' : ` (at ${sectionName(path)})`;
}

function unknownKeyMessage(key: string, path: Path, known: string[]): string {
  if (key.endsWith('_sd_configs') && key !== 'file_sd_configs') {
    return `${key} is not supported by Vigil yet (supported: ${SUPPORTED_SD})`;
  }
  let message = `field ${key} not found in ${sectionName(path)}`;
  const suggestion = closest(key, known);
  if (suggestion !== null) message += ` (did you mean ${suggestion}?)`;
  return message;
}

function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/**
 * Parses prometheus.yml text. `filename` names the file in errors and anchors relative paths (its
 * directory). Does not read other files: scrape_config_files are merged by loadConfigFile.
 */
export function parseConfig(text: string, filename: string): PrometheusConfig {
  const parsed = parseYaml(text, { filename });
  const errors = new ErrorCollector(filename, parsed);
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    errors.error([], `cannot unmarshal ${Array.isArray(parsed.value) ? '!!seq' : 'a scalar'} into the config: the top level must be a mapping`);
    errors.throwIfAny();
  }
  const result = configSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    errors.addZodIssues(result.error.issues);
    errors.throwIfAny();
    throw new ConfigError(`${filename}:1:1: invalid config`);
  }
  const ctx: BuildContext = { filename, dir: dirname(resolve(filename)), original: text, reporter: errors };
  const config = buildConfig(result.data, ctx);
  errors.throwIfAny();
  return config;
}

/**
 * Reads the scrape_config_files of `config` (globs; matching nothing is fine) and returns their jobs,
 * validated against the global section and checked for job names clashing with the main file.
 */
export async function loadScrapeConfigFiles(config: PrometheusConfig): Promise<ScrapeConfig[]> {
  const jobNames = new Map<string, string>();
  for (const sc of config.scrapeConfigs) if (sc.sourceFile === config.filename) jobNames.set(sc.jobName, 'main config file');
  const out: ScrapeConfig[] = [];
  for (const pattern of config.scrapeConfigFiles) {
    for (const file of await glob(pattern)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new ConfigError(`${file}:1:1: ${(error as Error).message}`);
      }
      const parsed = parseYaml(text, { filename: file });
      const errors = new ErrorCollector(file, parsed);
      const result = scrapeConfigFileSchema.safeParse(parsed.value, { reportInput: true });
      if (!result.success) {
        errors.addZodIssues(result.error.issues);
        errors.throwIfAny();
      } else {
        (result.data.scrape_configs ?? []).forEach((raw, i) => {
          const path = ['scrape_configs', i];
          const sc = buildScrapeConfig(raw, config.global, path, dirname(resolve(file)), file, errors);
          const first = jobNames.get(sc.jobName);
          if (first !== undefined) {
            errors.error([...path, 'job_name'], `found multiple scrape configs with job name ${JSON.stringify(sc.jobName)}, first found in ${first}`);
          }
          jobNames.set(sc.jobName, JSON.stringify(resolve(file)));
          out.push(sc);
        });
        errors.throwIfAny();
      }
    }
  }
  return out;
}

/** Reads a configuration file; a file that cannot be read is a ConfigError at its first line, as Go's open error reads. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    throw new ConfigError(`${path}:1:1: open ${path}: ${reason}`, { cause: error });
  }
}

/** Reads, parses and validates a prometheus.yml, merging in the jobs of its scrape_config_files. */
export async function loadConfigFile(path: string): Promise<PrometheusConfig> {
  const text = await readConfigText(path);
  const config = parseConfig(text, path);
  if (config.scrapeConfigFiles.length > 0) {
    const extra = await loadScrapeConfigFiles(config);
    config.scrapeConfigs.push(...extra);
  }
  return config;
}

/**
 * The built-in config used when no file is given: Vigil scrapes itself at `listenAddress` every 15s
 * as job "vigil". An address without a host (`:9090`) is scraped at localhost.
 */
export function defaultConfig(listenAddress: string): PrometheusConfig {
  const target = listenAddress.startsWith(':') ? `localhost${listenAddress}` : listenAddress;
  const original = [
    '# Built-in Vigil configuration (no --config.file given).',
    'global:',
    '  scrape_interval: 15s',
    '  evaluation_interval: 15s',
    'scrape_configs:',
    '  - job_name: vigil',
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '',
  ].join('\n');
  const config = parseConfig(original, 'vigil-default.yml');
  config.filename = '';
  for (const sc of config.scrapeConfigs) sc.sourceFile = '';
  return config;
}
