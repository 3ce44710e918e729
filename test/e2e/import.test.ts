/**
 * Backfill end to end: an OpenMetrics file goes through the `vigil import` command into blocks, and
 * every sample reads back; the same over `POST /api/v1/import/prometheus` on a running Vigil.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LabelMatcher } from '../../packages/server/src/model/index.ts';
import { Tsdb } from '../../packages/server/src/store/tsdb/index.ts';
import { VIGIL_BIN, getJson, startVigil, tempDir } from '../support/vigil.ts';

const START = 1_700_000_000_000;
const STEP = 15_000;
const POINTS = 6 * 240; // six hours at 15 s: spans several 2-hour blocks

function openMetrics(): { text: string; expected: Map<string, [number, number][]> } {
  const expected = new Map<string, [number, number][]>();
  const lines = ['# HELP http_requests_total Requests.', '# TYPE http_requests_total counter'];
  for (const code of ['200', '500']) {
    const key = `http_requests_total{code="${code}"}`;
    const samples: [number, number][] = [];
    let value = 0;
    for (let i = 0; i < POINTS; i++) {
      value += code === '200' ? 7 : (i % 13 === 0 ? 1 : 0);
      const t = START + i * STEP;
      samples.push([t, value]);
      lines.push(`http_requests_total{code="${code}"} ${value} ${(t / 1000).toFixed(3)}`);
    }
    expected.set(key, samples);
  }
  lines.push('# TYPE temperature gauge');
  const temps: [number, number][] = [];
  for (let i = 0; i < POINTS; i += 3) {
    const t = START + i * STEP;
    const v = Math.round(Math.sin(i / 50) * 1000) / 100;
    temps.push([t, v]);
    lines.push(`temperature ${v} ${t / 1000}`);
  }
  expected.set('temperature', temps);
  lines.push('# EOF', '');
  return { text: lines.join('\n'), expected };
}

async function readAll(dataDir: string): Promise<Map<string, [number, number][]>> {
  const db = await Tsdb.open({ dir: dataDir, retentionMs: 0, retentionBytes: 0 });
  try {
    const out = new Map<string, [number, number][]>();
    const querier = db.querier(-Infinity, Infinity);
    for (const series of querier.select([new LabelMatcher('=~', '__name__', 'http_requests_total|temperature')])) {
      const code = series.labels[series.labels.indexOf('code') + 1];
      const key = series.labels.includes('code') ? `http_requests_total{code="${code}"}` : 'temperature';
      const samples: [number, number][] = [];
      const it = series.iterator();
      while (it.next()) samples.push([it.timestamp, it.value]);
      out.set(key, samples);
    }
    querier.close();
    return out;
  } finally {
    await db.close();
  }
}

describe('backfill', () => {
  const dir = tempDir('vigil-import-');
  after(() => dir.remove());

  it('vigil import writes every sample into blocks', async () => {
    const { text, expected } = openMetrics();
    const file = join(dir.path, 'data.om');
    writeFileSync(file, text);
    const dataDir = join(dir.path, 'cli');
    const run = spawnSync(process.execPath, [VIGIL_BIN, 'import', `--storage.tsdb.path=${dataDir}`, file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /imported 3360 samples of 3 series into \d+ blocks/);
    assert.deepEqual(await readAll(dataDir), expected);
  });

  it('vigil import names the line of bad input and writes nothing', () => {
    const file = join(dir.path, 'bad.om');
    writeFileSync(file, 'up 1 1700000000\nup{job="a" 2 1700000015\n# EOF\n');
    const run = spawnSync(process.execPath, [VIGIL_BIN, 'import', `--storage.tsdb.path=${join(dir.path, 'bad')}`, file], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad\.om:2: /);
  });

  it('POST /api/v1/import/prometheus streams text into blocks of a running Vigil', async () => {
    const dataDir = join(dir.path, 'http');
    const vigil = await startVigil({ dataDir, configFile: undefined });
    try {
      const lines: string[] = [];
      for (let i = 0; i < 1000; i++) lines.push(`backfilled{n="${i % 10}"} ${i} ${START + i * STEP}`);
      const response = await fetch(`${vigil.url}/api/v1/import/prometheus`, { method: 'POST', body: lines.join('\n') + '\n' });
      const body = (await response.json()) as { status: string; data: { samples: number; series: number } };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual([body.data.samples, body.data.series], [1000, 10]);
      const series = await getJson(`${vigil.url}/api/v1/series?match[]=backfilled`);
      assert.equal((series.data as unknown[]).length, 10);
      const bad = await fetch(`${vigil.url}/api/v1/import/prometheus`, { method: 'POST', body: 'ok 1 1\nnot valid here\n' });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /line 2/);
    } finally {
      await vigil.stop();
    }
  });
});
