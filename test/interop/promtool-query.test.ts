/**
 * Interop: Debian's promtool 2.42 queries a running Vigil with `promtool query instant|range` and
 * prints the series Vigil holds, exactly as it prints Prometheus's answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { eventually, freePort, requireBinary, startVigil, tempDir } from '../support/vigil.ts';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const skip = requireBinary(PROMTOOL);
const run = promisify(execFile);

/** Seconds since the epoch, ms precision, as promtool prints them. */
const T0 = 1_700_000_000;

async function promtool(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('promtool query against Vigil', { skip }, () => {
  const dir = tempDir('vigil-promtool-query-');
  let vigil: Vigil;
  let address = '';

  before(async () => {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(config, ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: self', '    static_configs:', `      - targets: ['${address}']`, ''].join('\n'));
    vigil = await startVigil({ dataDir: join(dir.path, 'data'), configFile: config, listenAddress: address });
    // Known data, written straight into storage: one sample a minute for ten minutes.
    const appender = vigil.storage.appender();
    const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
    for (let i = 0; i <= 10; i++) {
      sample.timestamp = (T0 + i * 60) * 1000;
      sample.value = i * 1.5;
      appender.append(0, ['__name__', 'interop_requests_total', 'code', '200', 'job', 'api'], sample);
      sample.value = i === 10 ? Infinity : i;
      appender.append(0, ['__name__', 'interop_requests_total', 'code', '500', 'job', 'api'], sample);
    }
    await appender.commit();
  });

  after(async () => {
    await vigil?.stop();
    dir.remove();
  });

  it('query instant prints the vector', async () => {
    const { code, stdout, stderr } = await promtool(['query', 'instant', `--time=${T0 + 600.5}`, `http://${address}`, 'interop_requests_total']);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, [`interop_requests_total{code="200", job="api"} => 15 @[${T0 + 600.5}]`, `interop_requests_total{code="500", job="api"} => +Inf @[${T0 + 600.5}]`, ''].join('\n'));
  });

  it('query instant prints aggregations, scalars and empty results', async () => {
    const sum = await promtool(['query', 'instant', `--time=${T0 + 120}`, `http://${address}`, 'sum by (job) (interop_requests_total)']);
    assert.equal(sum.stdout, `{job="api"} => 5 @[${T0 + 120}]\n`);
    const scalar = await promtool(['query', 'instant', `--time=${T0}`, `http://${address}`, '1e-7 * 2']);
    assert.equal(scalar.stdout, `scalar: 0.0000002 @[${T0}]\n`);
    const none = await promtool(['query', 'instant', `--time=${T0}`, `http://${address}`, 'no_such_metric']);
    assert.deepEqual([none.code, none.stdout], [0, '\n']);
  });

  it('query range prints the matrix', async () => {
    const { code, stdout } = await promtool(['query', 'range', `--start=${T0 + 60}`, `--end=${T0 + 180}`, '--step=1m', `http://${address}`, 'interop_requests_total{code="200"}']);
    assert.equal(code, 0);
    assert.equal(stdout, [`interop_requests_total{code="200", job="api"} =>`, `1.5 @[${T0 + 60}]`, `3 @[${T0 + 120}]`, `4.5 @[${T0 + 180}]`, ''].join('\n'));
    const json = await promtool(['query', 'range', '-o', 'json', `--start=${T0}`, `--end=${T0 + 60}`, '--step=30s', `http://${address}`, 'interop_requests_total{code="500"} / 2']);
    assert.equal(json.stdout, `[{"metric":{"code":"500","job":"api"},"values":[[${T0},"0"],[${T0 + 30},"0"],[${T0 + 60},"0.5"]]}]\n`);
  });

  it('query errors come back as promtool reports them', async () => {
    const { code, stderr } = await promtool(['query', 'instant', `http://${address}`, 'sum(']);
    assert.equal(code, 1);
    assert.match(stderr, /^query error: bad_data: invalid parameter "query": 1:5: parse error: /);
  });

  it('query instant up shows the scrape target', async () => {
    const out = await eventually('Vigil to scrape itself', async () => {
      const result = await promtool(['query', 'instant', `http://${address}`, 'up']);
      return result.stdout.includes('=>') ? result.stdout : undefined;
    });
    assert.match(out, new RegExp(`^up\\{instance="${address.replace(/\./g, '\\.')}", job="self"\\} => 1 @\\[\\d+(\\.\\d+)?\\]\\n$`));
  });
});

describe('admin API of a running Vigil: delete, snapshot, restart from the snapshot', () => {
  const dir = tempDir('vigil-admin-snapshot-');

  after(() => dir.remove());

  it('a Vigil started on a snapshot has the data, minus what was deleted', async () => {
    const vigil = await startVigil({ dataDir: join(dir.path, 'data'), configFile: undefined, enableAdminApi: true });
    let snapshot = '';
    try {
      const appender = vigil.storage.appender();
      const sample = { kind: 'float' as const, timestamp: 0, value: 1 };
      for (let i = 0; i <= 10; i++) {
        sample.timestamp = (T0 + i * 60) * 1000;
        appender.append(0, ['__name__', 'kept', 'job', 'a'], sample);
        appender.append(0, ['__name__', 'doomed', 'job', 'a'], sample);
      }
      await appender.commit();
      const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      const deleted = await fetch(`${vigil.url}/api/v1/admin/tsdb/delete_series`, { ...form, body: 'match[]=doomed' });
      assert.equal(deleted.status, 204);
      const answer = (await (await fetch(`${vigil.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as { status: string; data: { name: string } };
      assert.equal(answer.status, 'success');
      snapshot = join(dir.path, 'data', 'snapshots', answer.data.name);
    } finally {
      await vigil.stop();
    }
    const restarted = await startVigil({ dataDir: snapshot, configFile: undefined });
    try {
      const count = async (query: string) => {
        const response = await fetch(`${restarted.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${T0 + 600}`);
        return ((await response.json()) as { data: { result: { value: [number, string] }[] } }).data.result.map((r) => r.value[1]);
      };
      assert.deepEqual(await count('count_over_time(kept[15m])'), ['11']);
      assert.deepEqual(await count('count_over_time(doomed[15m])'), []);
    } finally {
      await restarted.stop();
    }
  });
});
