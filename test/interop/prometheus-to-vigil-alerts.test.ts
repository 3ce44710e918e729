/**
 * Interop: a real Prometheus 2.42 evaluates an alert rule that always fires and sends the alert to
 * Vigil as to an Alertmanager (`alerting.alertmanagers`); the alert arrives in `/api/v2/alerts` with
 * Prometheus's labels, annotations and generator URL, `amtool alert query` lists it, and Vigil
 * notifies a webhook. A silence made with `amtool silence add` stops the notifications; once
 * `amtool silence expire` ends it, they resume.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { eventually, freePort, requireBinary, spawnProcess, startVigil, stopProcess, tempDir } from '../support/vigil.ts';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const AMTOOL = process.env.AMTOOL_BIN ?? '/usr/bin/amtool';
const skip = requireBinary(PROMETHEUS) || requireBinary(AMTOOL);
const run = promisify(execFile);

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL?: string;
  startsAt: string;
  endsAt: string;
  receivers: { name: string }[];
  status: { state: string };
}

describe('Prometheus 2.42 sends alerts to Vigil', { skip }, () => {
  const dir = tempDir('vigil-prom-alerts-');
  let vigil: Vigil;
  let prometheus: ChildProcess | null = null;
  let promPort = 0;
  let webhook: Server | null = null;
  /** Arrival times (ms) of the webhook notifications with a firing AlwaysFiring alert. */
  const notified: number[] = [];

  before(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const payload = JSON.parse(body) as { alerts: { status: string; labels: Record<string, string> }[] };
        if (payload.alerts.some((a) => a.status === 'firing' && a.labels.alertname === 'AlwaysFiring')) notified.push(Date.now());
        response.end();
      });
    });
    await new Promise<void>((done) => webhook?.listen(0, '127.0.0.1', done));
    const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/`;
    const amConfig = join(dir.path, 'alertmanager.yml');
    // Short timers, so a repeat notification is due every second while nothing mutes the alert.
    writeFileSync(
      amConfig,
      [
        'route:',
        '  receiver: team',
        '  group_by: [alertname]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1s',
        'receivers:',
        '  - name: team',
        '    webhook_configs:',
        `      - url: ${hook}`,
        '',
      ].join('\n'),
    );
    vigil = await startVigil({ dataDir: join(dir.path, 'vigil'), alertmanager: { configFile: amConfig } });
    const rules = join(dir.path, 'rules.yml');
    writeFileSync(
      rules,
      [
        'groups:',
        '  - name: interop',
        '    rules:',
        '      - alert: AlwaysFiring',
        '        expr: vector(42)',
        '        labels:',
        '          severity: critical',
        '        annotations:',
        '          summary: "Value is {{ $value }}"',
        '',
      ].join('\n'),
    );
    promPort = await freePort();
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  evaluation_interval: 1s',
        '  external_labels:',
        '    cluster: interop',
        'rule_files:',
        `  - ${rules}`,
        'alerting:',
        '  alertmanagers:',
        '    - api_version: v2',
        '      static_configs:',
        `        - targets: ['${new URL(vigil.url).host}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawnProcess(PROMETHEUS, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // The first send happens before the notifier has discovered Vigil and is dropped; resend soon.
      '--rules.alert.resend-delay=1s',
    ]);
  });

  after(async () => {
    await stopProcess(prometheus);
    await vigil?.stop();
    await new Promise<void>((done) => (webhook === null ? done() : webhook.close(() => done())));
    dir.remove();
  });

  it('the firing alert arrives in /api/v2/alerts and amtool lists it', async () => {
    const alert = await eventually(
      'the alert from Prometheus',
      async () => {
        const alerts = (await (await fetch(`${vigil.url}/api/v2/alerts`)).json()) as GettableAlert[];
        return alerts.find((a) => a.labels.alertname === 'AlwaysFiring');
      },
      60_000,
    );
    assert.deepEqual(alert.labels, { alertname: 'AlwaysFiring', cluster: 'interop', severity: 'critical' });
    assert.deepEqual(alert.annotations, { summary: 'Value is 42' });
    assert.match(alert.generatorURL ?? '', new RegExp(`^http://[^/]+:${promPort}/graph\\?g0\\.expr=vector%2842%29&g0\\.tab=1$`));
    assert.deepEqual(alert.receivers, [{ name: 'team' }]);
    assert.equal(alert.status.state, 'active');
    // Prometheus sends an end ahead of now (4 × max(resend delay, evaluation interval)); Vigil keeps it.
    assert.ok(Date.parse(alert.endsAt) > Date.now(), `endsAt ${alert.endsAt} is in the future`);
    const { stdout } = await run(AMTOOL, [`--alertmanager.url=${vigil.url}`, 'alert', 'query', '-o', 'extended'], { timeout: 30_000 });
    assert.match(stdout, /alertname="AlwaysFiring"/);
    assert.match(stdout, /Value is 42/);
  });

  it('a silence made with amtool stops the notifications, and expiring it resumes them', async () => {
    const amtool = async (args: string[]) => (await run(AMTOOL, [`--alertmanager.url=${vigil.url}`, ...args], { timeout: 30_000 })).stdout.trim();
    await eventually('a webhook notification', async () => (notified.length > 0 ? true : undefined), 30_000);
    const id = await amtool(['silence', 'add', 'alertname=AlwaysFiring', '--comment=interop', '--author=ops', '--duration=1h']);
    const silencedAt = Date.now();
    const alerts = (await (await fetch(`${vigil.url}/api/v2/alerts?filter=alertname%3DAlwaysFiring`)).json()) as { status: { state: string; silencedBy: string[] } }[];
    assert.deepEqual(alerts.map((a) => [a.status.state, a.status.silencedBy]), [['suppressed', [id]]]);
    // A flush already under way may still deliver; after that, several group intervals pass in silence.
    await new Promise((done) => setTimeout(done, 5000));
    assert.deepEqual(notified.filter((time) => time > silencedAt + 1500), []);
    await amtool(['silence', 'expire', id]);
    const expiredAt = Date.now();
    await eventually('notifications to resume', async () => (notified.some((time) => time > expiredAt) ? true : undefined), 20_000);
  });
});
