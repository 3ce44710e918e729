/**
 * The in-process Alertmanager end to end over HTTP: alerts posted to /api/v2/alerts reach a real
 * webhook receiver on 127.0.0.1 after group_wait, inhibited alerts do not, a receiver that answers 503
 * is retried and the attempts show in /api/v2/history and /metrics; after a restart nothing is sent
 * twice and inhibition holds at once; a broken alertmanager.yml on reload keeps the running one.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, startVigil, tempDir } from '../support/vigil.ts';
import type { Vigil } from '../../packages/server/src/vigil.ts';

interface WebhookBody {
  status: string;
  groupKey: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

function alertmanagerConfig(webhookUrl: string, receiverName = 'team'): string {
  return `global:
  resolve_timeout: 5m
route:
  receiver: ${receiverName}
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: ${receiverName}
    webhook_configs:
      - url: ${webhookUrl}
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
`;
}

describe('the in-process Alertmanager', () => {
  const dir = tempDir('vigil-alertmanager-');
  const received: WebhookBody[] = [];
  let failuresLeft = 0;
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft--;
        response.writeHead(503).end('busy');
        return;
      }
      received.push(JSON.parse(body) as WebhookBody);
      response.writeHead(200).end();
    });
  });
  let vigil: Vigil | null = null;
  after(async () => {
    await vigil?.stop();
    await new Promise<void>((done) => receiver.close(() => done()));
    dir.remove();
  });

  const post = async (alerts: unknown[]) => fetch(`${vigil?.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  const getJson = async (path: string) => (await fetch(`${vigil?.url}${path}`)).json() as Promise<unknown>;

  it('notifies, inhibits, retries, remembers across a restart and survives a bad reload', async () => {
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const configFile = join(dir.path, 'alertmanager.yml');
    writeFileSync(configFile, alertmanagerConfig(webhookUrl));
    const options = { dataDir: join(dir.path, 'data'), alertmanager: { configFile } };
    vigil = await startVigil(options);

    const diskFull = [
      { labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db1' }, annotations: { summary: 'disk full' } },
      { labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db1' } },
    ];
    assert.equal((await post(diskFull)).status, 200);
    const first = await eventually('the first notification', async () => received[0]);
    assert.equal(first.groupKey, '{}:{alertname="DiskFull"}');
    assert.deepEqual(first.alerts.map((alert) => alert.labels.severity), ['critical']);
    const alerts = (await getJson('/api/v2/alerts')) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
    const warning = alerts.find((alert) => alert.labels.severity === 'warning');
    assert.equal(warning?.status.state, 'suppressed');
    assert.equal(warning?.status.inhibitedBy.length, 1);

    // Malformed alerts get 400 with Alertmanager's reason.
    const bad = await post([{ labels: {} }]);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /at least one label pair required/);

    // A receiver answering 503 is retried until it takes the notification.
    failuresLeft = 2;
    await post([{ labels: { alertname: 'HighLatency', severity: 'critical' } }]);
    await eventually('the retried notification', async () => received.find((body) => body.groupKey === '{}:{alertname="HighLatency"}'));
    const history = (await getJson('/api/v2/history?kind=notification&filter=alertname%3D%22HighLatency%22')) as { ok: boolean; attempt: number; error?: string }[];
    assert.deepEqual(
      history.map((entry) => [entry.attempt, entry.ok]),
      [
        [3, true],
        [2, false],
        [1, false],
      ],
    );
    assert.match(history[1].error ?? '', /503/);
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.match(metrics, /alertmanager_notification_requests_failed_total\{integration="webhook"\} 2/);

    // Restart: the alerts, the notification log and the group timings come back.
    const sentBeforeRestart = received.length;
    await vigil.stop();
    vigil = null;
    vigil = await startVigil(options);
    const restored = (await getJson('/api/v2/alerts')) as { labels: Record<string, string>; status: { state: string } }[];
    assert.equal(restored.find((alert) => alert.labels.severity === 'warning')?.status.state, 'suppressed', 'inhibition holds right after the restart');
    await post([...diskFull, { labels: { alertname: 'HighLatency', severity: 'critical' } }]);
    await new Promise((done) => setTimeout(done, 3_500));
    assert.equal(received.length, sentBeforeRestart, 'nothing is sent twice after the restart');

    // A broken alertmanager.yml fails the reload and keeps the running config.
    writeFileSync(configFile, alertmanagerConfig(webhookUrl, 'ops').replace('group_wait: 1s', 'group_wait: later'));
    const reload = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.notEqual(reload.status, 200);
    assert.match(await reload.text(), /alertmanager\.yml:\d+/);
    const receivers = (await getJson('/api/v2/receivers')) as { name: string }[];
    assert.deepEqual(receivers.map((entry) => entry.name), ['team']);
  });

  it("delivers Vigil's own rule alerts", async () => {
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const configFile = join(dir.path, 'alertmanager-rules.yml');
    writeFileSync(configFile, alertmanagerConfig(webhookUrl).replace('group_by: [alertname]', 'group_by: [alertname, origin]'));
    writeFileSync(join(dir.path, 'rules.yml'), 'groups:\n  - name: always\n    interval: 1s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n        labels: { origin: vigil-rules }\n        annotations: { summary: "fires {{ $value }}" }\n');
    const prometheusFile = join(dir.path, 'prometheus.yml');
    writeFileSync(prometheusFile, `global:\n  evaluation_interval: 1s\nrule_files: [${join(dir.path, 'rules.yml')}]\nscrape_configs: []\n`);
    const withRules = await startVigil({ dataDir: join(dir.path, 'data-rules'), configFile: prometheusFile, alertmanager: { configFile } });
    try {
      const body = await eventually('the rule alert at the receiver', async () => received.find((item) => item.alerts.some((alert) => alert.labels.origin === 'vigil-rules')));
      assert.equal(body.groupKey, '{}:{alertname="AlwaysFiring", origin="vigil-rules"}');
      assert.deepEqual(body.alerts[0].labels, { alertname: 'AlwaysFiring', origin: 'vigil-rules' });
    } finally {
      await withRules.stop();
    }
  });

  it('refuses to start on a broken alertmanager.yml, naming the line', async () => {
    const configFile = join(dir.path, 'broken.yml');
    writeFileSync(configFile, 'route:\n  receiver: nobody\n  group_wait: 30x\nreceivers:\n  - name: nobody\n');
    await assert.rejects(startVigil({ dataDir: join(dir.path, 'data-broken'), alertmanager: { configFile } }), /broken\.yml:3:\d+/);
  });
});
