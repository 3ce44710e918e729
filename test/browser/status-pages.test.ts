/**
 * Browser test: the rules, history, targets and status pages show what Vigil's APIs hold for a Vigil
 * that scrapes itself and a missing target, evaluates a rule file and runs its Alertmanager.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, freePort, startVigil, tempDir } from '../support/vigil.ts';
import { browserMissing, launchChromium } from './browser.ts';

test('rules, history, targets and status pages show live data', { timeout: 120_000 }, async (t) => {
  const skip = browserMissing();
  if (skip) {
    t.skip(skip);
    return;
  }
  const directory = tempDir('vigil-browser-status-');
  t.after(() => directory.remove());
  const port = await freePort();
  // A port nothing listens on: the "missing" target is down with a connection error.
  const closedPort = await freePort();
  writeFileSync(
    join(directory.path, 'rules.yml'),
    `groups:
  - name: availability
    interval: 1s
    rules:
      - alert: TargetDown
        expr: up == 0
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} is down"}
      - alert: NeverFires
        expr: vector(1) == 2
      - record: job:up:sum
        expr: sum by (job) (up)
`,
  );
  writeFileSync(join(directory.path, 'alertmanager.yml'), 'route:\n  receiver: ops\n  group_wait: 0s\nreceivers:\n  - name: ops\n');
  writeFileSync(
    join(directory.path, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${port}']
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['127.0.0.1:${port}']
        labels: {env: test}
    relabel_configs:
      - source_labels: [__address__]
        target_label: node
        regex: '([^:]+):.*'
  - job_name: missing
    static_configs:
      - targets: ['127.0.0.1:${closedPort}']
`,
  );
  const vigil = await startVigil({
    dataDir: join(directory.path, 'data'),
    configFile: join(directory.path, 'prometheus.yml'),
    listenAddress: `127.0.0.1:${port}`,
    alertmanager: { configFile: join(directory.path, 'alertmanager.yml') },
    // What `vigil start` reports for /api/v1/status/flags.
    flags: { 'config.file': join(directory.path, 'prometheus.yml'), 'web.listen-address': `127.0.0.1:${port}` },
  });
  t.after(() => vigil.stop());
  await eventually('the TargetDown alert to reach the Alertmanager', async () => {
    const alerts = (await (await fetch(`${vigil.url}/api/v2/alerts`)).json()) as unknown[];
    return alerts.length > 0 ? true : undefined;
  });

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));

  // Rules: states from /api/v1/rules, filterable by state.
  await page.goto(`${vigil.url}/alerting/rules`);
  await page.locator('[data-testid=rule][data-state=firing]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-testid=rule][data-state=firing]').innerText(), /TargetDown/);
  assert.equal(await page.locator('[data-testid=rule][data-state=inactive]').count(), 1);
  assert.equal(await page.locator('[data-testid=rule][data-state=recording]').count(), 1);
  await page.getByRole('button', { name: /^firing/ }).click();
  assert.equal(await page.locator('[data-testid=rule]').count(), 1);
  assert.match(page.url(), /state=firing/);

  // History: the alert's transition into firing.
  await page.goto(`${vigil.url}/alerting/history?kind=alert`);
  await page.locator('table.history-table tbody tr').first().waitFor({ timeout: 15_000 });
  assert.match(await page.locator('table.history-table').innerText(), /TargetDown/);

  // Targets: one pool up, one down with its error; discovered labels on request.
  await page.goto(`${vigil.url}/targets`);
  await page.locator('[data-testid=target][data-health=up]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=target][data-health=down]').waitFor({ timeout: 15_000 });
  const up = page.locator('[data-testid=target][data-health=up]');
  assert.match(await up.innerText(), /node="127\.0\.0\.1"/);
  await up.getByRole('button', { name: 'show discovered labels' }).click();
  assert.match(await up.innerText(), /__address__="127\.0\.0\.1:\d+"/);
  assert.match(await page.locator('[data-testid=target][data-health=down]').innerText(), /ECONNREFUSED|refused/i);
  await page.getByRole('button', { name: 'down', exact: true }).click();
  assert.equal(await page.locator('[data-testid=target]').count(), 1);

  // TSDB: the head's series by metric name.
  await page.goto(`${vigil.url}/status/tsdb`);
  await page.locator('[data-testid=tsdb-top] tbody tr').first().waitFor({ timeout: 10_000 });
  assert.match(await page.locator('[data-testid=tsdb-top]').first().innerText(), /up|scrape_/);

  // Configuration as loaded, flags, build information.
  await page.goto(`${vigil.url}/status/config`);
  await page.locator('[data-testid=config-yaml]').waitFor();
  assert.match(await page.locator('[data-testid=config-yaml]').innerText(), /job_name: missing/);
  await page.goto(`${vigil.url}/flags`);
  await page.locator('table.key-values').waitFor();
  assert.match(await page.locator('table.key-values').innerText(), /web\.listen-address\s+127\.0\.0\.1:\d+/);
  await page.goto(`${vigil.url}/status`);
  await page.locator('table.key-values').nth(1).waitFor();
  assert.match(await page.locator('table.key-values').nth(1).innerText(), /version/);
  assert.deepEqual(problems, []);
});
