import { parseDuration } from '../model/index.ts';
// The API's own leaf modules for times and Go number texts, not serve/index.ts: a query client
// has no use for the HTTP server.
import { formatFloat, goQuote, parseGoFloat } from '../model/index.ts';
import { parseApiTime } from '../serve/params.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';

/**
 * `vigil query instant|range`: runs a query against a Vigil (or Prometheus) server's HTTP API and
 * prints the result as `promtool query` does — the text of Prometheus's client values, or with
 * `--format json` the result as JSON.
 */

const COMMON: FlagSpec[] = [
  { name: 'server', help: 'URL of the Vigil or Prometheus server (also accepted as the first argument, as promtool takes it).', default: 'http://127.0.0.1:9090' },
  { name: 'format', help: 'Output format: promql (text, as promtool prints it) or json.', default: 'promql' },
];
const INSTANT_FLAGS: FlagSpec[] = [...COMMON, { name: 'time', help: 'Evaluation time (RFC 3339 or Unix timestamp); now when absent.' }];
const RANGE_FLAGS: FlagSpec[] = [
  ...COMMON,
  { name: 'start', help: 'Start of the range (RFC 3339 or Unix timestamp); 5 minutes before the end when absent.' },
  { name: 'end', help: 'End of the range (RFC 3339 or Unix timestamp); now when absent.' },
  { name: 'step', help: 'Resolution (a duration such as 15s); about 250 points over the range when absent.' },
];

/** What a failed run prints to stderr (exit code 1). */
class QueryFailure extends Error {}

/** Where a command writes (the process's streams, or a test's buffers). */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const PROCESS_OUTPUT: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** `vigil query <instant|range> …`. */
export async function queryCommand(args: string[], io: Output = PROCESS_OUTPUT): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'instant') return queryInstantCommand(rest, io);
  if (sub === 'range') return queryRangeCommand(rest, io);
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    // Asked for: help on stdout; a bare `vigil query` is a usage error.
    (sub === undefined ? io.err : io.out)(
      'usage: vigil query <instant|range> [<flags>] [<server>] <expr>\n\nRuns PromQL queries against a server, like promtool query.\n\n' +
        'Commands:\n  instant  Run an instant query.\n  range    Run a range query.\n\nRun "vigil query instant --help" for the flags.\n',
    );
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown query command ${JSON.stringify(sub)} (expected instant or range)`);
}

export async function queryInstantCommand(args: string[], io: Output = PROCESS_OUTPUT): Promise<number> {
  const { values, positionals } = parseFlags(args, INSTANT_FLAGS, true);
  if (values.help === true) {
    io.out(formatHelp('vigil query instant [<flags>] [<server>] <expr>', 'Runs an instant query and prints the result, like promtool query instant.', INSTANT_FLAGS));
    return 0;
  }
  const { server, expr } = target(values, positionals);
  const format = outputFormat(values);
  return run(io, async () => {
    let time = Date.now();
    if (values.time !== undefined) time = parseTime(String(values.time), 'error parsing evaluation time');
    const data = await post(server, '/api/v1/query', { query: expr, time: seconds(time) });
    return format === 'json' ? resultJson(data) : resultText(data);
  });
}

export async function queryRangeCommand(args: string[], io: Output = PROCESS_OUTPUT): Promise<number> {
  const { values, positionals } = parseFlags(args, RANGE_FLAGS, true);
  if (values.help === true) {
    io.out(formatHelp('vigil query range [<flags>] [<server>] <expr>', 'Runs a range query and prints the result, like promtool query range.', RANGE_FLAGS));
    return 0;
  }
  const { server, expr } = target(values, positionals);
  const format = outputFormat(values);
  let step = 0;
  if (values.step !== undefined) {
    try {
      step = parseDuration(String(values.step));
    } catch (error) {
      throw new UsageError(`--step: ${(error as Error).message}`);
    }
  }
  return run(io, async () => {
    const end = values.end === undefined ? Date.now() : parseTime(String(values.end), 'error parsing end time');
    const start = values.start === undefined ? end - 5 * 60_000 : parseTime(String(values.start), 'error parsing start time');
    if (!(start < end)) throw new QueryFailure('start time is not before end time');
    // promtool's default: a whole number of seconds giving about 250 points.
    if (step === 0) step = Math.max(Math.floor((end - start) / 1000 / 250), 1) * 1000;
    const data = await post(server, '/api/v1/query_range', { query: expr, start: seconds(start), end: seconds(end), step: seconds(step) });
    return format === 'json' ? resultJson(data) : resultText(data);
  });
}

function target(values: Record<string, unknown>, positionals: string[]): { server: string; expr: string } {
  if (positionals.length === 0) throw new UsageError('missing the query expression');
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[2])}`);
  const server = positionals.length === 2 ? positionals[0] : String(values.server);
  const expr = positionals[positionals.length - 1];
  return { server: /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`, expr };
}

function outputFormat(values: Record<string, unknown>): 'promql' | 'json' {
  const format = String(values.format);
  if (format !== 'promql' && format !== 'json') throw new UsageError(`--format must be promql or json (got ${JSON.stringify(format)})`);
  return format;
}

async function run(io: Output, body: () => Promise<string>): Promise<number> {
  try {
    io.out(await body());
    return 0;
  } catch (error) {
    if (!(error instanceof QueryFailure)) throw error;
    io.err(`${error.message}\n`);
    return 1;
  }
}

function parseTime(text: string, what: string): number {
  try {
    return parseApiTime(text);
  } catch (error) {
    throw new QueryFailure(`${what}: ${(error as Error).message}`);
  }
}

function seconds(ms: number): string {
  return formatFloat(ms / 1000, 'f', -1);
}

/** The `data` of a successful API answer; anything else is a QueryFailure worded as promtool words it. */
async function post(server: string, path: string, form: Record<string, string>): Promise<ApiData> {
  const url = `${server.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw new QueryFailure(`query error: Post ${goQuote(url)}: ${cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: { status?: string; errorType?: string; error?: string; data?: ApiData };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new QueryFailure(`query error: server error: ${response.status}: ${text.trim()}`);
  }
  if (body.status !== 'success' || body.data === undefined) throw new QueryFailure(`query error: ${body.errorType ?? 'unknown'}: ${body.error ?? `server answered ${response.status}`}`);
  return body.data;
}

interface ApiData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

type Metric = Record<string, string>;

/** Prometheus's client text for a metric: `name{a="1", b="2"}`, `{}` for none. */
function metricText(metric: Metric): string {
  const name = metric['__name__'];
  const pairs = Object.keys(metric)
    .filter((label) => label !== '__name__')
    .map((label) => `${label}=${goQuote(metric[label])}`)
    .sort();
  if (pairs.length === 0) return name ?? '{}';
  return `${name ?? ''}{${pairs.join(', ')}}`;
}

/** A sample value as the API writes it (`"1"`, `"+Inf"`, `"NaN"`, `"1e-07"`). */
function sampleValue(text: string): number {
  return parseGoFloat(text) ?? NaN;
}

/** `value @[seconds]`, values and times in Go's shortest plain notation. */
function pointText(point: [number, string]): string {
  return `${formatFloat(sampleValue(point[1]), 'f', -1)} @[${formatFloat(point[0], 'f', -1)}]`;
}

/** The result as `promtool query` prints it (Go's `fmt.Println` of the client's value). */
export function resultText(data: ApiData): string {
  switch (data.resultType) {
    case 'vector': {
      const samples = data.result as { metric: Metric; value: [number, string] }[];
      return `${samples.map((s) => `${metricText(s.metric)} => ${pointText(s.value)}`).join('\n')}\n`;
    }
    case 'matrix': {
      const series = data.result as { metric: Metric; values?: [number, string][] }[];
      return `${series.map((s) => `${metricText(s.metric)} =>\n${(s.values ?? []).map(pointText).join('\n')}`).join('\n')}\n`;
    }
    case 'scalar':
      return `scalar: ${pointText(data.result as [number, string])}\n`;
    case 'string':
      return `${(data.result as [number, string])[1]}\n`;
  }
}

/** The result as `promtool query -o json` prints it (the client's values encoded by Go). */
export function resultJson(data: ApiData): string {
  const metricJson = (metric: Metric) => `{${Object.keys(metric).sort().map((label) => `${JSON.stringify(label)}:${JSON.stringify(metric[label])}`).join(',')}}`;
  const pointJson = (point: [number, string]) => `[${formatFloat(point[0], 'f', -1)},${JSON.stringify(formatFloat(sampleValue(point[1]), 'f', -1))}]`;
  let out: string;
  switch (data.resultType) {
    case 'vector':
      out = `[${(data.result as { metric: Metric; value: [number, string] }[]).map((s) => `{"metric":${metricJson(s.metric)},"value":${pointJson(s.value)}}`).join(',')}]`;
      break;
    case 'matrix':
      out = `[${(data.result as { metric: Metric; values?: [number, string][] }[]).map((s) => `{"metric":${metricJson(s.metric)},"values":[${(s.values ?? []).map(pointJson).join(',')}]}`).join(',')}]`;
      break;
    case 'scalar':
      out = pointJson(data.result as [number, string]);
      break;
    case 'string': {
      const [time, value] = data.result as [number, string];
      out = `[${formatFloat(time, 'f', -1)},${JSON.stringify(value)}]`;
      break;
    }
  }
  // Go's encoder escapes these inside strings.
  return `${out.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
