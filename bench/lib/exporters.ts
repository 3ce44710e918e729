/**
 * Real exporters' data for the disk benchmark (bench/disk-bytes.ts): runs the exporters installed
 * here — Debian's node_exporter, Prometheus 2.42's and Alertmanager 0.25's own /metrics, and a Vigil
 * server's /metrics — scrapes each of them a fixed number of times, reads every body with Vigil's
 * exposition parser and keeps the samples per series in memory, then writes them as one OpenMetrics
 * file with the scrapes re-stamped on an exact grid (scrape k at t0 + k·step).
 *
 * Recording every second and stamping 15 s apart makes a 2 h block in 8 minutes, but counters advance
 * less per step than they would at a real 15 s interval (smaller deltas compress better); recording
 * at a 15 s interval is faithful and takes 2 hours.
 *
 * The Prometheus and the Vigil server scrape the other targets themselves (Prometheus: node_exporter
 * and Alertmanager; Vigil: those and the Prometheus), at the recording interval, so that their
 * scrape, TSDB and HTTP figures move as in a working server rather than an idle one.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EntryKind, ExpositionParser, SCRAPE_ACCEPT_HEADER, formatFromContentType } from '../../packages/server/src/ingest/scrape/index.ts';
import { log, sleep, trackChild } from './common.ts';
import { freePort, startServer, stopServer, tail } from './servers.ts';
import type { RunningServer } from './servers.ts';

/** One series as recorded: its sorted label pairs (target labels included) and its samples by scrape number. */
export interface RecordedSeries {
  /** Sorted label pairs, flat: [name, value, …], `__name__` first (as Vigil's Labels). */
  labels: string[];
  job: string;
  /** Scrape numbers (0-based, increasing) at which the series had a sample. */
  steps: number[];
  values: number[];
}

export interface JobFigures {
  job: string;
  instance: string;
  series: number;
  samples: number;
  failedScrapes: number;
  /** Bytes of the last body scraped (after decompression). */
  bodyBytes: number;
  format: string;
}

export interface Recording {
  scrapes: number;
  intervalMs: number;
  series: RecordedSeries[];
  samples: number;
  jobs: JobFigures[];
  /** Samples whose value is NaN or ±Inf. */
  nonFinite: number;
  /** Series left out of the file because their name needs OpenMetrics' quoted syntax, which promtool 2.42 does not read. */
  skippedSeries: number;
  /** Series seen twice in one body (the second sample is dropped, as a scrape would). */
  duplicates: number;
  /** Wall-clock seconds the recording took. */
  seconds: number;
}

export interface RecordOptions {
  /** Number of scrapes of every target. */
  scrapes: number;
  /** Time between scrapes, ms. */
  intervalMs: number;
  /** A directory for the servers' data and logs (removed by the caller). */
  workDir: string;
}

interface Target {
  job: string;
  instance: string;
  url: string;
  /** Series text → recorded series, for this target's bodies. */
  byText: Map<string, RecordedSeries>;
  failedScrapes: number;
  bodyBytes: number;
  format: string;
}

const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Starts a binary that is not one of the two systems under test, waits until `readyPath` answers 200. */
async function startExporter(name: string, command: string, args: string[], base: string, readyPath: string, logFile: string): Promise<ChildProcess> {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; log tail:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${base}${readyPath}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after 30 s; log tail:\n${tail(logFile)}`);
    await sleep(50);
  }
  log(`${name} ready on ${base} (pid ${child.pid})`);
  return child;
}

async function stopExporter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The label set a Prometheus scrape with honor_labels: false stores: the exposed labels, with an
 * exposed `job` or `instance` renamed `exported_job` / `exported_instance`, plus the target's; a label
 * with an empty value is no label (node_exporter's node_disk_info has several).
 */
function targetLabels(exposed: string[], job: string, instance: string): string[] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < exposed.length; i += 2) {
    const name = exposed[i];
    if (exposed[i + 1] === '') continue;
    pairs.push([name === 'job' || name === 'instance' ? `exported_${name}` : name, exposed[i + 1]]);
  }
  pairs.push(['job', job], ['instance', instance]);
  pairs.sort((a, b) => compareNames(a[0], b[0]));
  return pairs.flat();
}

export function seriesKey(labels: readonly string[]): string {
  return labels.join('\u0000');
}

/** Reads one body into the recording; returns the number of samples taken. */
function ingestBody(target: Target, body: string, format: 'text' | 'openmetrics', step: number, all: Map<string, RecordedSeries>, counts: { duplicates: number }): number {
  const parser = new ExpositionParser(body, format);
  const scratch: string[] = [];
  let samples = 0;
  for (let kind = parser.next(); kind !== 0; kind = parser.next()) {
    if (kind !== EntryKind.Series) continue;
    const text = parser.seriesText();
    let series = target.byText.get(text);
    if (series === undefined) {
      scratch.length = 0;
      parser.labels(scratch);
      const labels = targetLabels(scratch, target.job, target.instance);
      const key = seriesKey(labels);
      series = all.get(key);
      if (series === undefined) {
        series = { labels, job: target.job, steps: [], values: [] };
        all.set(key, series);
      }
      target.byText.set(text, series);
    }
    if (series.steps.length > 0 && series.steps[series.steps.length - 1] === step) {
      counts.duplicates++;
      continue;
    }
    series.steps.push(step);
    series.values.push(parser.value);
    samples++;
  }
  return samples;
}

async function scrapeOnce(target: Target, step: number, timeoutMs: number, all: Map<string, RecordedSeries>, counts: { duplicates: number }): Promise<void> {
  try {
    const res = await fetch(target.url, { headers: { accept: SCRAPE_ACCEPT_HEADER }, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const format = formatFromContentType(res.headers.get('content-type'));
    target.bodyBytes = body.length;
    target.format = format;
    ingestBody(target, body, format, step, all, counts);
  } catch (error) {
    target.failedScrapes++;
    if (target.failedScrapes <= 3) log(`scrape ${step} of ${target.job} failed: ${(error as Error).message}`);
  }
}

/**
 * Starts the four exporters, scrapes each `options.scrapes` times every `options.intervalMs`, stops
 * them and returns what was read. A failed scrape leaves that target without samples at that step.
 */
export async function recordExporters(options: RecordOptions): Promise<Recording> {
  const started = performance.now();
  const intervalSeconds = options.intervalMs / 1000;
  const children: ChildProcess[] = [];
  const servers: RunningServer[] = [];
  const targets: Target[] = [];
  const target = (job: string, instance: string): Target => {
    const t: Target = { job, instance, url: `http://${instance}/metrics`, byText: new Map(), failedScrapes: 0, bodyBytes: 0, format: '' };
    targets.push(t);
    return t;
  };
  try {
    const nodePort = await freePort();
    const nodeInstance = `127.0.0.1:${nodePort}`;
    children.push(
      await startExporter('node_exporter', '/usr/bin/prometheus-node-exporter', [`--web.listen-address=${nodeInstance}`], `http://${nodeInstance}`, '/metrics', join(options.workDir, 'node-exporter.log')),
    );

    const alertmanagerPort = await freePort();
    const alertmanagerInstance = `127.0.0.1:${alertmanagerPort}`;
    const alertmanagerConfig = join(options.workDir, 'alertmanager.yml');
    writeFileSync(alertmanagerConfig, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
    mkdirSync(join(options.workDir, 'alertmanager-data'));
    children.push(
      await startExporter(
        'alertmanager',
        '/usr/bin/prometheus-alertmanager',
        [`--config.file=${alertmanagerConfig}`, `--storage.path=${join(options.workDir, 'alertmanager-data')}`, `--web.listen-address=${alertmanagerInstance}`, '--cluster.listen-address='],
        `http://${alertmanagerInstance}`,
        '/-/ready',
        join(options.workDir, 'alertmanager.log'),
      ),
    );

    const scrapeConfig = (jobs: [string, string][]) =>
      `global:\n  scrape_interval: ${options.intervalMs}ms\n  scrape_timeout: ${Math.min(options.intervalMs, 10_000)}ms\n  evaluation_interval: 15s\nscrape_configs:\n` +
      jobs.map(([job, instance]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ['${instance}']\n`).join('');
    const prometheusData = join(options.workDir, 'prometheus-data');
    mkdirSync(prometheusData);
    const prometheus = await startServer({
      system: 'prometheus',
      dataDir: prometheusData,
      config: scrapeConfig([['node', nodeInstance], ['alertmanager', alertmanagerInstance]]),
      logFile: join(options.workDir, 'prometheus.log'),
    });
    servers.push(prometheus);
    const vigilData = join(options.workDir, 'vigil-data');
    mkdirSync(vigilData);
    const vigil = await startServer({
      system: 'vigil',
      dataDir: vigilData,
      config: scrapeConfig([['node', nodeInstance], ['alertmanager', alertmanagerInstance], ['prometheus', `127.0.0.1:${prometheus.port}`]]),
      logFile: join(options.workDir, 'vigil.log'),
    });
    servers.push(vigil);

    target('node', nodeInstance);
    target('prometheus', `127.0.0.1:${prometheus.port}`);
    target('alertmanager', alertmanagerInstance);
    target('vigil', `127.0.0.1:${vigil.port}`);

    const all = new Map<string, RecordedSeries>();
    const counts = { duplicates: 0 };
    const timeoutMs = Math.max(1000, Math.min(options.intervalMs, 10_000));
    const origin = performance.now();
    log(`recording ${options.scrapes} scrapes of ${targets.map((t) => t.job).join(', ')} every ${intervalSeconds} s …`);
    for (let step = 0; step < options.scrapes; step++) {
      const wait = origin + step * options.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      await Promise.all(targets.map((t) => scrapeOnce(t, step, timeoutMs, all, counts)));
      if ((step + 1) % 60 === 0) log(`  ${step + 1} of ${options.scrapes} scrapes, ${all.size} series`);
    }

    let samples = 0;
    let nonFinite = 0;
    let skippedSeries = 0;
    const series: RecordedSeries[] = [];
    for (const s of all.values()) {
      if (!LEGACY_NAME.test(s.labels[1])) {
        skippedSeries++;
        continue;
      }
      series.push(s);
      samples += s.values.length;
      for (const v of s.values) if (!Number.isFinite(v)) nonFinite++;
    }
    const jobs = targets.map((t): JobFigures => {
      const mine = series.filter((s) => s.job === t.job);
      return {
        job: t.job,
        instance: t.instance,
        series: mine.length,
        samples: mine.reduce((sum, s) => sum + s.values.length, 0),
        failedScrapes: t.failedScrapes,
        bodyBytes: t.bodyBytes,
        format: t.format,
      };
    });
    return { scrapes: options.scrapes, intervalMs: options.intervalMs, series, samples, jobs, nonFinite, skippedSeries, duplicates: counts.duplicates, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const server of servers.toReversed()) await stopServer(server, 20_000);
    for (const child of children.toReversed()) await stopExporter(child);
  }
}

/** A float as OpenMetrics writes it, reading back to the same float64 (Go's ParseFloat is correctly rounded). */
export function openMetricsValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/**
 * Writes the recording as one OpenMetrics file, scrape k stamped t0 + k·stepMs. Every metric name is
 * its own family of unknown type (no TYPE lines: blocks keep no metadata, and OpenMetrics' naming rules
 * for typed families, such as counters' `_total`, are not what text-format exporters follow); a
 * family's series are written together, each series' samples in time order. Returns the bytes written.
 */
export function writeRecordingOpenMetrics(recording: Recording, file: string, t0: number, stepMs: number): number {
  const byName = new Map<string, RecordedSeries[]>();
  for (const s of recording.series) {
    const name = s.labels[1];
    let list = byName.get(name);
    if (list === undefined) byName.set(name, (list = []));
    list.push(s);
  }
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (const name of [...byName.keys()].sort(compareNames)) {
      for (const s of byName.get(name) as RecordedSeries[]) {
        const pairs: string[] = [];
        for (let i = 2; i < s.labels.length; i += 2) pairs.push(`${s.labels[i]}="${escapeLabelValue(s.labels[i + 1])}"`);
        const prefix = `${name}{${pairs.join(',')}} `;
        let out = '';
        for (let k = 0; k < s.steps.length; k++) out += `${prefix}${openMetricsValue(s.values[k])} ${(t0 + s.steps[k] * stepMs) / 1000}\n`;
        bytes += writeSync(fd, out);
      }
    }
    bytes += writeSync(fd, '# EOF\n');
  } finally {
    closeSync(fd);
  }
  return bytes;
}
