import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/index.ts';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import type { PostableAlert } from '../alerting/types.ts';
import { relabelConfig } from '../model/relabel.ts';
import { RuleManager, engineQueryFunction } from './index.ts';
import type { AlertingRule, RuleManagerConfig } from './index.ts';

function setup(): { dir: string; manager: RuleManager; storage: MemoryStorage; sent: PostableAlert[][]; config: RuleManagerConfig } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rule-manager-'));
  const storage = new MemoryStorage();
  const sent: PostableAlert[][] = [];
  const manager = new RuleManager({ query: engineQueryFunction(new Engine(), storage), storage, sinks: [(alerts) => sent.push(alerts)] });
  const config: RuleManagerConfig = {
    ruleFiles: [join(dir, '*.yml')],
    evaluationIntervalMs: 60_000,
    ruleQueryOffsetMs: 0,
    externalLabels: { cluster: 'c1', severity: 'ignored-when-set' },
    alertRelabelConfigs: [relabelConfig({ action: 'drop', sourceLabels: ['team'], regex: 'muted' })],
  };
  return { dir, manager, storage, sent, config };
}

const FILE = `groups:
  - name: g
    rules:
      - alert: Up
        expr: vector(1)
        labels: { severity: page }
      - alert: Muted
        expr: vector(1)
        labels: { team: muted }
`;

test('update loads groups, a bad file keeps the old ones, unchanged rules keep their alerts across a reload', async () => {
  const { dir, manager, sent, config } = setup();
  try {
    writeFileSync(join(dir, 'a.yml'), FILE);
    await manager.update(config);
    const [group] = manager.ruleGroups();
    assert.equal(group.name, 'g');
    assert.equal(group.intervalMs, 60_000);
    await group.evaluate(1_000_000);
    // External labels fill in missing names only; alert_relabel_configs drop the muted alert.
    assert.deepEqual(sent.flat().map((alert) => alert.labels), [{ alertname: 'Up', cluster: 'c1', severity: 'page' }]);

    writeFileSync(join(dir, 'b.yml'), 'groups:\n  - name: x\n    rules:\n      - record: r\n        expr: sum(\n');
    await assert.rejects(manager.update(config), (error: unknown) => error instanceof ConfigError && /b\.yml:5:15: group "x", rule 1, "r": could not parse expression/.test(error.message));
    assert.equal(manager.ruleGroups().length, 1);
    assert.equal(manager.ruleGroups()[0], group, 'the running group is untouched');
    rmSync(join(dir, 'b.yml'));

    // Same file: the group object is kept. A changed rule: a new group that takes over the alerts.
    await manager.update(config);
    assert.equal(manager.ruleGroups()[0], group);
    writeFileSync(join(dir, 'a.yml'), FILE.replace('groups:\n  - name: g\n', 'groups:\n  - name: g\n    interval: 30s\n'));
    await manager.update(config);
    const [changed] = manager.ruleGroups();
    assert.notEqual(changed, group);
    assert.equal(changed.intervalMs, 30_000);
    const up = changed.rules[0] as AlertingRule;
    assert.equal(up.activeAlerts()[0].activeAt, 1_000_000, 'the alert state carried over');
    const names = manager.metricSources().map((source) => source.name);
    assert.ok(names.includes('prometheus_rule_evaluations_total') && names.includes('prometheus_rule_group_last_duration_seconds'));
  } finally {
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the manager runs groups on their schedule and stops cleanly', async () => {
  const { dir, manager, config } = setup();
  try {
    writeFileSync(join(dir, 'a.yml'), 'groups:\n  - name: fast\n    interval: 50ms\n    rules:\n      - record: one\n        expr: vector(1)\n');
    await manager.update(config);
    manager.run();
    const [group] = manager.ruleGroups();
    for (let i = 0; i < 100 && group.counters.iterations < 2; i++) await new Promise((done) => setTimeout(done, 20));
    assert.ok(group.counters.iterations >= 2, 'evaluated at least twice');
    assert.equal(group.rules[0].health, 'ok');
    await manager.stop();
    const after = group.counters.iterations;
    await new Promise((done) => setTimeout(done, 150));
    assert.equal(group.counters.iterations, after, 'no evaluation after stop');
  } finally {
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
