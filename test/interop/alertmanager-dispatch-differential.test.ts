/**
 * Interop: the same alertmanager.yml and the same alerts, posted to a real Alertmanager 0.25 and to
 * Vigil, produce the same webhook notifications: the same aggregation groups (group keys, `group_by`
 * including `'...'`, `continue`), the same alerts in the same order, inhibition, the resolution sent
 * at the next group_interval, and nothing repeated before repeat_interval. Only `externalURL` differs.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, freePort, requireBinary, spawnProcess, startVigil, stopProcess, tempDir } from '../support/vigil.ts';
import type { Vigil } from '../../packages/server/src/vigil.ts';

const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const skip = requireBinary(ALERTMANAGER);

function config(webhookBase: string): string {
  return `global:
  resolve_timeout: 1h
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 3s
  repeat_interval: 1h
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      group_by: ['...']
      continue: true
    - matchers: [team="db"]
      receiver: db
      group_by: [team, cluster]
receivers:
  - name: default
    webhook_configs: [{ url: "${webhookBase}/default", send_resolved: true }]
  - name: pager
    webhook_configs: [{ url: "${webhookBase}/pager", send_resolved: false }]
  - name: db
    webhook_configs: [{ url: "${webhookBase}/db", send_resolved: true, max_alerts: 2 }]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, instance]
`;
}

interface Notification {
  path: string;
  body: Record<string, unknown>;
}

/** What both must agree on: each receiver's notifications per group, in order, without the external URL. */
function comparable(notifications: Notification[]): string[] {
  return notifications
    .map(({ path, body }) => JSON.stringify({ path, ...body, externalURL: undefined }))
    .sort();
}

describe('dispatching compared with Alertmanager 0.25', { skip }, () => {
  const dir = tempDir('vigil-am-differential-');
  const received: Record<'vigil' | 'alertmanager', Notification[]> = { vigil: [], alertmanager: [] };
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const [, source, path] = (request.url ?? '').split('/');
      if (source === 'vigil' || source === 'alertmanager') received[source].push({ path, body: JSON.parse(body) as Record<string, unknown> });
      response.writeHead(200).end();
    });
  });
  let alertmanager: ChildProcess | null = null;
  let vigil: Vigil | null = null;
  after(async () => {
    await stopProcess(alertmanager);
    await vigil?.stop();
    await new Promise<void>((done) => receiver.close(() => done()));
    dir.remove();
  });

  it('sends the same notifications for the same alerts', async () => {
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const amConfig = join(dir.path, 'alertmanager-am.yml');
    const vigilConfig = join(dir.path, 'alertmanager-vigil.yml');
    writeFileSync(amConfig, config(`${base}/alertmanager`));
    writeFileSync(vigilConfig, config(`${base}/vigil`));
    const port = await freePort();
    const amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawnProcess(ALERTMANAGER, [`--config.file=${amConfig}`, `--storage.path=${join(dir.path, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=error']);
    vigil = await startVigil({ dataDir: join(dir.path, 'vigil-data'), alertmanager: { configFile: vigilConfig } });
    await eventually('Alertmanager to be ready', async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined), 30_000);

    const now = Date.now();
    const at = (offset: number) => new Date(Math.floor((now + offset) / 1000) * 1000).toISOString();
    const alert = (labels: Record<string, string>, endsAt?: string) => ({ labels, annotations: { summary: `${labels.alertname} on ${labels.instance ?? '-'}` }, startsAt: at(-60_000), ...(endsAt === undefined ? {} : { endsAt }), generatorURL: 'http://prometheus.test/graph' });
    const firing = [
      alert({ alertname: 'HighErrorRate', severity: 'critical', instance: 'api-1', job: 'api' }),
      alert({ alertname: 'HighErrorRate', severity: 'warning', instance: 'api-1', job: 'api' }),
      alert({ alertname: 'HighErrorRate', severity: 'warning', instance: 'api-2', job: 'api' }),
      alert({ alertname: 'DatabasePoolExhausted', severity: 'warning', team: 'db', cluster: 'main', instance: 'db-1' }),
      alert({ alertname: 'ReplicationLag', severity: 'warning', team: 'db', cluster: 'main', instance: 'db-2' }),
      alert({ alertname: 'SlowQueries', severity: 'info', team: 'db', cluster: 'main', instance: 'db-3' }),
      alert({ alertname: 'ServiceDown', severity: 'critical', team: 'db', cluster: 'main', instance: 'db-1' }),
    ];
    const postBoth = async (alerts: unknown[]) => {
      for (const url of [amUrl, vigil?.url]) {
        const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
        assert.equal(response.status, 200, `${url}: ${await response.text()}`);
      }
    };
    await postBoth(firing);
    await new Promise((done) => setTimeout(done, 2_500));
    // Some resolve: notified at the next group_interval to receivers with send_resolved.
    await postBoth([firing[2], firing[5], firing[6]].map((item) => ({ ...item, endsAt: at(-1000) })));
    await new Promise((done) => setTimeout(done, 5_000));

    assert.ok(received.alertmanager.length >= 5, `Alertmanager sent ${received.alertmanager.length} notifications`);
    assert.deepEqual(comparable(received.vigil), comparable(received.alertmanager));
  });
});
