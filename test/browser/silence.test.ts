/**
 * Browser test: a rule fires, its alert reaches Vigil's Alertmanager the way Prometheus sends it
 * (POST /api/v2/alerts from the rule notifier), the alerts page shows it grouped; a silence created
 * from the alert's "Silence" link (matchers prefilled, preview showing the alert) takes effect: the
 * API reports the alert suppressed and the page shows it silenced; editing keeps it, expiring it
 * from the editor lets the alert through again.
 *
 * `UPDATE_SCREENSHOTS=1` writes the alerts page to docs/screenshots/alerts.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, eventually, freePort, startVigil, tempDir } from '../support/vigil.ts';
import { browserMissing, launchChromium } from './browser.ts';

interface ApiAlert {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string; silencedBy: string[] };
}

const RULES = `groups:
  - name: checkout
    interval: 1s
    rules:
      - alert: HighErrorRate
        expr: label_replace(vector(0.072), "instance", "checkout-1:8080", "", "") or label_replace(vector(0.064), "instance", "checkout-2:8080", "", "")
        labels:
          service: checkout
          severity: critical
        annotations:
          summary: 5xx ratio {{ $value | humanizePercentage }} on {{ $labels.instance }}
      - alert: HighLatencyP95
        expr: label_replace(vector(1.8), "instance", "api-1:8000", "", "")
        labels:
          service: api
          severity: warning
        annotations:
          summary: p95 latency {{ $value }}s (threshold 1s)
      - alert: DiskWillFillIn4Hours
        expr: label_replace(vector(3), "instance", "db-1:9100", "", "")
        for: 1h
        labels:
          service: db
          severity: warning
`;

const ALERTMANAGER = `route:
  receiver: team
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: team
  - name: pager
`;

test('a silence created from a firing alert in the UI takes effect, can be edited and expired', { timeout: 120_000 }, async (t) => {
  const skip = browserMissing();
  if (skip) {
    t.skip(skip);
    return;
  }
  const directory = tempDir('vigil-browser-silence-');
  t.after(() => directory.remove());
  const port = await freePort();
  writeFileSync(join(directory.path, 'rules.yml'), RULES);
  writeFileSync(join(directory.path, 'alertmanager.yml'), ALERTMANAGER);
  writeFileSync(
    join(directory.path, 'prometheus.yml'),
    `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:${port}']\n`,
  );
  const vigil = await startVigil({
    dataDir: join(directory.path, 'data'),
    configFile: join(directory.path, 'prometheus.yml'),
    listenAddress: `127.0.0.1:${port}`,
    alertmanager: { configFile: join(directory.path, 'alertmanager.yml') },
  });
  t.after(() => vigil.stop());
  const api = async <T>(path: string): Promise<T> => (await (await fetch(vigil.url + path)).json()) as T;
  const firing = await eventually('the rule alerts to reach the Alertmanager', async () => {
    const alerts = await api<ApiAlert[]>('/api/v2/alerts');
    return alerts.length === 3 ? alerts : undefined;
  });
  const target = firing.find((alert) => alert.labels.instance === 'checkout-1:8080');
  assert.ok(target, 'the checkout-1 alert is firing');

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(`${vigil.url}/alerting`);
  const row = page.locator(`[data-testid=alert][data-fingerprint="${target.fingerprint}"]`);
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await row.getAttribute('data-state'), 'firing');
  assert.equal(await page.locator('[data-testid=alert-group]').count(), 2, 'grouped by alertname and service');
  await page.locator('[data-testid=pending-group]').waitFor({ timeout: 10_000 });

  // Silence it from its own row: every label becomes a matcher, and the preview finds exactly this alert.
  await row.locator('a.silence-link').click();
  await page.waitForURL(/\/alerting\/silences\/new\?/);
  assert.equal(await page.locator('[data-testid=matcher-row]').count(), Object.keys(target.labels).length);
  await page.locator('[data-testid=preview-alert]').first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('[data-testid=preview-alert]').count(), 1);
  await page.getByLabel('Created by').fill('browser-test');
  await page.getByLabel('Comment').fill('deploying a fix for checkout-1');
  await page.getByRole('button', { name: 'Create silence' }).click();
  await page.waitForURL(/\/alerting\/silences\/[0-9a-f-]{36}\?saved=1$/);
  const silenceId = /silences\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
  await page.locator('.alerting-success').waitFor();

  // The Alertmanager applies it: the alert is suppressed by this silence, the other one is not.
  const after = await eventually('the alert to be silenced', async () => {
    const alerts = await api<ApiAlert[]>('/api/v2/alerts');
    const silenced = alerts.find((alert) => alert.fingerprint === target.fingerprint);
    return silenced?.status.state === 'suppressed' ? alerts : undefined;
  });
  assert.deepEqual(after.find((alert) => alert.fingerprint === target.fingerprint)?.status.silencedBy, [silenceId]);
  assert.equal(after.find((alert) => alert.labels.instance === 'checkout-2:8080')?.status.state, 'active');

  // And the alerts page says so.
  await page.goto(`${vigil.url}/alerting`);
  const silencedRow = page.locator(`[data-testid=alert][data-fingerprint="${target.fingerprint}"][data-state=silenced]`);
  await silencedRow.waitFor({ timeout: 15_000 });
  assert.match(await silencedRow.innerText(), new RegExp(`silenced by\\s+${silenceId.slice(0, 8)}`));
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs/screenshots/alerts.png'), fullPage: true });
  }
  // Without silenced alerts, only the other checkout alert remains in that group.
  await page.getByLabel('Silenced', { exact: true }).uncheck();
  await page.locator(`[data-testid=alert][data-fingerprint="${target.fingerprint}"]`).waitFor({ state: 'detached', timeout: 10_000 });

  // The silences page lists it as active, silencing one alert.
  await page.goto(`${vigil.url}/alerting/silences`);
  const card = page.locator(`[data-testid=silence][data-silence-id="${silenceId}"]`);
  await card.waitFor({ timeout: 10_000 });
  // The count appears once the muted alerts are loaded too (a second request).
  await card.getByText('1 alert(s) silenced').waitFor({ timeout: 10_000 });

  // Edit its comment: the editor starts from the silence as stored.
  await card.getByRole('link', { name: 'Edit' }).click();
  await page.waitForURL(new RegExp(`/alerting/silences/${silenceId}$`));
  await page.getByLabel('Comment').waitFor();
  assert.equal(await page.getByLabel('Comment').inputValue(), 'deploying a fix for checkout-1');
  await page.getByLabel('Comment').fill('fix deployed, watching checkout-1');
  await page.getByRole('button', { name: 'Update silence' }).click();
  await page.waitForURL(/\/alerting\/silences\/[0-9a-f-]{36}\?saved=1$/);
  const updatedId = /silences\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
  const stored = await api<{ comment: string; status: { state: string } }>(`/api/v2/silence/${updatedId}`);
  assert.equal(stored.comment, 'fix deployed, watching checkout-1');
  assert.equal(stored.status.state, 'active');

  // Expire it: the alert notifies again.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Expire now' }).click();
  await page.waitForURL(/\/alerting\/silences\?state=expired$/);
  await page.locator(`[data-testid=silence][data-silence-id="${updatedId}"]`).waitFor({ timeout: 10_000 });
  await eventually('the alert to be active again', async () => {
    const alerts = await api<ApiAlert[]>('/api/v2/alerts');
    return alerts.find((alert) => alert.fingerprint === target.fingerprint)?.status.state === 'active' ? true : undefined;
  });
  assert.deepEqual(problems, []);
});
