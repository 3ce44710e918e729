import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from './index.ts';

const SEEDS = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/seeds');

describe('seed prometheus.yml files load unchanged', () => {
  it('integrityx', async () => {
    const file = join(SEEDS, 'integrityx/prometheus.yml');
    const cfg = await loadConfigFile(file);
    assert.equal(cfg.original, await readFile(file, 'utf8'));
    assert.deepEqual(cfg.scrapeConfigs.map((s) => [s.jobName, s.scrapeIntervalMs, s.staticConfigs[0].targets]), [['integrityx-backend', 60_000, ['backend:8000']]]);
  });

  it('quant-backend', async () => {
    const cfg = await loadConfigFile(join(SEEDS, 'quant-backend/prometheus.yml'));
    assert.equal(cfg.global.scrapeIntervalMs, 15_000);
    assert.equal(cfg.global.evaluationIntervalMs, 15_000);
    assert.deepEqual(cfg.ruleFiles, [join(SEEDS, 'quant-backend/alerts.yml')]);
    assert.deepEqual(cfg.alerting.alertmanagers[0].staticConfigs[0].targets, ['alertmanager:9093']);
    assert.deepEqual(
      cfg.scrapeConfigs.map((s) => [s.jobName, s.scrapeIntervalMs, s.scrapeTimeoutMs, s.metricsPath]),
      [
        ['quant-backend', 10_000, 10_000, '/metrics'],
        ['postgres', 15_000, 10_000, '/metrics'],
        ['redis', 15_000, 10_000, '/metrics'],
        ['node', 15_000, 10_000, '/metrics'],
      ],
    );
  });

  it('chorus-bridge', async () => {
    const cfg = await loadConfigFile(join(SEEDS, 'chorus-bridge/prometheus.yml'));
    assert.deepEqual(cfg.ruleFiles, [join(SEEDS, 'chorus-bridge/rules/*.yml')]);
    assert.deepEqual(
      cfg.scrapeConfigs.map((s) => [s.jobName, s.scrapeIntervalMs, s.scrapeTimeoutMs, s.staticConfigs[0].targets[0]]),
      [
        ['chorus-bridge', 5_000, 5_000, 'bridge:9090'],
        ['postgres', 15_000, 10_000, 'postgres:9187'],
        ['node-exporter', 15_000, 10_000, 'node-exporter:9100'],
      ],
    );
    assert.equal(cfg.alerting.alertmanagers.length, 1);
  });
});
