/**
 * Seed 002 (quant-backend) end to end: its prometheus.yml and alerts.yml with only the scrape targets
 * and the external Alertmanager pointed at 127.0.0.1, time moved by a fake scheduler. The seed has
 * rules but no alertmanager.yml, so the test writes a minimal one: critical alerts to an `oncall`
 * webhook, the rest to a `team` webhook, Alertmanager's default timers (group_wait 30s,
 * group_interval 5m). Every one of the seed's ten alerts goes pending, fires, reaches its webhook and
 * resolves: HighErrorRate, DatabasePoolExhausted, DatabaseDown and ServiceDown (critical, oncall);
 * HighResponseTime and SlowDatabaseQueries (histogram quantiles), HighAuthFailureRate,
 * HighCacheMissRate, RedisMemoryHigh (warning) and RedisDown (severity "high"), all to team. Each
 * firing and resolved body equals Alertmanager's version-4 JSON byte for byte.
 *
 * The seed's service exports `db_connection_pool_size{status}` while its rule reads
 * `db_connection_pool{status="overflow"}`: the exporter here serves the name the rule reads, so the
 * rule can be driven at all (against the seed's service as written, DatabasePoolExhausted never fires).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaptureServer, FakeCounter, FakeExporter, linkSeedFiles, writeRedirectedCopy } from '../support/seed-services.ts';
import { ruleAlerts, startSeedVigil } from '../support/seed-vigil.ts';
import type { SeedVigil } from '../support/seed-vigil.ts';
import { webhookLifeCycle } from '../support/seed-webhook.ts';
import type { WebhookLifeCycle } from '../support/seed-webhook.ts';
import { tempDir } from '../support/vigil.ts';

const SEED = 'quant-backend';
const EXTERNAL_URL = 'http://vigil.example:9090';
const MINUTE = 60_000;

/** The test's own alertmanager.yml (the seed has none). */
function alertmanagerYaml(capture: CaptureServer): string {
  return `# Seed 002 ships no alertmanager.yml: critical alerts page the on-call webhook, the rest go to the team's.
route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: oncall
receivers:
  - name: team
    webhook_configs:
      - url: ${capture.url('/team')}
  - name: oncall
    webhook_configs:
      - url: ${capture.url('/oncall')}
`;
}

/** humanizePercentage for values whose percentage is in [1, 1000): Go's %.4g of v × 100, then "%". */
function humanizePercentage(value: number): string {
  const percent = value * 100;
  assert.ok(percent >= 1 && percent < 1000, `the test keeps percentages in [1, 1000), not ${percent}`);
  return `${Number(percent.toPrecision(4))}%`;
}

describe(`seed ${SEED}: its rules → a minimal Alertmanager config → webhooks, byte for byte`, () => {
  const dir = tempDir('vigil-seed-quant-');
  let seed: SeedVigil;
  let capture: CaptureServer;
  const exporters: FakeExporter[] = [];
  let backend: FakeExporter;
  let redis: FakeExporter;
  const metrics = {
    ok: null as FakeCounter | null,
    errors: null as FakeCounter | null,
    fastRequests: null as FakeCounter | null,
    slowRequests: null as FakeCounter | null,
    authFailures: null as FakeCounter | null,
    cacheHits: null as FakeCounter | null,
    cacheMisses: null as FakeCounter | null,
    fastQueries: null as FakeCounter | null,
    slowQueries: null as FakeCounter | null,
    overflow: 4,
    redisUsedBytes: 512 * 1024 ** 2,
  };
  const read = (counter: FakeCounter | null) => counter?.read() ?? 0;

  function backendMetrics(): string {
    // Fast requests take 0.05s, slow ones 2s: the buckets from le="2.5" up count both.
    const fast = read(metrics.fastRequests);
    const slow = read(metrics.slowRequests);
    const buckets = [0.1, 0.5, 1, 2.5, 5].map((le) => `http_request_duration_seconds_bucket{endpoint="/api/trades",le="${le}",method="GET"} ${fast + (le >= 2.5 ? slow : 0)}`);
    return [
      '# TYPE http_requests_total counter',
      `http_requests_total{endpoint="/api/trades",method="GET",status="200"} ${read(metrics.ok)}`,
      `http_requests_total{endpoint="/api/trades",method="GET",status="500"} ${read(metrics.errors)}`,
      '# TYPE http_request_duration_seconds histogram',
      ...buckets,
      `http_request_duration_seconds_bucket{endpoint="/api/trades",le="+Inf",method="GET"} ${fast + slow}`,
      `http_request_duration_seconds_sum{endpoint="/api/trades",method="GET"} ${0.05 * fast + 2 * slow}`,
      `http_request_duration_seconds_count{endpoint="/api/trades",method="GET"} ${fast + slow}`,
      '# TYPE auth_failures_total counter',
      `auth_failures_total{reason="wrong_password"} ${read(metrics.authFailures)}`,
      '# TYPE db_connection_pool gauge',
      'db_connection_pool{status="checked_out"} 12',
      `db_connection_pool{status="overflow"} ${metrics.overflow}`,
      '# TYPE db_query_duration_seconds histogram',
      ...[0.1, 0.5, 1, 2.5, 5].map((le) => `db_query_duration_seconds_bucket{le="${le}",query_type="select"} ${read(metrics.fastQueries) + (le >= 2.5 ? read(metrics.slowQueries) : 0)}`),
      `db_query_duration_seconds_bucket{le="+Inf",query_type="select"} ${read(metrics.fastQueries) + read(metrics.slowQueries)}`,
      `db_query_duration_seconds_sum{query_type="select"} ${0.05 * read(metrics.fastQueries) + 2 * read(metrics.slowQueries)}`,
      `db_query_duration_seconds_count{query_type="select"} ${read(metrics.fastQueries) + read(metrics.slowQueries)}`,
      '# TYPE cache_hits_total counter',
      `cache_hits_total ${read(metrics.cacheHits)}`,
      '# TYPE cache_misses_total counter',
      `cache_misses_total ${read(metrics.cacheMisses)}`,
      '',
    ].join('\n');
  }

  before(async () => {
    capture = await CaptureServer.start();
    backend = await FakeExporter.start(backendMetrics);
    postgres = await FakeExporter.start(() => 'pg_up 1\n');
    redis = await FakeExporter.start(() => `redis_memory_used_bytes ${metrics.redisUsedBytes}\nredis_memory_max_bytes ${1024 ** 3}\n`);
    const node = await FakeExporter.start(() => 'node_load1 0.5\n');
    exporters.push(backend, postgres, redis, node);
    writeRedirectedCopy(SEED, 'prometheus.yml', dir.path, [
      { from: 'backend:8000', to: backend.address },
      { from: 'postgres-exporter:9187', to: postgres.address },
      { from: 'redis-exporter:9121', to: redis.address },
      { from: 'node-exporter:9100', to: node.address },
      { from: 'alertmanager:9093', to: capture.url('').replace('http://', '') },
    ]);
    linkSeedFiles(SEED, dir.path, ['alerts.yml']);
    writeFileSync(join(dir.path, 'alertmanager.yml'), alertmanagerYaml(capture));
    seed = await startSeedVigil({ dataDir: join(dir.path, 'data'), configFile: join(dir.path, 'prometheus.yml'), alertmanagerConfigFile: join(dir.path, 'alertmanager.yml'), externalURL: EXTERNAL_URL });
    const clock = seed.scheduler;
    for (const name of ['ok', 'errors', 'fastRequests', 'slowRequests', 'authFailures', 'cacheHits', 'cacheMisses', 'fastQueries', 'slowQueries'] as const) metrics[name] = new FakeCounter(clock);
    metrics.fastQueries?.setRate(10);
    metrics.ok?.setRate(40);
    metrics.fastRequests?.setRate(40);
    metrics.authFailures?.setRate(0.2);
    metrics.cacheHits?.setRate(30);
    metrics.cacheMisses?.setRate(3);
  });

  after(async () => {
    await seed?.vigil.stop();
    for (const exporter of exporters) await exporter.close();
    await capture?.close();
    dir.remove();
  });

  const common = (): Pick<WebhookLifeCycle, 'seed' | 'capture' | 'externalURL' | 'groupWaitMs' | 'groupIntervalMs' | 'validForMs' | 'resolveWithinMs'> => ({
    seed,
    capture,
    externalURL: EXTERNAL_URL,
    groupWaitMs: 30_000,
    groupIntervalMs: 5 * MINUTE,
    // Prometheus's resend delay (1m) is longer than the groups' 30s interval.
    validForMs: 4 * MINUTE,
    resolveWithinMs: 8 * MINUTE,
  });
  const oncall = { path: '/oncall', receiver: 'oncall', routeKey: '{}/{severity="critical"}' };
  let postgres: FakeExporter;
  const team = { path: '/team', receiver: 'team', routeKey: '{}' };

  it('the seed’s rule groups load and healthy metrics raise nothing', async () => {
    await seed.stepper.stepTo(seed.stepper.now() + 6 * MINUTE);
    assert.deepEqual(await ruleAlerts(seed.vigil), []);
    assert.deepEqual(
      seed.vigil.rules?.ruleGroups().map((group) => [group.name, group.intervalMs, group.rules.length]),
      [
        ['backend_alerts', 30_000, 6],
        ['database_alerts', 30_000, 2],
        ['redis_alerts', 30_000, 2],
      ],
    );
    assert.ok(seed.vigil.rules?.ruleGroups().every((group) => group.rules.every((rule) => rule.health === 'ok')));
  });

  it('HighErrorRate (critical) pages the oncall webhook; its description is humanizePercentage of the rate', async () => {
    const { firing } = await webhookLifeCycle({
      ...common(),
      ...oncall,
      alertname: 'HighErrorRate',
      expression: 'rate(http_requests_total{status=~"5.."}[5m]) > 0.05',
      forMs: 2 * MINUTE,
      raise: () => metrics.errors?.setRate(0.5),
      clear: () => metrics.errors?.setRate(0),
      labels: { alertname: 'HighErrorRate', endpoint: '/api/trades', instance: backend.address, job: 'quant-backend', method: 'GET', severity: 'critical', status: '500' },
      pendingWithinMs: 2 * MINUTE,
    });
    assert.equal(firing.annotations.description, `Error rate is ${humanizePercentage(Number(firing.value))}`);
  });

  it('DatabasePoolExhausted (critical) pages the oncall webhook', async () => {
    const { firing } = await webhookLifeCycle({
      ...common(),
      ...oncall,
      alertname: 'DatabasePoolExhausted',
      expression: 'db_connection_pool{status="overflow"} > 30',
      forMs: 2 * MINUTE,
      raise: () => (metrics.overflow = 35),
      clear: () => (metrics.overflow = 2),
      labels: { alertname: 'DatabasePoolExhausted', instance: backend.address, job: 'quant-backend', severity: 'critical', status: 'overflow' },
      pendingWithinMs: MINUTE,
    });
    assert.equal(firing.annotations.description, 'Overflow connections: 35');
  });

  it('HighResponseTime (warning, p95 of a histogram over 5m) goes to the team webhook', async () => {
    const { firing } = await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'HighResponseTime',
      expression: 'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 1',
      forMs: 5 * MINUTE,
      raise: () => {
        metrics.fastRequests?.setRate(5);
        metrics.slowRequests?.setRate(35);
      },
      clear: () => {
        metrics.fastRequests?.setRate(40);
        metrics.slowRequests?.setRate(0);
      },
      labels: { alertname: 'HighResponseTime', endpoint: '/api/trades', instance: backend.address, job: 'quant-backend', method: 'GET', severity: 'warning' },
      pendingWithinMs: 3 * MINUTE,
    });
    assert.match(firing.annotations.description, /^95th percentile response time: \d+(\.\d+)?s$/);
  });

  it('RedisDown (severity "high", matched by no child route) goes to the team webhook', async () => {
    await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'RedisDown',
      expression: 'up{job="redis"} == 0',
      forMs: MINUTE,
      raise: () => (redis.status = 503),
      clear: () => (redis.status = 200),
      labels: { alertname: 'RedisDown', instance: redis.address, job: 'redis', severity: 'high' },
      pendingWithinMs: MINUTE,
    });
  });

  it('HighAuthFailureRate, HighCacheMissRate, SlowDatabaseQueries and RedisMemoryHigh (warnings) go to the team webhook', async () => {
    await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'HighAuthFailureRate',
      expression: 'rate(auth_failures_total[5m]) > 10',
      forMs: 2 * MINUTE,
      raise: () => metrics.authFailures?.setRate(25),
      clear: () => metrics.authFailures?.setRate(0.2),
      labels: { alertname: 'HighAuthFailureRate', instance: backend.address, job: 'quant-backend', reason: 'wrong_password', severity: 'warning' },
      // rate()[5m] passes 10/s about two minutes after failures jump to 25/s.
      pendingWithinMs: 4 * MINUTE,
    });
    const cache = await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'HighCacheMissRate',
      // The seed writes it over two lines; Prometheus prints the parsed expression on one.
      expression: 'rate(cache_misses_total[5m]) / (rate(cache_hits_total[5m]) + rate(cache_misses_total[5m])) > 0.8',
      forMs: 5 * MINUTE,
      raise: () => {
        metrics.cacheHits?.setRate(1);
        metrics.cacheMisses?.setRate(30);
      },
      clear: () => {
        metrics.cacheHits?.setRate(30);
        metrics.cacheMisses?.setRate(3);
      },
      labels: { alertname: 'HighCacheMissRate', instance: backend.address, job: 'quant-backend', severity: 'warning' },
      // Over the 5m windows the miss ratio passes 0.8 a little over four minutes after the switch.
      pendingWithinMs: 6 * MINUTE,
    });
    assert.equal(cache.firing.annotations.description, `Cache effectiveness: ${humanizePercentage(Number(cache.firing.value))}`);
    await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'SlowDatabaseQueries',
      expression: 'histogram_quantile(0.95, rate(db_query_duration_seconds_bucket[5m])) > 1',
      forMs: 5 * MINUTE,
      raise: () => metrics.slowQueries?.setRate(10),
      clear: () => metrics.slowQueries?.setRate(0),
      labels: { alertname: 'SlowDatabaseQueries', instance: backend.address, job: 'quant-backend', query_type: 'select', severity: 'warning' },
      pendingWithinMs: 3 * MINUTE,
    });
    const memory = await webhookLifeCycle({
      ...common(),
      ...team,
      alertname: 'RedisMemoryHigh',
      expression: 'redis_memory_used_bytes / redis_memory_max_bytes > 0.9',
      forMs: 5 * MINUTE,
      raise: () => (metrics.redisUsedBytes = 0.95 * 1024 ** 3),
      clear: () => (metrics.redisUsedBytes = 512 * 1024 ** 2),
      labels: { alertname: 'RedisMemoryHigh', instance: redis.address, job: 'redis', severity: 'warning' },
      pendingWithinMs: MINUTE,
    });
    assert.equal(memory.firing.annotations.description, 'Redis using 95% of available memory');
  });

  it('DatabaseDown and ServiceDown (critical, targets answering 503) page the oncall webhook', async () => {
    await webhookLifeCycle({
      ...common(),
      ...oncall,
      alertname: 'DatabaseDown',
      expression: 'up{job="postgres"} == 0',
      forMs: MINUTE,
      raise: () => (postgres.status = 503),
      clear: () => (postgres.status = 200),
      labels: { alertname: 'DatabaseDown', instance: postgres.address, job: 'postgres', severity: 'critical' },
      pendingWithinMs: MINUTE,
    });
    await webhookLifeCycle({
      ...common(),
      ...oncall,
      alertname: 'ServiceDown',
      expression: 'up{job="quant-backend"} == 0',
      forMs: MINUTE,
      raise: () => (backend.status = 503),
      clear: () => (backend.status = 200),
      labels: { alertname: 'ServiceDown', instance: backend.address, job: 'quant-backend', severity: 'critical' },
      pendingWithinMs: MINUTE,
    });
  });
});
