/**
 * Test support: the same OpenMetrics file backfilled into a Prometheus 2.42 (`promtool tsdb
 * create-blocks-from openmetrics`) and into Vigil (`vigil import`), then both servers started on
 * 127.0.0.1 with nothing to scrape, ready to answer queries over the same data.
 */
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { VIGIL_BIN, ROOT, eventually, freePort, spawnProcess, startVigil, stopProcess } from './vigil.ts';

const run = promisify(execFile);

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** Nothing to scrape; a 1-minute evaluation interval, the default step of subqueries without one. */
export const NO_SCRAPE_CONFIG = 'global:\n  scrape_interval: 15s\n  evaluation_interval: 1m\nscrape_configs: []\n';

export interface BackfilledServers {
  prometheusUrl: string;
  vigilUrl: string;
  vigil: Vigil;
  prometheus: ChildProcess;
  stop: () => Promise<void>;
}

export async function backfillPrometheus(file: string, dataDir: string): Promise<void> {
  await run(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { maxBuffer: 64 << 20, timeout: 5 * 60_000 });
}

export async function backfillVigil(file: string, dataDir: string): Promise<void> {
  await run(process.execPath, [VIGIL_BIN, 'import', '--quiet', `--storage.tsdb.path=${dataDir}`, file], { cwd: ROOT, maxBuffer: 64 << 20, timeout: 5 * 60_000 });
}

/** Starts Prometheus 2.42 on existing blocks; resolves when /-/ready answers. */
export async function startPrometheusOn(dataDir: string, configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnProcess(PROMETHEUS_BIN, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y',
    '--log.level=warn',
  ]);
  try {
    await eventually(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`Prometheus exited: ${(child as ChildProcess & { output: () => string }).output()}`);
        const response = await fetch(`${url}/-/ready`);
        await response.arrayBuffer();
        return response.status === 200 ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { child, url };
}

/** Backfills `file` into both systems under `root` and starts them. */
export async function startBackfilledServers(file: string, root: string): Promise<BackfilledServers> {
  const prometheusDir = join(root, 'prometheus');
  const vigilDir = join(root, 'vigil');
  mkdirSync(prometheusDir, { recursive: true });
  mkdirSync(vigilDir, { recursive: true });
  const configFile = join(root, 'prometheus.yml');
  writeFileSync(configFile, NO_SCRAPE_CONFIG);
  await Promise.all([backfillPrometheus(file, prometheusDir), backfillVigil(file, vigilDir)]);
  const prometheus = await startPrometheusOn(prometheusDir, configFile);
  let vigil: Vigil;
  try {
    vigil = await startVigil({ dataDir: vigilDir, configFile, retentionMs: 100 * 365 * 86_400_000 });
  } catch (error) {
    await stopProcess(prometheus.child);
    throw error;
  }
  return {
    prometheusUrl: prometheus.url,
    vigilUrl: vigil.url,
    vigil,
    prometheus: prometheus.child,
    stop: async () => {
      await stopProcess(prometheus.child);
      await vigil.stop();
    },
  };
}
