import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigCommand } from './check.ts';

async function run(files: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await checkConfigCommand(files, (line) => lines.push(line));
  return { code, lines };
}

describe('checkConfigCommand (promtool check config)', () => {
  it('reports success and the rule files found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'a.yml'), 'groups: []\n');
    await writeFile(join(dir, 'rules', 'b.yml'), 'groups: []\n');
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, 'rule_files: ["rules/*.yml"]\nscrape_configs:\n  - job_name: a\n');
    const { code, lines } = await run([file]);
    assert.equal(code, 0);
    assert.deepEqual(lines, [`Checking ${file}`, '  SUCCESS: 2 rule files found', ` SUCCESS: ${file} is valid prometheus config file syntax`, '']);
  });

  it('hands the rule files found to the rules check and returns its exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'a.yml'), 'groups: []\n');
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, 'rule_files: ["rules/*.yml"]\n');
    const checked: string[][] = [];
    const lines: string[] = [];
    const code = await checkConfigCommand([file], (line) => lines.push(line), async (ruleFiles) => (checked.push(ruleFiles), 3));
    assert.deepEqual(checked, [[join(dir, 'rules', 'a.yml')]]);
    assert.equal(code, 3);
  });

  it('a glob matching nothing is fine; no rule-files line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, 'rule_files: ["rules/*.yml"]\n');
    const { code, lines } = await run([file]);
    assert.equal(code, 0);
    assert.deepEqual(lines, [`Checking ${file}`, ` SUCCESS: ${file} is valid prometheus config file syntax`, '']);
  });

  it('fails on an explicit rule file that does not exist, on bad configs, and keeps going', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
    const good = join(dir, 'good.yml');
    const missingRule = join(dir, 'missing-rule.yml');
    const bad = join(dir, 'bad.yml');
    await writeFile(good, 'global: {}\n');
    await writeFile(missingRule, 'rule_files: [alerts.yml]\n');
    await writeFile(bad, 'global:\n  scrape_intervl: 1m\n');
    const { code, lines } = await run([good, missingRule, bad]);
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      `Checking ${good}`,
      ` SUCCESS: ${good} is valid prometheus config file syntax`,
      '',
      `Checking ${missingRule}`,
      `  FAILED: ${JSON.stringify(join(dir, 'alerts.yml'))} does not point to an existing file`,
      '',
      `Checking ${bad}`,
      `  FAILED: ${bad}:2:3: field scrape_intervl not found in global (did you mean scrape_interval?)`,
      '',
    ]);
  });

  it('checks credential files and file_sd files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-check-'));
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, 'scrape_configs:\n  - job_name: a\n    bearer_token_file: token\n');
    let result = await run([file]);
    assert.equal(result.code, 1);
    assert.match(result.lines[1], /FAILED: error checking authorization credentials or bearer token file ".*token": stat .*token: no such file or directory/);
    await writeFile(file, 'scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [sd/*.json]\n');
    result = await run([file]);
    assert.equal(result.code, 0);
    assert.equal(result.lines[1], `  WARNING: file ${JSON.stringify(join(dir, 'sd/*.json'))} for file_sd in scrape job "a" does not exist`);
    await mkdir(join(dir, 'sd'));
    await writeFile(join(dir, 'sd', 't.json'), '[{"targets": 5}]');
    result = await run([file]);
    assert.equal(result.code, 1);
    assert.match(result.lines[1], /FAILED: checking SD file ".*sd\/\*\.json": .*t\.json:1:14: cannot unmarshal !!int `5` into a list/);
  });
});
