/**
 * Interop: a real Prometheus 2.42 evaluates an alert rule that always fires and sends the alert to
 * Vigil as to an Alertmanager (`alerting.alertmanagers`); the alert arrives in `/api/v2/alerts` with
 * Prometheus's labels, annotations and generator URL, and `amtool alert query` lists it.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

  before(async () => {
    const amConfig = join(dir.path, 'alertmanager.yml');
    writeFileSync(amConfig, ['route:', '  receiver: team', '  group_by: [alertname]', 'receivers:', '  - name: team', ''].join('\n'));
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
});
