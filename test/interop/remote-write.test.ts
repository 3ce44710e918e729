/**
 * Interop: a real Prometheus (Debian's 2.42 at /usr/bin/prometheus, or $PROMETHEUS_BIN) scrapes itself
 * and remote-writes to a tiny node:http server on 127.0.0.1 that calls handleRemoteWrite into a
 * MemoryStorage. Checks that its series, samples and metadata arrive and that every request got 204.
 * Skipped when the binary is missing, unless CI=true (then it fails).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRemoteWriteMetrics, handleRemoteWrite } from '../../packages/server/src/ingest/remotewrite/handler.ts';
import { MetadataStore } from '../../packages/server/src/ingest/remotewrite/metadata.ts';
import { LabelMatcher } from '../../packages/server/src/model/index.ts';
import { MemoryStorage } from '../../packages/server/src/store/memory/memory-storage.ts';

const BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const present = existsSync(BIN);
if (!present && process.env.CI === 'true') throw new Error(`interop test needs Prometheus at ${BIN} (CI=true)`);

function name(metric: string): LabelMatcher[] {
  return [new LabelMatcher('=', '__name__', metric), new LabelMatcher('=', 'job', 'prometheus')];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Prometheus remote_write → handleRemoteWrite', { skip: present ? false : `Prometheus binary not found at ${BIN}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rw-interop-'));
  let prometheus: ChildProcess | null = null;
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  const contentTypes = new Set<string>();
  const storage = new MemoryStorage();
  const metrics = createRemoteWriteMetrics();
  const metadata = new MetadataStore();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      contentTypes.add(`${req.headers['content-type']} ${req.headers['content-encoding']} ${req.headers['x-prometheus-remote-write-version']}`);
      void handleRemoteWrite(
        storage,
        Buffer.concat(chunks),
        {
          contentEncoding: req.headers['content-encoding'] ?? null,
          contentType: req.headers['content-type'] ?? null,
          remoteWriteVersion: (req.headers['x-prometheus-remote-write-version'] as string | undefined) ?? null,
        },
        { maxBodyBytes: 32 << 20 },
        metrics,
        { metadata },
      ).then((result) => {
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        if (result.status !== 204) errors.push(`${result.status} ${result.body}`);
        res.writeHead(result.status, { 'content-type': 'text/plain' }).end(result.body);
      });
    });
  });

  after(async () => {
    if (prometheus !== null && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives the self-scraped series of a real Prometheus', { timeout: 60_000 }, async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiverPort = (server.address() as AddressInfo).port;
    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: prometheus',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${promPort}']`,
        'remote_write:',
        `  - url: http://127.0.0.1:${receiverPort}/api/v1/write`,
        '    queue_config:',
        '      batch_send_deadline: 1s',
        '      min_backoff: 100ms',
        '      max_backoff: 1s',
        '    metadata_config:',
        '      send_interval: 1s',
        '',
      ].join('\n'),
    );
    let log = '';
    prometheus = spawn(
      BIN,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    });

    const deadline = Date.now() + 45_000;
    let upSamples = 0;
    let buildInfo = 0;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(prometheus.exitCode, null, `prometheus exited early:\n${log}`);
      const q = storage.querier(-Infinity, Infinity);
      upSamples = 0;
      for (const series of q.select(name('up'))) {
        const cursor = series.iterator();
        while (cursor.next()) {
          assert.equal(cursor.value, 1);
          upSamples++;
        }
      }
      buildInfo = [...q.select(name('prometheus_build_info'))].length;
      q.close();
      if (upSamples >= 3 && buildInfo === 1 && metadata.get('prometheus_build_info') !== undefined) break;
    }
    assert.ok(upSamples >= 3, `expected ≥3 up samples, got ${upSamples}; statuses ${JSON.stringify([...statuses])}; log:\n${log}`);
    assert.equal(buildInfo, 1);
    assert.deepEqual(errors, []);
    assert.ok(metrics.samplesAppended > 100, `only ${metrics.samplesAppended} samples appended`);
    assert.equal(metadata.get('prometheus_build_info')?.type, 'gauge');
    assert.deepEqual([...contentTypes], ['application/x-protobuf snappy 0.1.0']);
    const q = storage.querier(-Infinity, Infinity);
    const labels = [...q.select(name('up'))][0].labels;
    q.close();
    assert.deepEqual([...labels], ['__name__', 'up', 'instance', `127.0.0.1:${promPort}`, 'job', 'prometheus']);
  });
});
