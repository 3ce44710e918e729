/** Test support: starting Vigil in-process or as a child process, on 127.0.0.1 and a temp dir. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { Vigil } from '../../packages/server/src/vigil.ts';
import type { VigilOptions } from '../../packages/server/src/vigil.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const VIGIL_BIN = join(ROOT, 'bin/vigil.js');

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function startVigil(options: Partial<VigilOptions> & { dataDir: string }): Promise<Vigil> {
  return Vigil.start({
    retentionMs: 15 * 24 * 3600_000,
    retentionBytes: 0,
    listenAddress: '127.0.0.1:0',
    logLevel: 'error',
    logger: pino({ level: 'silent' }),
    ...options,
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A real tool the test needs: skipped on a developer's machine without it, a failure in CI. */
export function requireBinary(path: string): string | false {
  if (existsSync(path)) return false;
  if (process.env.CI === 'true') throw new Error(`this test needs ${path} (CI=true): install it in .ci/run`);
  return `${path} is not installed`;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${(last as Error).message}` : ''}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

export function spawnProcess(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output = (output + data.toString()).slice(-20_000)));
  child.stderr?.on('data', (data: Buffer) => (output = (output + data.toString()).slice(-20_000)));
  (child as ChildProcess & { output: () => string }).output = () => output;
  return child;
}

export async function stopProcess(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function getJson(url: string): Promise<{ status: string; data: unknown; error?: string }> {
  const response = await fetch(url);
  return (await response.json()) as { status: string; data: unknown; error?: string };
}
