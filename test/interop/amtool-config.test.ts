/**
 * Interop: Debian's amtool 0.25 and Vigil on the same alertmanager.yml files.
 * - `amtool check-config` and `vigil check alertmanager` agree on success or failure, print the same
 *   "Found:" summary, and fail for the same reason (Vigil adds file:line:col). Where Vigil differs on
 *   purpose (seed 000's `subject:`/`body:` in email_configs; integrations Vigil does not deliver to),
 *   the test says so.
 * - `amtool config routes test` and Vigil's routing agree on the receivers for hundreds of label sets
 *   on the seed configs and on a richer routing tree; `--tree`, `--verify.receivers` and
 *   `amtool config routes show` print the same text.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadAlertmanagerConfig } from '../../packages/server/src/alerting/config/index.ts';
import type { Route } from '../../packages/server/src/alerting/routes/index.ts';
import { buildRoutingTree } from '../../packages/server/src/alerting/routes/index.ts';
import { resolveReceivers } from '../../packages/server/src/cli/routes.ts';
import { ROOT, VIGIL_BIN, requireBinary, tempDir } from '../support/vigil.ts';

const AMTOOL = process.env.AMTOOL_BIN ?? '/usr/bin/amtool';
const skip = requireBinary(AMTOOL);
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function execute(command: string, args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000, cwd, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Splits check-config output into one block per file, keyed by file name. */
function blocks(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of stdout.split('\n')) {
    const match = /^Checking '([^']+)'/.exec(line);
    if (match !== null) {
      current = [line];
      out.set(match[1], current);
    } else if (current !== null && line !== '') {
      current.push(line);
    }
  }
  return out;
}

const GOOD_TEMPLATE = '{{ define "custom.title" }}[{{ .Status | toUpper }}] {{ .GroupLabels.SortedPairs.Values | join " " }}{{ end }}\n';
const BAD_TEMPLATE = '{{ define "broken" }}\n{{ if }}\n{{ end }}\n';

const FULL = `global:
  resolve_timeout: 2m
  smtp_smarthost: 'smtp.example.com:587'
  smtp_from: 'alerts@example.com'
  smtp_auth_username: alerts
  smtp_auth_password: secret
  slack_api_url: 'https://hooks.slack.com/services/T000/B000/XXXX'
  opsgenie_api_key: og-key
  http_config:
    follow_redirects: true
templates: ['templates/good.tmpl']
route:
  receiver: default
  group_by: ['alertname', 'cluster']
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - match_re: {service: 'api|web'}
      receiver: team
      group_by: ['...']
      mute_time_intervals: [weekends]
      active_time_intervals: [office]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
  - source_match: {alertname: NodeDown}
    target_match_re: {alertname: '.+'}
    equal: [instance]
receivers:
  - name: default
    webhook_configs:
      - url: 'http://127.0.0.1:5001/hook'
        max_alerts: 10
  - name: pager
    pagerduty_configs:
      - routing_key: rk
        severity: critical
    opsgenie_configs:
      - responders: [{name: ops, type: team}]
  - name: team
    email_configs:
      - to: team@example.com
        headers: {Subject: 'Alert {{ .GroupLabels.alertname }}'}
    slack_configs:
      - channel: '#alerts'
        fields: [{title: Severity, value: '{{ .CommonLabels.severity }}', short: true}]
        actions: [{type: button, text: Runbook, url: 'http://runbooks.example/'}]
    discord_configs:
      - webhook_url: 'https://discord.com/api/webhooks/1/abc'
    telegram_configs:
      - bot_token: tok
        chat_id: -100123
time_intervals:
  - name: office
    time_intervals:
      - times: [{start_time: '09:00', end_time: '17:00'}]
        weekdays: ['monday:friday']
        location: Europe/Berlin
mute_time_intervals:
  - name: weekends
    time_intervals: [{weekdays: ['saturday', 'sunday']}, {days_of_month: ['-1']}]
`;

const MINIMAL = 'route: {receiver: r}\nreceivers: [{name: r}]\n';

/** Invalid configs: both tools fail, and Vigil's message contains amtool's (amtool has no position). */
const INVALID: Record<string, string> = {
  'undefined-receiver.yml': 'route:\n  receiver: r\n  routes: [{receiver: x}]\nreceivers: [{name: r}]\n',
  'duplicate-receiver.yml': 'route: {receiver: r}\nreceivers: [{name: r}, {name: r}]\n',
  'root-without-receiver.yml': 'route: {group_by: [a]}\nreceivers: [{name: r}]\n',
  'root-with-matchers.yml': 'route: {receiver: r, matchers: ["a=b"]}\nreceivers: [{name: r}]\n',
  'no-route.yml': 'receivers: [{name: r}]\n',
  'empty.yml': '# nothing yet\n',
  'bad-equal.yml': `${MINIMAL}inhibit_rules: [{equal: ["a-b"]}]\n`,
  'incomplete-time.yml': `${MINIMAL}time_intervals: [{name: x, time_intervals: [{times: [{start_time: "01:00"}]}]}]\n`,
  'slack-url-and-file.yml': 'route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{api_url: "http://x", api_url_file: "/y"}]}]\n',
  'no-smarthost.yml': 'route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, from: c@d}]}]\n',
  'no-from.yml': 'global: {smtp_smarthost: "h:25"}\nroute: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b}]}]\n',
  'no-to.yml': 'global: {smtp_smarthost: "h:25", smtp_from: a@b}\nroute: {receiver: r}\nreceivers: [{name: r, email_configs: [{html: x}]}]\n',
  'slack-no-url.yml': 'route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{channel: "#a"}]}]\n',
  'pagerduty-no-key.yml': 'route: {receiver: r}\nreceivers: [{name: r, pagerduty_configs: [{description: x}]}]\n',
  'undefined-interval.yml': 'route:\n  receiver: r\n  routes: [{receiver: r, mute_time_intervals: [nights]}]\nreceivers: [{name: r}]\n',
  'wildcard-and-names.yml': 'route: {receiver: r, group_by: ["...", alertname]}\nreceivers: [{name: r}]\n',
  'duplicate-group-by.yml': 'route: {receiver: r, group_by: [a, a]}\nreceivers: [{name: r}]\n',
  'zero-group-interval.yml': 'route: {receiver: r, group_interval: 0s}\nreceivers: [{name: r}]\n',
  'bad-duration.yml': 'route: {receiver: r, group_wait: 5 minutes}\nreceivers: [{name: r}]\n',
  'bad-matcher.yml': 'route:\n  receiver: r\n  routes: [{matchers: ["severity critical"]}]\nreceivers: [{name: r}]\n',
  'bad-quote.yml': 'route:\n  receiver: r\n  routes: [{matchers: [\'a="b\']}]\nreceivers: [{name: r}]\n',
  'bad-regex.yml': 'route:\n  receiver: r\n  routes: [{match_re: {a: "(x"}}]\nreceivers: [{name: r}]\n',
  'bad-label-name.yml': 'route:\n  receiver: r\n  routes: [{match: {"a-b": x}}]\nreceivers: [{name: r}]\n',
  'bad-scheme.yml': 'route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "ftp://x/"}]}]\n',
  'bad-http-config.yml': 'route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "http://x/", http_config: {bearer_token: a, bearer_token_file: b}}]}]\n',
  'bad-smarthost.yml': 'global: {smtp_smarthost: "nohost", smtp_from: a@b}\nroute: {receiver: r}\nreceivers: [{name: r}]\n',
  'bad-weekday.yml': `${MINIMAL}time_intervals:\n  - name: t\n    time_intervals: [{weekdays: [funday]}]\n`,
  'bad-time.yml': `${MINIMAL}time_intervals:\n  - name: t\n    time_intervals: [{times: [{start_time: '10:00', end_time: '09:00'}]}]\n`,
  'bad-day-of-month.yml': `${MINIMAL}time_intervals:\n  - name: t\n    time_intervals: [{days_of_month: ['-1:5']}]\n`,
  'duplicate-interval.yml': `${MINIMAL}time_intervals:\n  - name: t\n  - name: t\n`,
  'missing-receiver-name.yml': 'route: {receiver: r}\nreceivers: [{name: r}, {webhook_configs: [{url: "http://x/"}]}]\n',
  'telegram-no-chat.yml': 'route: {receiver: r}\nreceivers: [{name: r, telegram_configs: [{bot_token: x}]}]\n',
  'slack-action.yml': 'route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{api_url: "http://x/", actions: [{type: button}]}]}]\n',
};

/** Messages current Alertmanager words differently from 0.25 because the feature grew; Vigil uses the current one. */
const REWORDED: Record<string, [string, string]> = {
  'telegram-no-chat.yml': ['missing chat_id on telegram_config', 'missing chat_id or chat_id_file on telegram_config'],
};

/** Unknown keys: go-yaml says "field X not found in type …"; Vigil names the section and position. */
const UNKNOWN_KEYS: Record<string, string> = {
  'unknown-top.yml': `${MINIMAL}extra: 1\n`,
  'unknown-route.yml': 'route: {receiver: r, recevier: x}\nreceivers: [{name: r}]\n',
  'unknown-webhook.yml': 'route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: "http://x/", urll: y}]}]\n',
};

/** A routing tree exercising nested routes, continue, match, match_re, every matcher type and '...'. */
const RICH = `route:
  receiver: default
  group_by: ['...']
  routes:
    - matchers: ['severity="critical"', 'env!="dev"']
      receiver: pager
      continue: true
      routes:
        - match: {team: db}
          receiver: db-pager
        - match_re: {team: 'api|web'}
          receiver: app-pager
          continue: true
        - matchers: ['service=~"pay.*"']
          receiver: payments-pager
    - match_re: {alertname: '(High|Low).*'}
      receiver: thresholds
      group_by: [alertname]
      routes:
        - matchers: ['env=~"prod|staging"', 'team!~"db|ops"']
          receiver: thresholds-prod
        - matchers: ['instance=""']
          receiver: thresholds-no-instance
    - matchers: ['team="ops"']
      continue: true
      receiver: ops
    - matchers: ['team=~"ops|db"', 'severity!="info"']
      receiver: ops-db
      routes:
        - matchers: ['alertname="ServiceDown"']
    - match: {env: dev}
      receiver: dev-null
receivers:
  - name: default
  - name: pager
  - name: db-pager
  - name: app-pager
  - name: payments-pager
  - name: thresholds
  - name: thresholds-prod
  - name: thresholds-no-instance
  - name: ops
  - name: ops-db
  - name: dev-null
`;

const VOCABULARY: Record<string, string[]> = {
  severity: ['critical', 'warning', 'info'],
  env: ['prod', 'staging', 'dev', 'stage'],
  team: ['db', 'api', 'web', 'ops', 'frontend'],
  service: ['payments', 'pay', 'search', 'auth'],
  alertname: ['HighErrorRate', 'HighResponseTime', 'LowDiskSpace', 'ServiceDown', 'DatabasePoolExhausted', 'CircuitBreakerOpen'],
  instance: ['host:9100', ''],
};

/** A deterministic pseudo-random sequence (LCG), so failures reproduce. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Label sets as `name=value` arguments: every name present with probability 0.6. */
function labelSets(count: number, seed: number): string[][] {
  const random = generator(seed);
  const out: string[][] = [[]];
  while (out.length < count) {
    const args: string[] = [];
    for (const [name, values] of Object.entries(VOCABULARY)) {
      if (random() < 0.6) args.push(`${name}=${values[Math.floor(random() * values.length)]}`);
    }
    out.push(args);
  }
  return out;
}

function toLabels(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(args.map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]));
}

/** Drops `subject:` lines and `body:` blocks (the key and its more indented lines). */
function withoutEmailShorthands(text: string): string {
  const kept: string[] = [];
  let blockIndent = -1;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0 && line.trim() !== '' && indent > blockIndent) continue;
    blockIndent = -1;
    if (/^\s+subject:/.test(line)) continue;
    if (/^\s+body:/.test(line)) {
      blockIndent = indent;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n');
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}

describe('amtool 0.25 and Vigil on alertmanager.yml', { skip }, () => {
  const dir = tempDir('vigil-amtool-config-');
  const seeds = {
    metamask: join(ROOT, 'examples/seeds/metamask-integration/alertmanager.yml'),
    integrityx: join(ROOT, 'examples/seeds/integrityx/alertmanager.yml'),
    chorus: join(ROOT, 'examples/seeds/chorus-bridge/alertmanager.yml'),
  };

  before(() => {
    writeFileSync(join(dir.path, 'full.yml'), FULL);
    writeFileSync(join(dir.path, 'rich.yml'), RICH);
    writeFileSync(join(dir.path, 'bad-template.yml'), `${MINIMAL}templates: ['templates/*.tmpl']\n`);
    writeFileSync(join(dir.path, 'victorops.yml'), 'route: {receiver: r}\nreceivers: [{name: r, victorops_configs: [{api_key: k, routing_key: rk}]}]\n');
    for (const [name, text] of Object.entries({ ...INVALID, ...UNKNOWN_KEYS })) writeFileSync(join(dir.path, name), text);
    // Seed 000 without the two keys Alertmanager refuses: the routing tree is the same.
    writeFileSync(join(dir.path, 'metamask-stripped.yml'), withoutEmailShorthands(readFileSync(seeds.metamask, 'utf8')));
  });

  after(() => dir.remove());

  async function checkBoth(files: string[]): Promise<{ amtool: Outcome; vigil: Outcome; amBlocks: Map<string, string[]>; vigilBlocks: Map<string, string[]> }> {
    const [amtool, vigil] = await Promise.all([execute(AMTOOL, ['check-config', ...files], dir.path), execute(process.execPath, [VIGIL_BIN, 'check', 'alertmanager', ...files], dir.path)]);
    return { amtool, vigil, amBlocks: blocks(amtool.stdout), vigilBlocks: blocks(vigil.stdout) };
  }

  it('check-config: valid files print the same summary', async () => {
    mkdirSync(join(dir.path, 'templates'), { recursive: true });
    writeFileSync(join(dir.path, 'templates/good.tmpl'), GOOD_TEMPLATE);
    const files = [seeds.integrityx, seeds.chorus, 'full.yml', 'rich.yml', 'metamask-stripped.yml'];
    const { amtool, vigil, amBlocks, vigilBlocks } = await checkBoth(files);
    assert.equal(amtool.code, 0, amtool.stdout + amtool.stderr);
    assert.equal(vigil.code, 0, vigil.stdout + vigil.stderr);
    for (const file of files) {
      assert.deepEqual(vigilBlocks.get(file), amBlocks.get(file), file);
      assert.match(amBlocks.get(file)?.[0] ?? '', /SUCCESS$/);
    }
  });

  it('check-config: a broken template fails in both', async () => {
    mkdirSync(join(dir.path, 'templates'), { recursive: true });
    writeFileSync(join(dir.path, 'templates/broken.tmpl'), BAD_TEMPLATE);
    try {
      const { amtool, vigil, amBlocks, vigilBlocks } = await checkBoth(['bad-template.yml']);
      assert.equal(amtool.code, 1);
      assert.equal(vigil.code, 1);
      const am = amBlocks.get('bad-template.yml') ?? [];
      const ours = vigilBlocks.get('bad-template.yml') ?? [];
      assert.deepEqual(ours.slice(0, -1), am.slice(0, -1), 'same summary');
      assert.match(am.at(-1) ?? '', /^ {2}FAILED: .*broken\.tmpl:2: missing value for if/);
      assert.match(ours.at(-1) ?? '', /^ {2}FAILED: .*templates\/broken\.tmpl:2: missing value for if$/);
    } finally {
      rmSync(join(dir.path, 'templates/broken.tmpl'));
    }
  });

  it('check-config: invalid files fail in both, for the same reason', async () => {
    const files = Object.keys(INVALID);
    const { amtool, vigil, amBlocks, vigilBlocks } = await checkBoth(files);
    assert.equal(amtool.code, 1);
    assert.equal(vigil.code, 1);
    for (const file of files) {
      const am = amBlocks.get(file)?.[0] ?? '';
      const ours = vigilBlocks.get(file)?.[0] ?? '';
      const amReason = /FAILED: (.*)$/.exec(am)?.[1];
      assert.ok(amReason !== undefined, `amtool accepted ${file}: ${am}`);
      const match = /^Checking '[^']+'  FAILED: ([^:]+):(\d+):(\d+): (.*)$/.exec(ours);
      assert.ok(match !== null, `Vigil accepted ${file} or gave no position: ${ours}`);
      assert.equal(match[1], file);
      const [amWording, ourWording] = REWORDED[file] ?? [amReason, amReason];
      assert.equal(amReason, amWording, file);
      assert.equal(match[4], ourWording, file);
      // Vigil reports every problem (one per line, each with its position) where amtool stops at the first; no summary follows.
      for (const extra of vigilBlocks.get(file)?.slice(1) ?? []) assert.match(extra, new RegExp(`^${file.replaceAll('.', '\\.')}:\\d+:\\d+: `));
    }
  });

  it('check-config: unknown keys fail in both', async () => {
    const files = Object.keys(UNKNOWN_KEYS);
    const { amBlocks, vigilBlocks } = await checkBoth(files);
    for (const file of files) {
      const am = amBlocks.get(file)?.join('\n') ?? '';
      const ours = vigilBlocks.get(file)?.[0] ?? '';
      const key = /field (\w+) not found in type/.exec(am)?.[1];
      assert.ok(key !== undefined, `amtool: ${am}`);
      assert.match(ours, new RegExp(`FAILED: ${file}:\\d+:\\d+: field ${key} not found in `));
    }
  });

  it('check-config: where Vigil differs on purpose', async () => {
    const { amBlocks, vigilBlocks } = await checkBoth([seeds.metamask, 'victorops.yml']);
    // Seed 000: Alertmanager refuses subject/body in email_configs; Vigil accepts them with warnings.
    const am = amBlocks.get(seeds.metamask)?.join('\n') ?? '';
    assert.match(am, /FAILED: yaml: unmarshal errors:\n\s+line 27: field subject not found in type config\.plain\n\s+line 28: field body not found/);
    const ours = vigilBlocks.get(seeds.metamask) ?? [];
    assert.match(ours[0], /SUCCESS$/);
    assert.deepEqual(
      ours.filter((line) => line.includes('WARNING')).map((line) => /:(\d+):\d+: field (\w+)/.exec(line)?.slice(1).join(' ')),
      ['27 subject', '28 body', '37 subject'],
    );
    // Integrations Vigil does not deliver to are refused rather than silently ignored.
    assert.match(amBlocks.get('victorops.yml')?.[0] ?? '', /SUCCESS$/);
    assert.match(vigilBlocks.get('victorops.yml')?.[0] ?? '', /FAILED: victorops\.yml:2:\d+: victorops_configs is not supported by Vigil yet$/);
  });

  it('check-config: 250 random edits of a full config are accepted or refused alike', async () => {
    // One changed line each: a value replaced by junk, or a line dropped. Two known differences are
    // left out of the junk: `[null]` list entries (amtool reads them as empty values, Vigil refuses
    // them) and `24:00`-like numbers, which YAML 1.1 reads as base-60 integers.
    const junk = ['', 'null', '[]', '{}', '5', '-1', 'true', '"x"', "'{{'", '0s', '{a: [b]}', 'é', '...', '1h', 'http://h/', '[a, b]', "['...']", '"a=~(b"', 'ftp://x/', '"nohost"'];
    const lines = FULL.split('\n');
    const random = generator(2024);
    mkdirSync(join(dir.path, 'templates'), { recursive: true });
    writeFileSync(join(dir.path, 'templates/good.tmpl'), GOOD_TEMPLATE);
    mkdirSync(join(dir.path, 'edits'), { recursive: true });
    const files: string[] = [];
    for (let i = 0; i < 250; i++) {
      const edited = [...lines];
      const at = Math.floor(random() * edited.length);
      if (random() < 0.3) edited.splice(at, 1);
      else edited[at] = edited[at].replace(/:\s.*$/, `: ${junk[Math.floor(random() * junk.length)]}`);
      const file = `edits/${i}.yml`;
      writeFileSync(join(dir.path, file), edited.join('\n'));
      files.push(file);
    }
    const { amBlocks, vigilBlocks } = await checkBoth(files);
    const disagreements: string[] = [];
    for (const file of files) {
      const am = amBlocks.get(file)?.[0] ?? 'missing';
      const ours = vigilBlocks.get(file)?.[0] ?? 'missing';
      if (am.endsWith('SUCCESS') !== ours.endsWith('SUCCESS')) disagreements.push(`${file}\n  amtool: ${am}\n  vigil:  ${ours}`);
    }
    assert.deepEqual(disagreements, []);
  });

  async function compareRoutes(file: string, sets: string[][]): Promise<void> {
    const { config } = await loadAlertmanagerConfig(join(dir.path, file));
    const root: Route = buildRoutingTree(config.route);
    const amtoolAnswers = await pool(sets, 4, async (args) => {
      const result = await execute(AMTOOL, ['config', 'routes', 'test', `--config.file=${file}`, ...args], dir.path);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return result.stdout.trim();
    });
    const mismatches: string[] = [];
    sets.forEach((args, i) => {
      const ours = resolveReceivers(root, toLabels(args)).join(',');
      if (ours !== amtoolAnswers[i]) mismatches.push(`${args.join(' ')}: amtool ${amtoolAnswers[i]}, vigil ${ours}`);
    });
    assert.deepEqual(mismatches, []);
  }

  it('routes test: seed configs', async () => {
    writeFileSync(join(dir.path, 'integrityx.yml'), readFileSync(seeds.integrityx, 'utf8'));
    writeFileSync(join(dir.path, 'chorus.yml'), readFileSync(seeds.chorus, 'utf8'));
    const sets = labelSets(60, 7);
    await compareRoutes('metamask-stripped.yml', sets);
    await compareRoutes('integrityx.yml', sets.slice(0, 20));
    await compareRoutes('chorus.yml', sets.slice(0, 20));
  });

  it('routes test: a rich routing tree, 300 label sets', async () => {
    await compareRoutes('rich.yml', labelSets(300, 42));
  });

  it('routes show, routes test --tree and --verify.receivers print what amtool prints', async () => {
    for (const file of ['rich.yml', 'full.yml']) {
      const [am, ours] = await Promise.all([
        execute(AMTOOL, ['config', 'routes', `--config.file=${file}`], dir.path),
        execute(process.execPath, [VIGIL_BIN, 'routes', `--config.file=${file}`], dir.path),
      ]);
      assert.equal(ours.stdout, am.stdout, file);
    }
    for (const args of labelSets(4, 99)) {
      const [am, ours] = await Promise.all([
        execute(AMTOOL, ['config', 'routes', 'test', '--tree', '--config.file=rich.yml', ...args], dir.path),
        execute(process.execPath, [VIGIL_BIN, 'routes', 'test', '--tree', 'rich.yml', ...args], dir.path),
      ]);
      assert.equal(ours.stdout, am.stdout, args.join(' '));
      assert.equal(ours.code, am.code);
    }
    const verify = ['--verify.receivers=pager,ops-db', 'severity=critical', 'team=db'];
    const [am, ours] = await Promise.all([
      execute(AMTOOL, ['config', 'routes', 'test', '--config.file=rich.yml', ...verify], dir.path),
      execute(process.execPath, [VIGIL_BIN, 'routes', 'test', '--config.file=rich.yml', ...verify], dir.path),
    ]);
    assert.deepEqual([ours.code, ours.stdout], [am.code, am.stdout]);
    assert.equal(am.code, 1);
  });
});
