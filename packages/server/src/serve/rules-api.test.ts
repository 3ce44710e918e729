import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import { buildRuleGroup, engineQueryFunction, parseRuleFile } from '../rules/index.ts';
import { goTime, mountRulesApi } from './rules-api.ts';

const RULES = `groups:
  - name: api
    interval: 30s
    rules:
      - record: job:m:sum
        expr: sum by (job) (m)
      - alert: High
        expr: m > 10
        for: 1m
        labels: { severity: page }
        annotations: { summary: "{{ $labels.job }} is high" }
  - name: other
    rules:
      - alert: Never
        expr: m > 1000
`;

/** The answers' JSON, read loosely: the tests compare exact shapes with deepEqual. */
// oxlint-disable-next-line no-explicit-any
type Json = any;

async function read(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

async function setup(): Promise<Hono> {
  const storage = new MemoryStorage();
  const appender = storage.appender();
  appender.append(0, ['__name__', 'm', 'job', 'a'], { kind: 'float', timestamp: 0, value: 20 });
  await appender.commit();
  const parsed = parseRuleFile(RULES, '/etc/rules.yml');
  const clock = { now: () => 1_700_000_000_500 };
  const groups = parsed.groups.map((definition) => buildRuleGroup(definition, { query: engineQueryFunction(new Engine(), storage), storage, evaluationIntervalMs: 60_000, clock }));
  await groups[0].iterate(0);
  const app = new Hono();
  mountRulesApi(app, { ruleGroups: () => groups });
  return app;
}

test('/api/v1/rules lists groups and rules in Prometheus shape', async () => {
  const app = await setup();
  const body = await read(await app.request('/api/v1/rules'));
  assert.equal(body.status, 'success');
  const [api, other] = body.data.groups;
  assert.equal(api.name, 'api');
  assert.equal(api.file, '/etc/rules.yml');
  assert.equal(api.interval, 30);
  assert.equal(api.limit, 0);
  assert.equal(api.lastEvaluation, '2023-11-14T22:13:20.5Z');
  assert.equal(typeof api.evaluationTime, 'number');
  const [recording, alerting] = api.rules;
  assert.deepEqual(Object.keys(recording), ['name', 'query', 'labels', 'health', 'evaluationTime', 'lastEvaluation', 'type']);
  assert.equal(recording.query, 'sum by (job) (m)');
  assert.equal(recording.health, 'ok');
  assert.equal(recording.type, 'recording');
  assert.deepEqual({ ...alerting, evaluationTime: 0 }, {
    state: 'pending',
    name: 'High',
    query: 'm > 10',
    duration: 60,
    keepFiringFor: 0,
    labels: { severity: 'page' },
    annotations: { summary: '{{ $labels.job }} is high' },
    alerts: [{ labels: { alertname: 'High', job: 'a', severity: 'page' }, annotations: { summary: 'a is high' }, state: 'pending', activeAt: '1970-01-01T00:00:00Z', value: '2e+01' }],
    health: 'ok',
    evaluationTime: 0,
    lastEvaluation: '2023-11-14T22:13:20.5Z',
    type: 'alerting',
  });
  // Never evaluated: unknown health and state, Go's zero time.
  assert.equal(other.rules[0].state, 'unknown');
  assert.equal(other.rules[0].health, 'unknown');
  assert.equal(other.rules[0].lastEvaluation, '0001-01-01T00:00:00Z');
});

test('/api/v1/rules filters by type, names, groups, files, labels and can leave alerts out', async () => {
  const app = await setup();
  const names = async (query: string) => {
    const body = await read(await app.request(`/api/v1/rules?${query}`));
    return body.data.groups.map((group: { name: string; rules: { name: string }[] }) => `${group.name}:${group.rules.map((rule) => rule.name).join(',')}`);
  };
  assert.deepEqual(await names('type=record'), ['api:job:m:sum']);
  assert.deepEqual(await names('type=ALERT'), ['api:High', 'other:Never']);
  assert.deepEqual(await names('rule_name[]=Never&rule_name[]=High'), ['api:High', 'other:Never']);
  assert.deepEqual(await names('rule_group[]=other'), ['other:Never']);
  assert.deepEqual(await names('file[]=/nope.yml'), []);
  assert.deepEqual(await names('match[]={severity="page"}'), ['api:High']);
  const excluded = await read(await app.request('/api/v1/rules?type=alert&exclude_alerts=true'));
  assert.equal(excluded.data.groups[0].rules[0].alerts, null);
  const bad = await app.request('/api/v1/rules?type=nope');
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { status: 'error', errorType: 'bad_data', error: 'invalid parameter "type": not supported value "nope"' });
});

test('/api/v1/alerts lists the active alerts of every alerting rule', async () => {
  const app = await setup();
  const body = await read(await app.request('/api/v1/alerts'));
  assert.deepEqual(body, {
    status: 'success',
    data: { alerts: [{ labels: { alertname: 'High', job: 'a', severity: 'page' }, annotations: { summary: 'a is high' }, state: 'pending', activeAt: '1970-01-01T00:00:00Z', value: '2e+01' }] },
  });
  const empty = new Hono();
  mountRulesApi(empty, undefined);
  assert.deepEqual(await (await empty.request('/api/v1/alerts')).json(), { status: 'success', data: { alerts: [] } });
});

test('Go time formatting trims fractional zeros', () => {
  assert.equal(goTime(0), '1970-01-01T00:00:00Z');
  assert.equal(goTime(1_500), '1970-01-01T00:00:01.5Z');
  assert.equal(goTime(null), '0001-01-01T00:00:00Z');
});

test('/api/v1/alertmanagers lists active and dropped Alertmanagers', async () => {
  const app = new Hono();
  mountRulesApi(app, { ruleGroups: () => [], alertmanagers: () => ({ active: ['http://am:9093/api/v2/alerts'], dropped: ['http://old:9093/api/v2/alerts'] }) });
  assert.deepEqual(await read(await app.request('/api/v1/alertmanagers')), {
    status: 'success',
    data: { activeAlertmanagers: [{ url: 'http://am:9093/api/v2/alerts' }], droppedAlertmanagers: [{ url: 'http://old:9093/api/v2/alerts' }] },
  });
  const none = new Hono();
  mountRulesApi(none, undefined);
  assert.deepEqual((await read(await none.request('/api/v1/alertmanagers'))).data, { activeAlertmanagers: [], droppedAlertmanagers: [] });
});
