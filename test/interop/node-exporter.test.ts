/**
 * Interop: Vigil scrapes a real prometheus-node-exporter and itself, from a prometheus.yml.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { eventually, freePort, getJson, requireBinary, spawnProcess, startVigil, stopProcess, tempDir } from '../support/vigil.ts';

const NODE_EXPORTER = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter';
const skip = requireBinary(NODE_EXPORTER);

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
  scrapePool: string;
}

describe('Vigil scrapes node_exporter and itself', { skip }, () => {
  const dir = tempDir('vigil-node-exporter-');
  let exporter: ChildProcess | null = null;
  let vigil: Vigil;

  before(async () => {
    const exporterPort = await freePort();
    exporter = spawnProcess(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${exporterPort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.loadavg', '--collector.filesystem']);
    const vigilPort = await freePort();
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  external_labels: { site: test }',
        'scrape_configs:',
        '  - job_name: node',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${exporterPort}']`,
        '        labels: { env: ci }',
        '  - job_name: vigil',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${vigilPort}']`,
        '',
      ].join('\n'),
    );
    vigil = await startVigil({ dataDir: join(dir.path, 'data'), configFile: config, listenAddress: `127.0.0.1:${vigilPort}` });
  });

  after(async () => {
    await vigil?.stop();
    await stopProcess(exporter);
    dir.remove();
  });

  it('reports both targets up and stores their series', async () => {
    const targets = await eventually('both targets scraped', async () => {
      const body = await getJson(`${vigil.url}/api/v1/targets`);
      const active = (body.data as { activeTargets: Target[] }).activeTargets;
      return active.length === 2 && active.every((t) => t.health === 'up') ? active : undefined;
    });
    const node = targets.find((t) => t.scrapePool === 'node');
    assert.equal(node?.labels.env, 'ci');
    assert.equal(node?.lastError, '');
    const series = await getJson(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent('node_cpu_seconds_total{job="node"}')}`);
    const list = series.data as Record<string, string>[];
    assert.ok(list.length > 0, 'node_cpu_seconds_total stored');
    assert.equal(list[0].env, 'ci');
    assert.ok(list[0].cpu !== undefined && list[0].mode !== undefined);
    for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      const body = await getJson(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent(`${name}{job="node"}`)}`);
      assert.equal((body.data as unknown[]).length, 1, name);
    }
    const self = await getJson(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent('prometheus_tsdb_head_series{job="vigil"}')}`);
    assert.equal((self.data as unknown[]).length, 1, 'Vigil scraped its own /metrics');
  });
});
