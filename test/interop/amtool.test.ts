/**
 * Interop: Debian's amtool 0.25 manages Vigil's Alertmanager API as it manages Alertmanager: it adds
 * and lists alerts, adds, lists, imports and expires silences, shows the config, and a silence it
 * creates mutes the alert (state `suppressed`, `silencedBy` naming the silence).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Vigil } from '../../packages/server/src/vigil.ts';
import { getJson, requireBinary, startVigil, tempDir } from '../support/vigil.ts';

const AMTOOL = process.env.AMTOOL_BIN ?? '/usr/bin/amtool';
const skip = requireBinary(AMTOOL);
const run = promisify(execFile);

const CONFIG = `route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: default
  - name: pager
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
`;

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  receivers: { name: string }[];
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

describe('amtool against Vigil', { skip }, () => {
  const dir = tempDir('vigil-amtool-');
  let vigil: Vigil;
  let url = '';

  async function amtool(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const all = [`--alertmanager.url=${url}`, ...args];
    if (input !== undefined) {
      const file = join(dir.path, `input-${Date.now()}.json`);
      writeFileSync(file, input);
      all.push(file);
    }
    try {
      const { stdout, stderr } = await run(AMTOOL, all, { timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async function alerts(): Promise<GettableAlert[]> {
    return (await (await fetch(`${url}/api/v2/alerts`)).json()) as GettableAlert[];
  }

  before(async () => {
    const config = join(dir.path, 'alertmanager.yml');
    writeFileSync(config, CONFIG);
    vigil = await startVigil({ dataDir: join(dir.path, 'data'), alertmanager: { configFile: config } });
    url = vigil.url;
  });

  after(async () => {
    await vigil?.stop();
    dir.remove();
  });

  it('alert add posts an alert that alert query lists', async () => {
    const added = await amtool(['alert', 'add', 'alertname=DiskFull', 'service=db', 'severity=warning', '--annotation=summary=Disk almost full']);
    assert.equal(added.code, 0, added.stderr);
    const query = await amtool(['alert', 'query']);
    assert.equal(query.code, 0, query.stderr);
    const lines = query.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^Alertname\s+Starts At\s+Summary\s+State\s*$/);
    assert.equal(lines.length, 2, query.stdout);
    assert.match(lines[1], /^DiskFull\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+\s+Disk almost full\s+active\s*$/);
    const json = JSON.parse((await amtool(['alert', 'query', '-o', 'json'])).stdout) as GettableAlert[];
    assert.deepEqual(json.map((a) => [a.labels, a.annotations, a.receivers, a.status.state]), [[{ alertname: 'DiskFull', service: 'db', severity: 'warning' }, { summary: 'Disk almost full' }, [{ name: 'default' }], 'active']]);
    // A matcher query, and the extended output with labels.
    const filtered = await amtool(['alert', 'query', 'alertname=~Disk.*', 'service=db', '-o', 'extended']);
    assert.match(filtered.stdout, /alertname="DiskFull"/);
    assert.equal((await amtool(['alert', 'query', 'service=web'])).stdout.trimEnd().split('\n').length, 1);
  });

  it('an inhibited alert is hidden from alert query and shown with --inhibited', async () => {
    assert.equal((await amtool(['alert', 'add', 'alertname=DbDown', 'service=db', 'severity=critical'])).code, 0);
    const all = await alerts();
    const disk = all.find((a) => a.labels.alertname === 'DiskFull');
    const down = all.find((a) => a.labels.alertname === 'DbDown');
    assert.equal(disk?.status.state, 'suppressed');
    assert.equal(disk?.status.inhibitedBy.length, 1);
    assert.deepEqual(down?.receivers, [{ name: 'pager' }]);
    const active = await amtool(['alert', 'query']);
    assert.doesNotMatch(active.stdout, /DiskFull/);
    assert.match(active.stdout, /DbDown/);
    const inhibited = await amtool(['alert', 'query', '--inhibited']);
    assert.match(inhibited.stdout, /DiskFull\s.*suppressed/);
    const byReceiver = await amtool(['alert', 'query', '--receiver=pag.*']);
    assert.match(byReceiver.stdout, /DbDown/);
  });

  let silenceId = '';

  it('silence add creates a silence that mutes the alert', async () => {
    const added = await amtool(['silence', 'add', 'alertname=DbDown', 'service=~"d.*"', '--comment=database maintenance', '--author=ops', '--duration=2h']);
    assert.equal(added.code, 0, added.stderr);
    silenceId = added.stdout.trim();
    assert.match(silenceId, /^[0-9a-f-]{36}$/);
    const down = (await alerts()).find((a) => a.labels.alertname === 'DbDown');
    assert.equal(down?.status.state, 'suppressed');
    assert.deepEqual(down?.status.silencedBy, [silenceId]);
    assert.doesNotMatch((await amtool(['alert', 'query'])).stdout, /DbDown/);
    assert.match((await amtool(['alert', 'query', '--silenced'])).stdout, /DbDown/);
  });

  it('silence query lists the silence in amtool\'s table, as ids with -q, and as JSON', async () => {
    const query = await amtool(['silence', 'query']);
    assert.equal(query.code, 0, query.stderr);
    const lines = query.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+Matchers\s+Ends At\s+Created By\s+Comment\s*$/);
    assert.match(lines[1], new RegExp(`^${silenceId}\\s+alertname="DbDown" service=~"d\\.\\*"\\s+\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\S+\\s+ops\\s+database maintenance\\s*$`));
    assert.equal((await amtool(['silence', 'query', '-q'])).stdout.trim(), silenceId);
    assert.equal((await amtool(['silence', 'query', '-q', 'alertname=DbDown'])).stdout.trim(), silenceId);
    assert.equal((await amtool(['silence', 'query', '-q', 'alertname=Other'])).stdout.trim(), '');
  });

  it('silence import recreates exported silences', async () => {
    const exported = (await amtool(['silence', 'query', '-o', 'json'])).stdout;
    const silences = JSON.parse(exported) as { id: string; comment: string }[];
    assert.equal(silences.length, 1);
    const imported = await amtool(['silence', 'import'], JSON.stringify(silences.map((s) => ({ ...s, comment: 'imported' }))));
    assert.equal(imported.code, 0, imported.stderr);
    // Same matchers and start: the existing silence is updated in place, as Alertmanager does.
    const updated = JSON.parse((await amtool(['silence', 'query', '-o', 'json'])).stdout) as { id: string; comment: string }[];
    assert.deepEqual(updated.map((s) => [s.id, s.comment]), [[silenceId, 'imported']]);
    // With the ids removed they are new silences.
    const copies = await amtool(['silence', 'import'], JSON.stringify(silences.map((silence) => ({ ...silence, id: undefined, comment: 'copy' }))));
    assert.equal(copies.code, 0, copies.stderr);
    assert.equal((await amtool(['silence', 'query', '-q'])).stdout.trim().split('\n').length, 2);
  });

  it('silence expire ends silences and the alert is active again', async () => {
    const ids = (await amtool(['silence', 'query', '-q'])).stdout.trim().split('\n');
    const expired = await amtool(['silence', 'expire', ...ids]);
    assert.equal(expired.code, 0, expired.stderr);
    assert.equal((await amtool(['silence', 'query', '-q'])).stdout.trim(), '');
    const listed = await amtool(['silence', 'query', '--expired', '-q']);
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), [...ids].sort());
    const down = (await alerts()).find((a) => a.labels.alertname === 'DbDown');
    assert.equal(down?.status.state, 'active');
    assert.match((await amtool(['alert', 'query'])).stdout, /DbDown/);
    const missing = await amtool(['silence', 'expire', '00000000-0000-4000-8000-000000000000']);
    assert.notEqual(missing.code, 0);
  });

  it('silence add with a bad matcher set is refused with Alertmanager\'s reason', async () => {
    const refused = await amtool(['silence', 'add', 'alertname=~".*"', '--comment=c', '--author=a']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /at least one matcher must not match the empty string/);
  });

  it('config show prints the running config; the status has a disabled cluster', async () => {
    const shown = await amtool(['config', 'show']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /receiver: default/);
    const status = (await getJson(`${url}/api/v2/status`)) as unknown as { cluster: { status: string } };
    assert.equal(status.cluster.status, 'disabled');
  });
});
