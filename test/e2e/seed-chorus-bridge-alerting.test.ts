/**
 * Seed 004 (chorus-bridge) end to end: its prometheus.yml, rules/bridge.yml and alertmanager.yml,
 * with only the scrape targets, the external Alertmanager and the receiver URLs pointed at servers on
 * 127.0.0.1, time moved by a fake scheduler. The route sends everything to the `web.hook` webhook
 * (send_resolved: true): every one of the seed's eight alerts (CircuitBreakerOpen, HighErrorRate,
 * DatabaseConnectionIssues, ConductorCommunicationIssues, SecurityEvent, HighMemoryUsage, HighLatency,
 * ServiceDown) goes pending, fires and resolves, and each firing and each resolved notification must equal, byte for
 * byte, Alertmanager's version-4 webhook JSON built here from Alertmanager's Go types (fingerprint,
 * group key, truncatedAlerts, Go's time and HTML-escaped JSON) and Prometheus's alert-sending rules
 * (startsAt = the evaluation that fired; endsAt = 4 × max(resend delay, interval) later while firing,
 * which the Alertmanager API shows but a notification of a firing alert carries as Go's zero time,
 * as Alertmanager's dispatcher clears it; the resolving evaluation once resolved).
 *
 * The seed's `slack` and `pagerduty` receivers are not reachable from its route; a second part runs
 * the same file with the route's receiver switched to each of them (the one change beyond endpoints,
 * asserted) and checks their payloads byte for byte as well, in current Alertmanager's format (the
 * PagerDuty details as JSON structures, as since 0.28). PagerDuty v1 posts to the fixed pagerduty.com
 * URL, so the receivers' HTTP client sends that one URL to the capture server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeHttp } from '../../packages/server/src/alerting/receivers/index.ts';
import type { HttpFunction } from '../../packages/server/src/alerting/receivers/index.ts';
import { GO_ZERO_TIME, goJson, goMap, goStruct, goTime, groupLabelsString, labelsFingerprint } from '../support/alertmanager-format.ts';
import type { GoValue, NotifiedAlert } from '../support/alertmanager-format.ts';
import { CaptureServer, FakeCounter, FakeExporter, SEEDS, assertOnlyRedirected, linkSeedFiles, writeRedirectedCopy } from '../support/seed-services.ts';
import { lastEvaluationOf, ruleAlert, ruleAlerts, startSeedVigil } from '../support/seed-vigil.ts';
import { notified, webhookLifeCycle } from '../support/seed-webhook.ts';
import type { WebhookLifeCycle } from '../support/seed-webhook.ts';
import type { RuleAlertJson, SeedVigil } from '../support/seed-vigil.ts';
import { tempDir } from '../support/vigil.ts';

const SEED = 'chorus-bridge';
const EXTERNAL_URL = 'http://vigil.example:9090';
const MINUTE = 60_000;
/** Prometheus's default --rules.alert.resend-delay and the seed's evaluation_interval. */
const VALID_FOR = 4 * Math.max(MINUTE, 15_000);
/** Where Alertmanager posts PagerDuty v1 (service_key) events, whatever the config says. */
const PAGERDUTY_V1_URL = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';

interface BridgeState {
  failed: FakeCounter;
  authFailures: FakeCounter;
  conductorErrors: FakeCounter;
  conductorSuccesses: FakeCounter;
  /** Requests taking 0.05s and 2s, for the latency histogram. */
  fastRequests: FakeCounter;
  slowRequests: FakeCounter;
  circuitBreaker: number;
  databaseConnections: number;
  memoryBytes: number;
}

function bridgeMetrics(state: BridgeState): string {
  return [
    '# HELP bridge_events_failed_total Total number of failed federation events',
    '# TYPE bridge_events_failed_total counter',
    `bridge_events_failed_total{error_type="signature",stage_instance="ingest-1"} ${state.failed.read()}`,
    '# HELP bridge_conductor_circuit_breaker_state Circuit breaker state (0=CLOSED, 1=OPEN, 2=HALF_OPEN)',
    '# TYPE bridge_conductor_circuit_breaker_state gauge',
    `bridge_conductor_circuit_breaker_state{client_type="conductor",endpoint="/api/v1/events"} ${state.circuitBreaker}`,
    '# HELP bridge_database_connections_active Number of active database connections',
    '# TYPE bridge_database_connections_active gauge',
    `bridge_database_connections_active ${state.databaseConnections}`,
    '# HELP bridge_memory_usage_bytes Memory usage in bytes',
    '# TYPE bridge_memory_usage_bytes gauge',
    `bridge_memory_usage_bytes ${state.memoryBytes}`,
    '# HELP bridge_auth_failures_total Authentication failures',
    '# TYPE bridge_auth_failures_total counter',
    `bridge_auth_failures_total{reason="bad_signature"} ${state.authFailures.read()}`,
    '# HELP bridge_conductor_requests_total Requests to the conductor',
    '# TYPE bridge_conductor_requests_total counter',
    `bridge_conductor_requests_total{status="error"} ${state.conductorErrors.read()}`,
    `bridge_conductor_requests_total{status="success"} ${state.conductorSuccesses.read()}`,
    '# HELP bridge_request_duration_seconds Request duration',
    '# TYPE bridge_request_duration_seconds histogram',
    ...[0.1, 0.5, 1, 2.5, 5].map((le) => `bridge_request_duration_seconds_bucket{le="${le}"} ${state.fastRequests.read() + (le >= 2.5 ? state.slowRequests.read() : 0)}`),
    `bridge_request_duration_seconds_bucket{le="+Inf"} ${state.fastRequests.read() + state.slowRequests.read()}`,
    `bridge_request_duration_seconds_sum ${0.05 * state.fastRequests.read() + 2 * state.slowRequests.read()}`,
    `bridge_request_duration_seconds_count ${state.fastRequests.read() + state.slowRequests.read()}`,
    '',
  ].join('\n');
}

/** What a seed test needs around one Vigil: the exporters of the seed's three jobs and the capture server. */
interface Setup {
  seed: SeedVigil;
  bridge: FakeExporter;
  others: FakeExporter[];
  capture: CaptureServer;
  state: BridgeState;
}

async function setUp(dir: string, alertmanagerReplacements: (capture: CaptureServer) => { from: string; to: string }[], editAlertmanager?: (text: string) => string, http?: HttpFunction): Promise<Setup> {
  const capture = await CaptureServer.start();
  let state: BridgeState | undefined;
  const bridge = await FakeExporter.start(() => (state === undefined ? '' : bridgeMetrics(state)));
  const postgres = await FakeExporter.start(() => 'pg_up 1\n');
  const node = await FakeExporter.start(() => 'node_load1 0.5\n');
  writeRedirectedCopy(SEED, 'prometheus.yml', dir, [
    { from: 'bridge:9090', to: bridge.address },
    { from: 'postgres:9187', to: postgres.address },
    { from: 'node-exporter:9100', to: node.address },
    { from: 'alertmanager:9093', to: capture.url('').replace('http://', '') },
  ]);
  linkSeedFiles(SEED, dir, ['rules']);
  const redirected = writeRedirectedCopy(SEED, 'alertmanager.yml', dir, alertmanagerReplacements(capture));
  if (editAlertmanager !== undefined) writeFileSync(join(dir, 'alertmanager.yml'), editAlertmanager(redirected));
  const seed = await startSeedVigil({ dataDir: join(dir, 'data'), configFile: join(dir, 'prometheus.yml'), alertmanagerConfigFile: join(dir, 'alertmanager.yml'), externalURL: EXTERNAL_URL, http });
  const counter = (perSecond: number) => {
    const created = new FakeCounter(seed.scheduler);
    created.setRate(perSecond);
    return created;
  };
  state = {
    failed: counter(0),
    authFailures: counter(0.5),
    conductorErrors: counter(0),
    conductorSuccesses: counter(5),
    fastRequests: counter(20),
    slowRequests: counter(0),
    circuitBreaker: 0,
    databaseConnections: 4,
    memoryBytes: 256 * 1024 * 1024,
  };
  return { seed, bridge, others: [postgres, node], capture, state };
}

async function tearDown(setup: Setup | undefined): Promise<void> {
  await setup?.seed.vigil.stop();
  for (const exporter of [setup?.bridge, ...(setup?.others ?? [])]) await exporter?.close();
  await setup?.capture.close();
}

describe(`seed ${SEED}: rules → Alertmanager → webhook, byte for byte`, () => {
  const dir = tempDir('vigil-seed-chorus-');
  let setup: Setup;
  before(async () => {
    setup = await setUp(dir.path, (capture) => [{ from: 'http://localhost:5001/', to: capture.url('/') }]);
  });
  after(async () => {
    await tearDown(setup);
    dir.remove();
  });

  /** CircuitBreakerOpen & co. through the root route's `web.hook` receiver (group_wait 10s, group_interval 10s). */
  async function lifeCycle(options: Pick<WebhookLifeCycle, 'alertname' | 'expression' | 'forMs' | 'raise' | 'clear'> & { labels: (bridge: string) => Record<string, string>; withinMs: number }): Promise<void> {
    await webhookLifeCycle({
      ...options,
      seed: setup.seed,
      capture: setup.capture,
      path: '/',
      receiver: 'web.hook',
      routeKey: '{}',
      externalURL: EXTERNAL_URL,
      groupWaitMs: 10_000,
      groupIntervalMs: 10_000,
      validForMs: VALID_FOR,
      labels: options.labels(setup.bridge.address),
      pendingWithinMs: options.withinMs,
      resolveWithinMs: 8 * MINUTE,
    });
  }

  it('the seed’s rules load; quiet metrics raise nothing', async () => {
    await setup.seed.stepper.stepTo(setup.seed.stepper.now() + 6 * MINUTE);
    assert.deepEqual(await ruleAlerts(setup.seed.vigil), []);
    assert.deepEqual(
      setup.seed.vigil.rules?.ruleGroups().flatMap((group) => group.rules.map((rule) => rule.name)),
      ['HighErrorRate', 'HighLatency', 'ServiceDown', 'DatabaseConnectionIssues', 'ConductorCommunicationIssues', 'CircuitBreakerOpen', 'HighMemoryUsage', 'SecurityEvent'],
    );
    assert.deepEqual(setup.capture.to('/'), []);
  });

  it('CircuitBreakerOpen: firing and resolved webhooks equal Alertmanager’s', async () => {
    await lifeCycle({
      alertname: 'CircuitBreakerOpen',
      expression: 'bridge_conductor_circuit_breaker_state == 1',
      forMs: MINUTE,
      raise: () => (setup.state.circuitBreaker = 1),
      clear: () => (setup.state.circuitBreaker = 0),
      labels: (instance) => ({ alertname: 'CircuitBreakerOpen', client_type: 'conductor', endpoint: '/api/v1/events', instance, job: 'chorus-bridge', severity: 'warning' }),
      withinMs: MINUTE,
    });
  });

  it('HighErrorRate: firing and resolved webhooks equal Alertmanager’s', async () => {
    await lifeCycle({
      alertname: 'HighErrorRate',
      expression: 'rate(bridge_events_failed_total[5m]) > 0.1',
      forMs: 2 * MINUTE,
      raise: () => setup.state.failed.setRate(2),
      clear: () => setup.state.failed.setRate(0),
      labels: (instance) => ({ alertname: 'HighErrorRate', error_type: 'signature', instance, job: 'chorus-bridge', severity: 'warning', stage_instance: 'ingest-1' }),
      withinMs: 2 * MINUTE,
    });
  });

  it('DatabaseConnectionIssues: firing and resolved webhooks equal Alertmanager’s', async () => {
    await lifeCycle({
      alertname: 'DatabaseConnectionIssues',
      expression: 'bridge_database_connections_active == 0',
      forMs: MINUTE,
      raise: () => (setup.state.databaseConnections = 0),
      clear: () => (setup.state.databaseConnections = 4),
      labels: (instance) => ({ alertname: 'DatabaseConnectionIssues', instance, job: 'chorus-bridge', severity: 'critical' }),
      withinMs: MINUTE,
    });
  });

  it('ConductorCommunicationIssues, SecurityEvent, HighMemoryUsage and HighLatency: firing and resolved webhooks equal Alertmanager’s', async () => {
    await lifeCycle({
      alertname: 'ConductorCommunicationIssues',
      expression: 'rate(bridge_conductor_requests_total{status="error"}[5m]) > 0.1',
      forMs: 2 * MINUTE,
      raise: () => setup.state.conductorErrors.setRate(1),
      clear: () => setup.state.conductorErrors.setRate(0),
      labels: (instance) => ({ alertname: 'ConductorCommunicationIssues', instance, job: 'chorus-bridge', severity: 'warning', status: 'error' }),
      withinMs: 2 * MINUTE,
    });
    await lifeCycle({
      alertname: 'SecurityEvent',
      expression: 'rate(bridge_auth_failures_total[5m]) > 10',
      forMs: MINUTE,
      raise: () => setup.state.authFailures.setRate(50),
      clear: () => setup.state.authFailures.setRate(0.5),
      labels: (instance) => ({ alertname: 'SecurityEvent', instance, job: 'chorus-bridge', reason: 'bad_signature', severity: 'critical' }),
      withinMs: 2 * MINUTE,
    });
    await lifeCycle({
      alertname: 'HighMemoryUsage',
      expression: 'bridge_memory_usage_bytes / 1024 / 1024 / 1024 > 1',
      forMs: 5 * MINUTE,
      raise: () => (setup.state.memoryBytes = 1.5 * 1024 ** 3),
      clear: () => (setup.state.memoryBytes = 256 * 1024 ** 2),
      labels: (instance) => ({ instance, job: 'chorus-bridge', alertname: 'HighMemoryUsage', severity: 'warning' }),
      withinMs: MINUTE,
    });
    await lifeCycle({
      alertname: 'HighLatency',
      expression: 'histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m])) > 1',
      forMs: 5 * MINUTE,
      raise: () => {
        setup.state.fastRequests.setRate(1);
        setup.state.slowRequests.setRate(19);
      },
      clear: () => {
        setup.state.fastRequests.setRate(20);
        setup.state.slowRequests.setRate(0);
      },
      labels: (instance) => ({ alertname: 'HighLatency', instance, job: 'chorus-bridge', severity: 'warning' }),
      withinMs: 3 * MINUTE,
    });
  });

  it('ServiceDown: the bridge stops answering; firing and resolved webhooks equal Alertmanager’s', async () => {
    await lifeCycle({
      alertname: 'ServiceDown',
      expression: 'up{job="chorus-bridge"} == 0',
      forMs: MINUTE,
      raise: () => (setup.bridge.status = 503),
      clear: () => (setup.bridge.status = 200),
      labels: (instance) => ({ alertname: 'ServiceDown', instance, job: 'chorus-bridge', severity: 'critical' }),
      withinMs: MINUTE,
    });
  });
});

/** Alertmanager's default `__subject` template for one group. */
function subject(status: 'firing' | 'resolved', firingCount: number, groupLabels: Record<string, string>, commonLabels: Record<string, string>): string {
  const values = (labels: Record<string, string>) => Object.keys(labels).sort().map((name) => labels[name]);
  const rest = Object.fromEntries(Object.entries(commonLabels).filter(([name]) => !(name in groupLabels)));
  const head = `[${status.toUpperCase()}${status === 'firing' ? `:${firingCount}` : ''}] ${values(groupLabels).join(' ')} `;
  return Object.keys(commonLabels).length > Object.keys(groupLabels).length ? `${head}(${values(rest).join(' ')})` : head;
}

/**
 * A template Alert as current Alertmanager's `toJson` writes it and the PagerDuty details re-encode it
 * (parsed back into a map, so keys sorted). `.Alerts.Firing` and `.Alerts.Resolved` are never nil: none is `[]`.
 */
function detailAlert(alert: NotifiedAlert, now: number): GoValue {
  const resolved = alert.endsAt !== undefined && alert.endsAt <= now;
  return goStruct([
    ['annotations', goMap(alert.annotations)],
    ['endsAt', alert.endsAt === undefined ? GO_ZERO_TIME : goTime(alert.endsAt)],
    ['fingerprint', labelsFingerprint(alert.labels)],
    ['generatorURL', alert.generatorURL],
    ['labels', goMap(alert.labels)],
    ['startsAt', goTime(alert.startsAt)],
    ['status', resolved ? 'resolved' : 'firing'],
  ]);
}

describe(`seed ${SEED}: its slack and pagerduty receivers, routed to for the test`, () => {
  const dir = tempDir('vigil-seed-chorus-receivers-');
  let setup: Setup | undefined;
  after(async () => {
    await tearDown(setup);
    dir.remove();
  });

  const routeLine = "  repeat_interval: 1h\n  receiver: 'web.hook'\n";
  const groupKey = `{}:${groupLabelsString({ alertname: 'CircuitBreakerOpen' })}`;

  /** Starts the seed with the route's receiver switched to `receiver` (asserted to be the only change beyond endpoints). */
  async function startWithRoute(receiver: 'slack' | 'pagerduty'): Promise<Setup> {
    await tearDown(setup);
    const receiverDir = join(dir.path, receiver);
    mkdirSync(receiverDir);
    const endpoints = (capture: CaptureServer) => [
      { from: 'http://localhost:5001/', to: capture.url('/') },
      { from: 'https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK', to: capture.url('/slack') },
    ];
    let capture: CaptureServer | undefined;
    const started = await setUp(
      receiverDir,
      (server) => {
        capture = server;
        return endpoints(server);
      },
      (text) => {
        assert.ok(text.includes(routeLine));
        return text.replace(routeLine, routeLine.replace("'web.hook'", `'${receiver}'`));
      },
      // PagerDuty v1 posts to a URL Alertmanager fixes (no `url:` applies); the client sends it to the capture server instead.
      (request) => nodeHttp(request.url === PAGERDUTY_V1_URL ? { ...request, url: capture?.url('/pagerduty') ?? request.url } : request),
    );
    const copy = readFileSync(join(receiverDir, 'alertmanager.yml'), 'utf8');
    const original = readFileSync(join(SEEDS, SEED, 'alertmanager.yml'), 'utf8');
    assertOnlyRedirected(original, copy.replace(routeLine.replace("'web.hook'", `'${receiver}'`), routeLine), endpoints(started.capture));
    return started;
  }

  /** Opens the circuit breaker until the alert fires; returns the alert and the evaluation that fired it. */
  async function fire(current: Setup): Promise<{ alert: RuleAlertJson; firedAt: number }> {
    const { stepper, vigil } = current.seed;
    await stepper.stepTo(stepper.now() + 6 * MINUTE);
    current.state.circuitBreaker = 1;
    const alert = await stepper.until('CircuitBreakerOpen firing', () => ruleAlert(vigil, 'CircuitBreakerOpen', 'firing'), 3 * MINUTE);
    return { alert, firedAt: lastEvaluationOf(vigil, 'CircuitBreakerOpen') };
  }

  it('slack: the firing message equals Alertmanager’s (seed title and text, default fallback and color); no resolved message (send_resolved defaults to false)', async () => {
    const current = await startWithRoute('slack');
    setup = current;
    const { alert, firedAt } = await fire(current);
    const { stepper, vigil } = current.seed;
    const request = await stepper.until('a Slack message', () => current.capture.to('/slack')[0], MINUTE);
    assert.equal(stepper.now() - firedAt, 10_000);
    assert.equal(request.headers['content-type'], 'application/json');
    const titleLink = `${EXTERNAL_URL}/#/alerts?receiver=slack`;
    const expected = `${goJson(
      goStruct([
        ['channel', '#alerts'],
        ['username', 'Alertmanager'],
        [
          'attachments',
          [
            goStruct([
              ['title', 'Chorus Bridge Alert'],
              ['title_link', titleLink],
              ['text', alert.annotations.summary],
              ['fallback', `${subject('firing', 1, { alertname: 'CircuitBreakerOpen' }, alert.labels)} | ${titleLink}`],
              ['callback_id', ''],
              ['footer', ''],
              ['color', 'danger'],
              ['mrkdwn_in', ['fallback', 'pretext', 'text']],
            ]),
          ],
        ],
      ]),
    )}\n`;
    assert.equal(request.body, expected);

    current.state.circuitBreaker = 0;
    await stepper.until('CircuitBreakerOpen resolved', async () => ((await ruleAlert(vigil, 'CircuitBreakerOpen')) === undefined ? true : undefined), 2 * MINUTE);
    await stepper.stepTo(stepper.now() + MINUTE);
    assert.equal(current.capture.to('/slack').length, 1);
  });

  it('pagerduty (v1, service_key): the trigger and the resolve events equal Alertmanager’s', async () => {
    const current = await startWithRoute('pagerduty');
    setup = current;
    const { alert, firedAt } = await fire(current);
    const { stepper, vigil } = current.seed;
    const trigger = await stepper.until('a PagerDuty trigger', () => current.capture.to('/pagerduty')[0], MINUTE);
    const triggerAt = stepper.now();
    assert.equal(triggerAt - firedAt, 10_000);
    const incidentKey = createHash('sha256').update(groupKey).digest('hex');
    const notifiedAlert = notified(alert, EXTERNAL_URL, 'bridge_conductor_circuit_breaker_state == 1', firedAt, undefined);
    const expectedTrigger = `${goJson(
      goStruct([
        ['service_key', 'YOUR_PAGERDUTY_SERVICE_KEY'],
        ['incident_key', incidentKey],
        ['event_type', 'trigger'],
        ['description', subject('firing', 1, { alertname: 'CircuitBreakerOpen' }, alert.labels)],
        ['event_action', ''],
        ['payload', null],
        ['client', 'Alertmanager'],
        ['client_url', `${EXTERNAL_URL}/#/alerts?receiver=pagerduty`],
        [
          'details',
          goStruct([
            ['firing', [detailAlert(notifiedAlert, triggerAt)]],
            ['num_firing', 1],
            ['num_resolved', 0],
            ['resolved', []],
          ]),
        ],
      ]),
    )}\n`;
    assert.equal(trigger.body, expectedTrigger);

    current.state.circuitBreaker = 0;
    await stepper.until('CircuitBreakerOpen resolved', async () => ((await ruleAlert(vigil, 'CircuitBreakerOpen')) === undefined ? true : undefined), 2 * MINUTE);
    const resolvedAt = lastEvaluationOf(vigil, 'CircuitBreakerOpen');
    const resolve = await stepper.until('a PagerDuty resolve', () => current.capture.to('/pagerduty')[1], MINUTE);
    const resolvedAlert = { ...notifiedAlert, endsAt: resolvedAt };
    const expectedResolve = `${goJson(
      goStruct([
        ['service_key', 'YOUR_PAGERDUTY_SERVICE_KEY'],
        ['incident_key', incidentKey],
        ['event_type', 'resolve'],
        ['description', subject('resolved', 0, { alertname: 'CircuitBreakerOpen' }, alert.labels)],
        ['event_action', ''],
        ['payload', null],
        [
          'details',
          goStruct([
            ['firing', []],
            ['num_firing', 0],
            ['num_resolved', 1],
            ['resolved', [detailAlert(resolvedAlert, stepper.now())]],
          ]),
        ],
      ]),
    )}\n`;
    assert.equal(resolve.body, expectedResolve);
  });
});
