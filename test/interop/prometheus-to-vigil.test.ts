/**
 * Interop: a real Prometheus 2.42 scrapes itself and remote-writes to a running Vigil; every series
 * Prometheus holds must arrive in Vigil, with the same labels.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { eventually, freePort, getJson, requireBinary, spawnProcess, startVigil, stopProcess, tempDir } from '../support/vigil.ts';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const skip = requireBinary(PROMETHEUS);

describe('Prometheus 2.42 remote_write into Vigil', { skip }, () => {
  const dir = tempDir('vigil-prom-rw-');
  let vigil: Vigil;
  let prometheus: ChildProcess | null = null;
  let promUrl = '';

  before(async () => {
    vigil = await startVigil({ dataDir: join(dir.path, 'vigil'), configFile: undefined });
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: prometheus',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${port}']`,
        'remote_write:',
        `  - url: ${vigil.url}/api/v1/write`,
        '    queue_config:',
        '      batch_send_deadline: 200ms',
        '',
      ].join('\n'),
    );
    prometheus = spawnProcess(PROMETHEUS, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
  });

  after(async () => {
    await stopProcess(prometheus);
    await vigil?.stop();
    dir.remove();
  });

  it('delivers every series Prometheus has', async () => {
    const match = encodeURIComponent('{job="prometheus"}');
    // Wait for a few scrapes in Prometheus.
    const promSeries = await eventually('Prometheus to scrape itself three times', async () => {
      const body = await getJson(`${promUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(up[1m])')}`);
      const result = (body.data as { result: { value: [number, string] }[] } | undefined)?.result ?? [];
      if (result.length === 0 || Number(result[0].value[1]) < 3) return undefined;
      const series = await getJson(`${promUrl}/api/v1/series?match[]=${match}`);
      return series.data as Record<string, string>[];
    }, 60_000);
    const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
    const expected = new Set(promSeries.map(key));
    assert.ok(expected.size > 100, `Prometheus exposes many series of its own (${expected.size})`);
    const missing = await eventually('all series in Vigil', async () => {
      const body = await getJson(`${vigil.url}/api/v1/series?match[]=${match}`);
      const got = new Set((body.data as Record<string, string>[]).map(key));
      const absent = [...expected].filter((k) => !got.has(k));
      return absent.length === 0 ? absent : undefined;
    }, 60_000);
    assert.deepEqual(missing, []);
    const values = await getJson(`${vigil.url}/api/v1/label/__name__/values`);
    assert.ok((values.data as string[]).includes('prometheus_build_info'));
  });
});
