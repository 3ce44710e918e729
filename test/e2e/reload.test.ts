/**
 * Reload as an operator does it: edit prometheus.yml, send SIGHUP (or POST /-/reload); a broken file
 * keeps the running config and says why.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VIGIL_BIN, eventually, freePort, getJson, spawnProcess, stopProcess, tempDir } from '../support/vigil.ts';

function config(jobs: string[]): string {
  return ['global:', '  scrape_interval: 1m', 'scrape_configs:', ...jobs.flatMap((job, i) => [`  - job_name: ${job}`, '    static_configs:', `      - targets: ['127.0.0.1:${40000 + i}']`]), ''].join('\n');
}

describe('configuration reload', () => {
  const dir = tempDir('vigil-reload-');
  let child: ChildProcess | null = null;
  after(async () => {
    await stopProcess(child);
    dir.remove();
  });

  it('applies a new config on SIGHUP and keeps the old one when the new one is broken', async () => {
    const file = join(dir.path, 'prometheus.yml');
    writeFileSync(file, config(['alpha']));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawnProcess(process.execPath, [VIGIL_BIN, 'start', `--config.file=${file}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error']);
    await eventually('Vigil to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);
    const pools = async () => ((await getJson(`${url}/api/v1/targets`)).data as { activeTargets: { scrapePool: string }[] }).activeTargets.map((t) => t.scrapePool).sort();
    assert.deepEqual(await pools(), ['alpha']);

    writeFileSync(file, config(['alpha', 'beta']));
    child.kill('SIGHUP');
    await eventually('the new job', async () => ((await pools()).length === 2 ? true : undefined));
    assert.deepEqual(await pools(), ['alpha', 'beta']);

    writeFileSync(file, config(['gamma']) + '    bogus_key: 1\n');
    const reload = await fetch(`${url}/-/reload`, { method: 'POST' });
    assert.equal(reload.status, 500);
    assert.match(await reload.text(), /prometheus\.yml:7:5: field bogus_key not found/);
    assert.deepEqual(await pools(), ['alpha', 'beta'], 'the running config stays');
    const runtime = await getJson(`${url}/api/v1/status/runtimeinfo`);
    assert.equal((runtime.data as { reloadConfigSuccess: boolean }).reloadConfigSuccess, false);
    const shown = await getJson(`${url}/api/v1/status/config`);
    assert.match((shown.data as { yaml: string }).yaml, /job_name: beta/);
  });
});
