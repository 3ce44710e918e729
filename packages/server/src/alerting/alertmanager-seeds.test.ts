import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Alertmanager } from './alertmanager.ts';
import type { HttpRequest } from './receivers/index.ts';
import { FakeScheduler } from './scheduler.ts';

const SEEDS = resolve(import.meta.dirname, '../../../../examples/seeds');

/** Each seed's alertmanager.yml, an alert it routes to a webhook, and the URL that alert must reach. */
const CASES = [
  { seed: 'chorus-bridge', labels: { alertname: 'BridgeDown', severity: 'critical' }, url: 'http://localhost:5001/', receivers: ['web.hook', 'slack', 'pagerduty'] },
  { seed: 'metamask-integration', labels: { alertname: 'HighErrorRate', severity: 'info' }, url: 'http://slack-webhook.company.com/alerts', receivers: ['web.hook', 'critical-alerts', 'warning-alerts'] },
  { seed: 'integrityx', labels: { alertname: 'ServiceDown' }, url: null, receivers: ['email-notifications'] },
];

for (const { seed, labels, url, receivers } of CASES) {
  test(`seed ${seed}: its alertmanager.yml runs unchanged and routes an alert to its receiver`, async (t) => {
    const configFile = join(SEEDS, seed, 'alertmanager.yml');
    assert.ok(existsSync(configFile), `${configFile} is missing`);
    const dir = await mkdtemp(join(tmpdir(), 'vigil-am-seed-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const scheduler = new FakeScheduler();
    const requests: HttpRequest[] = [];
    const alertmanager = await Alertmanager.start({
      configFile,
      storagePath: dir,
      retentionMs: 120 * 3600_000,
      externalURL: 'http://vigil.test:9090',
      scheduler,
      http: async (request) => {
        requests.push(request);
        return { status: 200, headers: {}, body: '' };
      },
    });
    t.after(() => alertmanager.stop());
    assert.deepEqual(alertmanager.receivers().map((receiver) => receiver.name), receivers);
    if (url === null) return;
    assert.deepEqual(alertmanager.putAlerts([{ labels, annotations: { summary: 'test' }, startsAt: 0, endsAt: 0, generatorURL: '' }]).errors, []);
    await scheduler.advance(60_000);
    await alertmanager.idle();
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, url);
    const body = JSON.parse(requests[0].body) as { receiver: string; alerts: { labels: Record<string, string> }[] };
    assert.equal(body.receiver, 'web.hook');
    assert.deepEqual(body.alerts[0].labels, labels);
  });
}
