/**
 * Crash safety: a Vigil process takes remote-write batches and is killed with SIGKILL while requests
 * are in flight. After a restart every sample of every acknowledged (204) batch must be there.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeRequest, snappy } from '../../packages/server/src/ingest/remotewrite/test-fixtures.ts';
import { LabelMatcher } from '../../packages/server/src/model/index.ts';
import { Tsdb } from '../../packages/server/src/store/tsdb/index.ts';
import { VIGIL_BIN, eventually, freePort, spawnProcess, stopProcess, tempDir } from '../support/vigil.ts';

const SERIES_PER_BATCH = 50;

function batch(index: number): Buffer {
  const timeseries = [];
  for (let s = 0; s < SERIES_PER_BATCH; s++) {
    timeseries.push({
      labels: [['__name__', 'crash_test'], ['batch', String(index)], ['series', String(s)]] as [string, string][],
      samples: [{ value: index * 1000 + s, timestamp: 1_700_000_000_000 + index * 1000 }],
    });
  }
  return snappy(encodeRequest({ timeseries }));
}

describe('kill -9 during ingest', () => {
  const dir = tempDir('vigil-kill9-');
  let child: ChildProcess | null = null;
  after(async () => {
    await stopProcess(child, 'SIGKILL');
    dir.remove();
  });

  it('loses nothing that was acknowledged', async () => {
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const port = await freePort();
    const dataDir = join(dir.path, 'data');
    child = spawnProcess(process.execPath, [VIGIL_BIN, 'start', `--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error']);
    const url = `http://127.0.0.1:${port}`;
    await eventually('Vigil to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);

    const acknowledged: number[] = [];
    let next = 0;
    const deadline = Date.now() + 1500;
    // Four senders in parallel, so the kill lands while several requests are in flight.
    const sender = async () => {
      for (;;) {
        const index = next++;
        try {
          const response = await fetch(`${url}/api/v1/write`, { method: 'POST', body: batch(index), headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' } });
          if (response.status === 204) acknowledged.push(index);
          else assert.fail(`batch ${index}: ${response.status} ${await response.text()}`);
        } catch {
          return; // the server died mid-request: that batch was never acknowledged
        }
        if (Date.now() > deadline && child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await stopProcess(child, 'SIGKILL');
    assert.ok(acknowledged.length > 10, `some batches were acknowledged (${acknowledged.length})`);

    const db = await Tsdb.open({ dir: dataDir, retentionMs: 0, retentionBytes: 0 });
    try {
      const present = new Set<string>();
      const querier = db.querier(-Infinity, Infinity);
      for (const series of querier.select([new LabelMatcher('=', '__name__', 'crash_test')])) {
        const it = series.iterator();
        const b = series.labels[series.labels.indexOf('batch') + 1];
        const s = series.labels[series.labels.indexOf('series') + 1];
        while (it.next()) present.add(`${b}/${s}@${it.timestamp}=${it.value}`);
      }
      querier.close();
      const lost: string[] = [];
      for (const index of acknowledged) {
        for (let s = 0; s < SERIES_PER_BATCH; s++) {
          const key = `${index}/${s}@${1_700_000_000_000 + index * 1000}=${index * 1000 + s}`;
          if (!present.has(key)) lost.push(key);
        }
      }
      assert.deepEqual(lost.slice(0, 5), [], `${lost.length} acknowledged samples lost`);
    } finally {
      await db.close();
    }
  });
});
