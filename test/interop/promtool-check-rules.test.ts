/**
 * Interop: `vigil check rules` and Debian's `promtool check rules` (2.42) on the same valid and
 * broken rule files agree on the exit status, on the lines printed, and on the essence of every
 * error (the message, and the line:col where promtool gives one). Vigil runs with
 * `--name-validation=legacy`, the name rules of Prometheus 2.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { ROOT, VIGIL_BIN, requireBinary, tempDir } from '../support/vigil.ts';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const skip = requireBinary(PROMTOOL);
const run = promisify(execFile);

async function execute(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const FILES: Record<string, string> = {
  'valid.yml': `groups:
  - name: api
    interval: 30s
    rules:
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
      - alert: HighErrorRate
        expr: rate(http_requests_total{status=~"5.."}[5m]) > 0.05
        for: 2m
        keep_firing_for: 1m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.job }}: {{ $value | humanizePercentage }}"
`,
  'many-errors.yml': `groups:
  - name: a
    rules:
      - record: job:up
        alert: Foo
        expr: up
      - expr: up
      - record: "bad name"
        expr: sum(
        for: 5m
        annotations:
          a: b
      - alert: T
        expr: up
        labels:
          "bad-label": x
          sev: "{{ .Foo"
        annotations:
          d: "{{ $value | nofunc }}"
  - name: a
    rules: []
  - name: ""
    rules:
      - record: x
        expr: up
        keep_firing_for: 1m
`,
  'unknown-fields.yml': `groups:
  - name: a
    foo: 1
    rules:
      - record: x
        expr: up
        bar: 2
`,
  'bad-duration.yml': `groups:
  - name: a
    interval: 5x
    rules:
      - record: x
        expr: up
`,
  'bad-expressions.yml': `groups:
  - name: exprs
    rules:
      - record: a
        expr: rate(x[5m]
      - record: b
        expr: sum by (job) x
      - alert: C
        expr: foo{bar="baz"
      - record: d
        expr: ""
`,
  'bad-templates.yml': `groups:
  - name: templates
    rules:
      - alert: A
        expr: up == 0
        annotations:
          summary: "{{ $labels.instance "
          description: "{{ if }}"
      - alert: B
        expr: up == 0
        labels:
          team: "{{ $undefined }}"
`,
  'duplicates.yml': `groups:
  - name: a
    rules:
      - record: x
        expr: up
      - record: x
        expr: up + 1
      - alert: A
        expr: up
        labels: {a: b}
      - alert: A
        expr: up
        labels: {a: b}
`,
  'empty.yml': '',
  'not-rules.yml': 'foo: bar\n',
};

/** An error line's essence: [line:col or '' when promtool has none, message without file and group prefix noise]. */
function essence(line: string, file: string): [string, string] {
  let rest = line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line.startsWith(`${file}:`) ? line.slice(file.length + 1) : line;
  let position = '';
  const positions = /^((?:\d+:\d+: )+)/.exec(rest);
  if (positions !== null) {
    position = positions[1].split(': ')[0];
    rest = rest.slice(positions[1].length);
  }
  if (position === '0:0') position = '';
  return [position, rest];
}

/** promtool 2.42 prints YAML shape errors as `yaml: unmarshal errors:` + `  line N: …`; Vigil as `file:N:C: …`. */
function promtoolErrors(stderr: string, file: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of stderr.split('\n')) {
    if (line === '' || line === '  FAILED:' || line.endsWith('yaml: unmarshal errors:')) continue;
    const shape = /^ {2}line (\d+): (.*)$/.exec(line);
    if (shape !== null) out.push([`${shape[1]}:`, normalizeShape(shape[2])]);
    else out.push(essence(line, file));
  }
  return out;
}

function vigilErrors(stderr: string, file: string): [string, string][] {
  return stderr
    .split('\n')
    .filter((line) => line !== '' && line !== '  FAILED:')
    .map((line) => {
      const [position, message] = essence(line, file);
      return /^field \S+ not found/.test(message) ? [`${position.split(':')[0]}:`, normalizeShape(message)] : [position, message];
    });
}

/** Prometheus 3 names the rule type rulefmt.Rule where 2.42 said rulefmt.RuleNode. */
function normalizeShape(message: string): string {
  return message.replace(/rulefmt\.RuleNode\b/, 'rulefmt.Rule');
}

describe('vigil check rules agrees with promtool check rules', { skip }, () => {
  const dir = tempDir('vigil-check-rules-');
  after(() => dir.remove());
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir.path, name), text);
  copyFileSync(join(ROOT, 'examples/seeds/quant-backend/alerts.yml'), join(dir.path, 'quant-backend.yml'));
  copyFileSync(join(ROOT, 'examples/seeds/chorus-bridge/rules/bridge.yml'), join(dir.path, 'chorus-bridge.yml'));
  copyFileSync(join(ROOT, 'examples/seeds/metamask-integration/alerts.yml'), join(dir.path, 'metamask-integration.yml'));

  for (const file of [...Object.keys(FILES), 'quant-backend.yml', 'chorus-bridge.yml', 'metamask-integration.yml']) {
    it(file, async () => {
      const promtool = await execute(PROMTOOL, ['check', 'rules', file], dir.path);
      const vigil = await execute(process.execPath, [VIGIL_BIN, 'check', 'rules', '--name-validation=legacy', file], dir.path);
      assert.equal(vigil.code, promtool.code, `exit status\npromtool: ${promtool.stdout}${promtool.stderr}\nvigil: ${vigil.stdout}${vigil.stderr}`);
      assert.equal(vigil.stdout, promtool.stdout);
      const expected = promtoolErrors(promtool.stderr, file).sort();
      // Where promtool gives no position, Vigil's is extra information, not a difference.
      const actual = vigilErrors(vigil.stderr, file).map(([position, message]): [string, string] => {
        const twin = expected.find((one) => one[1] === message);
        return [twin !== undefined && twin[0] === '' ? '' : position, message];
      });
      assert.deepEqual(actual.sort(), expected);
    });
  }

  it('several files at once: one line block each, the worst status wins', async () => {
    const files = ['valid.yml', 'many-errors.yml', 'empty.yml'];
    const promtool = await execute(PROMTOOL, ['check', 'rules', ...files], dir.path);
    const vigil = await execute(process.execPath, [VIGIL_BIN, 'check', 'rules', '--name-validation=legacy', ...files], dir.path);
    assert.equal(vigil.code, 1);
    assert.equal(promtool.code, 1);
    assert.equal(vigil.stdout, promtool.stdout);
  });

  it('--lint-fatal turns duplicates into exit status 3', async () => {
    const promtool = await execute(PROMTOOL, ['check', 'rules', '--lint-fatal', 'duplicates.yml'], dir.path);
    const vigil = await execute(process.execPath, [VIGIL_BIN, 'check', 'rules', '--lint-fatal', 'duplicates.yml'], dir.path);
    assert.equal(promtool.code, 3);
    assert.equal(vigil.code, 3);
    assert.equal(vigil.stderr, promtool.stderr);
  });
});
