/** The `vigil` command as a user meets it: help, wrong input, a bad config at start, a busy port. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VIGIL_BIN, tempDir } from '../support/vigil.ts';

function vigil(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [VIGIL_BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('vigil command line', () => {
  const dir = tempDir('vigil-cli-');
  after(() => dir.remove());

  it('prints help for every command', () => {
    const top = vigil('--help');
    assert.equal(top.status, 0);
    for (const command of ['start', 'check config', 'import']) assert.match(top.stdout, new RegExp(command));
    for (const command of [['start'], ['check', 'config'], ['import']]) {
      const help = vigil(...command, '--help');
      assert.equal(help.status, 0, command.join(' '));
      assert.match(help.stdout, /^usage: vigil /);
    }
    assert.match(vigil('start', '--help').stdout, /--storage\.tsdb\.retention\.time/);
  });

  it('refuses unknown commands and flags with usage errors', () => {
    const unknown = vigil('frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const flag = vigil('start', '--no-such-flag');
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /Unknown option '--no-such-flag'/);
    const retention = vigil('start', '--storage.tsdb.retention.time=forever');
    assert.equal(retention.status, 2);
    assert.match(retention.stderr, /not a valid duration string/);
    const size = vigil('start', '--storage.tsdb.retention.size=lots');
    assert.equal(size.status, 2);
    assert.match(size.stderr, /invalid byte size/);
  });

  it('check config reports file:line:column', () => {
    const file = join(dir.path, 'bad.yml');
    writeFileSync(file, 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: api\n    scrape_intervall: 5s\n');
    const result = vigil('check', 'config', file);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /bad\.yml:5:5: field scrape_intervall not found/);
  });

  it('check config also checks the rule files it lists, as promtool does', () => {
    const rules = join(dir.path, 'broken-rules.yml');
    writeFileSync(rules, 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n');
    const file = join(dir.path, 'with-rules.yml');
    writeFileSync(file, 'rule_files: [broken-rules.yml]\n');
    const result = vigil('check', 'config', file);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /SUCCESS: 1 rule files found/);
    assert.match(result.stdout, /Checking .*broken-rules\.yml/);
    assert.match(result.stderr, /broken-rules\.yml:5:\d+: .*unexpected end of input/);
  });

  it('does not start on a bad config, naming the line', () => {
    const file = join(dir.path, 'broken.yml');
    writeFileSync(file, 'scrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: [1]\n        labelz: {}\n');
    const result = vigil('start', `--config.file=${file}`, `--storage.tsdb.path=${join(dir.path, 'data1')}`, '--web.listen-address=127.0.0.1:0');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /broken\.yml:5:9/);
  });

  it('says so when the port is taken', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const result = vigil('start', `--storage.tsdb.path=${join(dir.path, 'data2')}`, `--web.listen-address=127.0.0.1:${port}`);
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      server.close();
    }
  });
});
