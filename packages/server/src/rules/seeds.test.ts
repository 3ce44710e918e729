/** Every seed guide's rule files load unchanged through its prometheus.yml, and build into runnable groups. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfigFile } from '../config/index.ts';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import { buildRuleGroup, engineQueryFunction, loadRuleFiles } from './index.ts';

const SEEDS = resolve(import.meta.dirname, '../../../../examples/seeds');

const EXPECTED_RULES: Record<string, number> = { 'quant-backend': 0, 'chorus-bridge': 0, 'metamask-integration': 4 };

test('seed rule files load unchanged and evaluate', async () => {
  let checked = 0;
  for (const seed of readdirSync(SEEDS)) {
    const config = await loadConfigFile(join(SEEDS, seed, 'prometheus.yml')).catch(() => null);
    if (config === null || config.ruleFiles.length === 0) continue;
    const loaded = await loadRuleFiles(config.ruleFiles);
    assert.deepEqual(loaded.errors, [], seed);
    const rules = loaded.groups.reduce((sum, group) => sum + group.rules.length, 0);
    assert.ok(rules > 0, `${seed} has rules`);
    if (EXPECTED_RULES[seed] !== undefined && EXPECTED_RULES[seed] > 0) assert.equal(rules, EXPECTED_RULES[seed], seed);
    const storage = new MemoryStorage();
    for (const definition of loaded.groups) {
      const group = buildRuleGroup(definition, { query: engineQueryFunction(new Engine(), storage), storage, evaluationIntervalMs: config.global.evaluationIntervalMs });
      await group.evaluate(1_700_000_000_000);
      for (const rule of group.rules) assert.equal(rule.health, 'ok', `${seed}: ${rule.name}: ${rule.lastError}`);
    }
    checked++;
  }
  assert.ok(checked >= 3, `checked ${checked} seeds`);
});
