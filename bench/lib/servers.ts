/**
 * Starting, observing and stopping the two systems under test: Prometheus 2.42 (`/usr/bin/prometheus`)
 * and Vigil (`node bin/vigil.js start`), each on 127.0.0.1 with its own data dir, one at a time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, sleep, trackChild } from './common.ts';

export type SystemName = 'prometheus' | 'vigil';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerOptions {
  system: SystemName;
  dataDir: string;
  /** prometheus.yml contents. */
  config: string;
  /** Vigil: V8 old-space limit in MiB. */
  heapMiB?: number;
  /** Where stdout/stderr go (a file in the data dir's parent by default). */
  logFile: string;
  readyTimeoutMs?: number;
}

export interface RunningServer {
  system: SystemName;
  pid: number;
  port: number;
  base: string;
  child: ChildProcess;
  logFile: string;
  /** ms from spawn to /-/ready answering 200. */
  readyMs: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const configFile = join(dirname(options.dataDir), `${options.system}-${port}.yml`);
  writeFileSync(configFile, options.config);
  const listen = `127.0.0.1:${port}`;
  let command: string;
  let args: string[];
  if (options.system === 'prometheus') {
    command = '/usr/bin/prometheus';
    args = [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=${listen}`,
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=30d',
      '--log.level=info',
    ];
  } else {
    command = process.execPath;
    args = [
      `--max-old-space-size=${options.heapMiB ?? 4096}`,
      '--expose-gc',
      // Extra node flags for investigations, e.g. VIGIL_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.VIGIL_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      `--import=${join(REPO_ROOT, 'bench', 'lib', 'gc-on-signal.mjs')}`,
      join(REPO_ROOT, 'bin', 'vigil.js'),
      'start',
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=${listen}`,
      '--storage.tsdb.retention.time=30d',
      '--log.level=info',
    ];
  }
  const out = createWriteStream(options.logFile, { flags: 'a' });
  const started = performance.now();
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  trackChild(child);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  if (child.pid === undefined) throw new Error(`${options.system} did not start`);
  const base = `http://${listen}`;
  const server: RunningServer = { system: options.system, pid: child.pid, port, base, child, logFile: options.logFile, readyMs: 0 };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.system} exited (${child.exitCode ?? child.signalCode}) before it was ready; log tail:\n${tail(options.logFile)}`);
    }
    try {
      const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${options.system} not ready after ${options.readyTimeoutMs ?? 120_000} ms; log tail:\n${tail(options.logFile)}`);
    await sleep(50);
  }
  server.readyMs = performance.now() - started;
  log(`${options.system} ready on ${listen} (pid ${child.pid}) after ${(server.readyMs / 1000).toFixed(2)} s`);
  return server;
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Graceful stop (SIGTERM, then SIGKILL after `graceMs`). Resolves with the exit code or signal. */
export async function stopServer(server: RunningServer, graceMs = 60_000): Promise<string> {
  const child = server.child;
  if (child.exitCode !== null || child.signalCode !== null) return String(child.exitCode ?? child.signalCode);
  const exited = new Promise<string>((resolveExit) => child.once('exit', (code, signal) => resolveExit(String(code ?? signal))));
  process.kill(server.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    log(`${server.system} did not exit within ${graceMs} ms of SIGTERM; killing`);
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }, graceMs);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

// ---- /proc -------------------------------------------------------------------------------------

const CLK_TCK = 100;

/** User + system CPU seconds of a process (all threads) from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in bytes from /proc/PID/status (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Peak RSS (VmHWM) in bytes. */
export function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

// ---- metrics -----------------------------------------------------------------------------------

/** Sum of every sample of metric `name` (any labels) on the server's /metrics. */
export async function metricSum(server: RunningServer, name: string): Promise<number> {
  const res = await fetch(`${server.base}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(rest[0] === '{' ? '}' : ' ') + 1).trim().split(' ')[0]);
    if (Number.isFinite(value)) {
      sum += value;
      found = true;
    }
  }
  if (!found) throw new Error(`${server.system} /metrics has no ${name}`);
  return sum;
}

/** Number of head series, from the TSDB status API. */
export async function headSeries(server: RunningServer): Promise<number> {
  const res = await fetch(`${server.base}/api/v1/status/tsdb`, { signal: AbortSignal.timeout(60_000) });
  const body = (await res.json()) as { data?: { headStats?: { numSeries?: number } } };
  return Number(body.data?.headStats?.numSeries ?? NaN);
}

/**
 * Asks the process to collect garbage: Prometheus through `/debug/pprof/heap?gc=1` (runs runtime.GC),
 * Vigil through SIGUSR2 (handled by bench/lib/gc-on-signal.mjs, preloaded with --expose-gc).
 */
export async function forceGc(server: RunningServer): Promise<void> {
  if (server.system === 'prometheus') {
    const res = await fetch(`${server.base}/debug/pprof/heap?gc=1`, { signal: AbortSignal.timeout(120_000) });
    await res.arrayBuffer();
  } else {
    process.kill(server.pid, 'SIGUSR2');
    await sleep(100);
  }
}

/** Waits until RSS stops shrinking by more than 0.5 % over `stepMs`, forcing GC each step; at most `maxMs`. */
export async function settledRss(server: RunningServer, stepMs = 5000, maxMs = 60_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  await forceGc(server);
  let last = rssBytes(server.pid);
  for (;;) {
    await sleep(stepMs);
    await forceGc(server);
    await sleep(500);
    const now = rssBytes(server.pid);
    if (now > last * 0.995 || Date.now() > deadline) return Math.min(now, last);
    last = now;
  }
}

export const EMPTY_CONFIG = 'global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\nscrape_configs: []\n';
