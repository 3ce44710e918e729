/**
 * End to end: Vigil started with a rule file evaluates it on its own schedule; an alert goes
 * pending then firing in /api/v1/alerts, reaches the in-process sink and an external Alertmanager
 * (an HTTP receiver on 127.0.0.1) and resolves; recording rules write series; a reload with a
 * broken rule file fails with file:line and keeps the running rules.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PostableAlert } from '../../packages/server/src/alerting/types.ts';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { eventually, startVigil, tempDir } from '../support/vigil.ts';

interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}

const RULES = `groups:
  - name: e2e
    interval: 1s
    rules:
      - record: job:e2e_value:max
        expr: max by (job) (e2e_value)
      - alert: ValueHigh
        expr: job:e2e_value:max > 10
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.job }} is at {{ $value }}"
`;

describe('rules end to end', () => {
  const dir = tempDir('vigil-rules-e2e-');
  const sunk: PostableAlert[][] = [];
  const posted: unknown[][] = [];
  let receiver: Server;
  let vigil: Vigil;
  const config = join(dir.path, 'prometheus.yml');
  const ruleFile = join(dir.path, 'rules.yml');

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${vigil.url}${path}`);
    const body = (await response.json()) as { status: string; data: T };
    assert.equal(body.status, 'success');
    return body.data;
  }

  async function write(value: number): Promise<void> {
    const appender = vigil.storage.appender();
    appender.append(0, ['__name__', 'e2e_value', 'instance', 'a', 'job', 'api'], { kind: 'float', timestamp: Date.now(), value });
    await appender.commit();
  }

  before(async () => {
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        posted.push(JSON.parse(text) as unknown[]);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const alertmanager = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    writeFileSync(ruleFile, RULES);
    writeFileSync(
      config,
      [
        'global:',
        '  evaluation_interval: 1s',
        '  external_labels: { cluster: e2e }',
        'rule_files: [rules.yml]',
        'alerting:',
        '  alertmanagers:',
        `    - static_configs: [{ targets: ['${alertmanager}'] }]`,
        '',
      ].join('\n'),
    );
    vigil = await startVigil({ dataDir: join(dir.path, 'data'), configFile: config, rules: { sinks: [(alerts) => sunk.push(alerts)], externalURL: 'http://vigil.example:9090' } });
  });

  after(async () => {
    await vigil?.stop();
    await new Promise<void>((done) => receiver.close(() => done()));
    dir.remove();
  });

  it('an alert goes pending, then firing, and is sent to the sink and the Alertmanager', async () => {
    await write(20);
    const pending = await eventually('a pending alert', async () => {
      const { alerts } = await api<{ alerts: AlertJson[] }>('/api/v1/alerts');
      return alerts.find((alert) => alert.state === 'pending');
    });
    assert.deepEqual(pending.labels, { alertname: 'ValueHigh', job: 'api', severity: 'critical' });
    assert.equal(pending.annotations.summary, 'api is at 20');
    assert.equal(pending.value, '2e+01');
    assert.equal(sunk.length, 0, 'pending alerts are not sent');

    const firing = await eventually('a firing alert', async () => {
      const { alerts } = await api<{ alerts: AlertJson[] }>('/api/v1/alerts');
      return alerts.find((alert) => alert.state === 'firing');
    });
    assert.equal(firing.activeAt, pending.activeAt);
    const sent = await eventually('the sink to receive the alert', async () => sunk.flat()[0]);
    assert.deepEqual(sent.labels, { alertname: 'ValueHigh', cluster: 'e2e', job: 'api', severity: 'critical' });
    assert.equal(sent.generatorURL, 'http://vigil.example:9090/graph?g0.expr=job%3Ae2e_value%3Amax+%3E+10&g0.tab=1');
    assert.ok(sent.endsAt > sent.startsAt);
    const received = (await eventually('the Alertmanager to receive the alert', async () => posted.flat()[0])) as { labels: Record<string, string>; startsAt: string };
    assert.deepEqual(received.labels, { alertname: 'ValueHigh', cluster: 'e2e', job: 'api', severity: 'critical' });
    assert.equal(received.startsAt, new Date(sent.startsAt).toISOString());

    const { groups } = await api<{ groups: { name: string; rules: { name: string; health: string; state?: string }[] }[] }>('/api/v1/rules');
    assert.equal(groups[0].name, 'e2e');
    assert.deepEqual(
      groups[0].rules.map((rule) => [rule.name, rule.health, rule.state]),
      [
        ['job:e2e_value:max', 'ok', undefined],
        ['ValueHigh', 'ok', 'firing'],
      ],
    );
    const { activeAlertmanagers } = await api<{ activeAlertmanagers: { url: string }[] }>('/api/v1/alertmanagers');
    assert.deepEqual(activeAlertmanagers, [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v2/alerts` }]);
    const { result } = await api<{ result: { metric: Record<string, string> }[] }>('/api/v1/query?query=ALERTS');
    assert.ok(result.some((series) => series.metric.alertstate === 'firing'));
  });

  it('the alert resolves and the resolution is sent', async () => {
    await write(1);
    const resolved = await eventually('a resolved alert sent', async () => sunk.flat().find((alert) => alert.endsAt <= Date.now()));
    assert.ok(resolved.endsAt >= resolved.startsAt);
    await eventually('no active alerts', async () => ((await api<{ alerts: AlertJson[] }>('/api/v1/alerts')).alerts.length === 0 ? true : undefined));
  });

  it('a reload with a broken rule file fails with file:line and keeps the rules', async () => {
    writeFileSync(ruleFile, RULES.replace('expr: max by (job) (e2e_value)', 'expr: max by (job) (e2e_value'));
    const response = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(response.status, 500);
    assert.match(await response.text(), /rules\.yml:6:15: group "e2e", rule 1, "job:e2e_value:max": could not parse expression/);
    const { groups } = await api<{ groups: { rules: unknown[] }[] }>('/api/v1/rules');
    assert.equal(groups[0].rules.length, 2);
    writeFileSync(ruleFile, RULES.replace('for: 2s', 'for: 3s'));
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    const reloaded = await api<{ groups: { rules: { name: string; duration?: number }[] }[] }>('/api/v1/rules');
    assert.equal(reloaded.groups[0].rules[1].duration, 3);
  });
});

describe("restart restores an alert's for state", () => {
  const dir = tempDir('vigil-rules-restore-');
  after(() => dir.remove());

  it('a pending alert keeps its time spent pending across a restart', async () => {
    const config = join(dir.path, 'prometheus.yml');
    writeFileSync(join(dir.path, 'rules.yml'), 'groups:\n  - name: slow\n    interval: 1s\n    rules:\n      - alert: SlowBurn\n        expr: burn > 0\n        for: 1h\n');
    writeFileSync(config, 'rule_files: [rules.yml]\n');
    const dataDir = join(dir.path, 'data');
    const activeAt = async (vigil: Vigil): Promise<number | undefined> => {
      const body = (await (await fetch(`${vigil.url}/api/v1/alerts`)).json()) as { data: { alerts: AlertJson[] } };
      const alert = body.data.alerts[0];
      return alert === undefined ? undefined : Date.parse(alert.activeAt);
    };
    let vigil = await startVigil({ dataDir, configFile: config });
    let original: number;
    try {
      const appender = vigil.storage.appender();
      appender.append(0, ['__name__', 'burn'], { kind: 'float', timestamp: Date.now(), value: 1 });
      await appender.commit();
      original = await eventually('a pending alert', () => activeAt(vigil));
      // Pending for a few seconds, with ALERTS_FOR_STATE written every second.
      await eventually('three seconds pending', async () => (Date.now() - original >= 3000 ? true : undefined));
    } finally {
      await vigil.stop();
    }
    const restartedAt = Math.floor(Date.now() / 1000) * 1000;
    vigil = await startVigil({ dataDir, configFile: config });
    try {
      // Before the restore (after the second evaluation) the alert starts over...
      const fresh = await eventually('the alert after the restart', async () => {
        const value = await activeAt(vigil);
        return value !== undefined && value >= restartedAt ? value : undefined;
      });
      // ...then its activeAt moves back by the time it had already spent pending (about 3 s; the
      // downtime itself does not count), seconds precision.
      const restored = await eventually('the restored activeAt', async () => {
        const value = await activeAt(vigil);
        return value !== undefined && value < fresh ? value : undefined;
      });
      assert.ok(restored > original, `restored ${restored} after original ${original}: the downtime is added`);
      assert.ok(fresh - restored >= 1500, `restored ${restored} keeps the pending time (fresh ${fresh})`);
    } finally {
      await vigil.stop();
    }
  });
});
