/**
 * Shared plumbing of the comparison benchmarks (bench/disk-bytes.ts, memory-series.ts,
 * remote-write-cpu.ts, scrape-cpu.ts, wal-replay.ts): flags, temp dirs and child processes that are
 * always cleaned up, a hard deadline, result tables and the JSON hand-off to bench/run-all.ts.
 */
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchArgs {
  quick: boolean;
  /** Where to write the machine-readable result (bench/run-all.ts passes it). */
  json: string | null;
  /** Which systems to run: both by default; `--only=prometheus` or `--only=vigil`. */
  only: 'prometheus' | 'vigil' | null;
  /** Free-form `--name=value` flags for a benchmark's own knobs. */
  extra: Map<string, string>;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const args: BenchArgs = { quick: false, json: null, only: null, extra: new Map() };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--json=')) args.json = arg.slice('--json='.length);
    else if (arg === '--only=prometheus' || arg === '--only=vigil') args.only = arg.slice('--only='.length) as 'prometheus' | 'vigil';
    else if (arg.startsWith('--') && arg.includes('=')) {
      const eq = arg.indexOf('=');
      args.extra.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (arg.startsWith('--')) args.extra.set(arg.slice(2), 'true');
    else throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
  }
  return args;
}

export function numberFlag(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.extra.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got ${JSON.stringify(raw)})`);
  return n;
}

// ---- cleanup -----------------------------------------------------------------------------------

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vigil-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Kills every child this process started (by pid) and removes every temp dir. Synchronous, so it also runs on 'exit'. */
export function cleanupAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let installed = false;

/**
 * Runs a benchmark's body with cleanup on every way out (return, throw, SIGINT/SIGTERM, deadline):
 * children are killed and temp dirs removed. The deadline aborts the whole process.
 */
export async function runBench(name: string, deadlineMs: number, body: () => Promise<void>): Promise<void> {
  if (!installed) {
    installed = true;
    process.on('exit', cleanupAll);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        console.error(`${name}: ${signal}, cleaning up`);
        cleanupAll();
        process.exit(130);
      });
    }
  }
  const timer = setTimeout(() => {
    console.error(`${name}: deadline of ${Math.round(deadlineMs / 1000)} s exceeded, aborting`);
    cleanupAll();
    process.exit(3);
  }, deadlineMs);
  timer.unref();
  try {
    await body();
  } catch (error) {
    console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    cleanupAll();
  }
}

// ---- machine -----------------------------------------------------------------------------------

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  prometheus: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1].trim();
  } catch {
    // Not Linux.
  }
  let prometheus = 'not installed';
  try {
    prometheus = execFileSync('prometheus', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
  } catch {
    // Left as not installed.
  }
  let kernel = 'unknown';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // Not Linux.
  }
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    prometheus,
    kernel,
  };
}

// ---- results -----------------------------------------------------------------------------------

export interface BenchResult {
  bench: string;
  title: string;
  quick: boolean;
  /** The command that produced it. */
  command: string;
  /** Workload description (one paragraph). */
  workload: string;
  columns: string[];
  rows: (string | number)[][];
  /** Headline figures: name → { vigil, prometheus, target } for the summary table. */
  headline: Headline[];
  notes: string[];
  startedAt: string;
  seconds: number;
}

export interface Headline {
  metric: string;
  unit: string;
  vigil: number | null;
  prometheus: number | null;
  /** Human-readable target, e.g. "≤ 1.3". */
  target: string;
  /** Whether Vigil's figure meets the target (null when not measured). */
  met: boolean | null;
  /** Lower is better for every figure here. */
}

export function fmt(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 1e6) return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (Math.abs(n) >= 100) return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return n.toFixed(digits);
}

export function ratio(vigil: number | null, prometheus: number | null): string {
  if (vigil === null || prometheus === null || prometheus === 0 || !Number.isFinite(vigil) || !Number.isFinite(prometheus)) return '—';
  return `${(vigil / prometheus).toFixed(2)}×`;
}

export function printTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => String(row[i] ?? '').length)));
  const line = (row: readonly string[]) => row.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

export function finish(args: BenchArgs, result: BenchResult): void {
  console.log('');
  console.log(`== ${result.title}${result.quick ? ' (quick)' : ''} ==`);
  console.log(result.workload);
  console.log('');
  printTable(result.columns, result.rows);
  if (result.headline.length > 0) {
    console.log('');
    printTable(
      ['figure', 'Vigil', 'Prometheus', 'Vigil / Prometheus', 'target', 'met'],
      result.headline.map((h) => [`${h.metric} (${h.unit})`, fmt(h.vigil), fmt(h.prometheus), ratio(h.vigil, h.prometheus), h.target, h.met === null ? '—' : h.met ? 'yes' : 'NO']),
    );
  }
  for (const note of result.notes) console.log(`note: ${note}`);
  if (args.json !== null) writeFileSync(args.json, JSON.stringify(result, null, 2));
}

export function commandLine(name: string, args: BenchArgs): string {
  return `node --import tsx bench/${name}.ts${args.quick ? ' --quick' : ''}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function log(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.error(`[${t}] ${message}`);
}
