import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { Silences } from '../alerting/silences/index.ts';
import { fingerprint } from '../alerting/types.ts';
import type { Alert, LabelSet, PostableAlert } from '../alerting/types.ts';
import { compareAlertsInGroup, labelSetBefore, mountAlertmanagerApi, parseDateTime } from './alertmanager-api.ts';
import type { AlertGroupView, AlertStatus, AlertView, AlertmanagerApiSource, HistoryEntry, HistoryQuery } from './alertmanager-api.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const ISO_NOW = '2026-01-02T03:04:05.678Z';

function alert(labels: LabelSet, overrides: Partial<Alert> = {}): Alert {
  return { labels, annotations: {}, startsAt: NOW - 60_000, endsAt: NOW + 300_000, generatorURL: '', updatedAt: NOW, timeout: true, ...overrides };
}

function view(a: Alert, receivers: string[], status: Partial<AlertStatus> = {}): AlertView {
  return { alert: a, fingerprint: fingerprint(a.labels), receivers, status: { state: 'active', silencedBy: [], inhibitedBy: [], mutedBy: [], ...status } };
}

interface Harness {
  app: Hono;
  source: AlertmanagerApiSource;
  posted: PostableAlert[][];
  views: AlertView[];
  groups: AlertGroupView[];
  historyQueries: HistoryQuery[];
}

function harness(): Harness {
  const posted: PostableAlert[][] = [];
  const views: AlertView[] = [];
  const groups: AlertGroupView[] = [];
  const historyQueries: HistoryQuery[] = [];
  let next = 0;
  const silences = new Silences({ clock: { now: () => NOW }, newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` });
  const history: HistoryEntry[] = [
    { kind: 'alert', time: NOW - 1000, fingerprint: 'abc', labels: { alertname: 'A' }, event: 'firing', startsAt: NOW - 1000, endsAt: 0 },
    { kind: 'notification', time: NOW, receiver: 'team', integration: 'webhook[0]', groupKey: '{}:{}', fingerprints: ['abc'], alerts: [{ fingerprint: 'abc', labels: { alertname: 'A' }, status: 'firing' }], attempt: 1, durationMs: 12, ok: true },
  ];
  const source: AlertmanagerApiSource = {
    putAlerts(alerts) {
      posted.push([...alerts]);
      // The facade validates; here, as Alertmanager: at least one label.
      return { errors: alerts.filter((a) => Object.keys(a.labels).length === 0).map(() => 'at least one label pair required') };
    },
    alerts: () => views,
    alertGroups: () => groups,
    receivers: () => [
      { name: 'default', labels: {} as LabelSet },
      { name: 'team', labels: { owner: 'ops' } },
    ],
    configText: () => 'route:\n  receiver: default\n',
    startTime: NOW - 3600_000,
    versionInfo: { version: '0.1.0', revision: 'r', branch: 'main', buildUser: 'u', buildDate: 'd', goVersion: 'node' },
    silences,
    history: (query) => {
      historyQueries.push(query);
      return history.filter((entry) => query.kind === undefined || entry.kind === query.kind);
    },
    now: () => NOW,
  };
  const app = new Hono();
  mountAlertmanagerApi(app, { source: () => source, maxBodyBytes: 4096 });
  return { app, source, posted, views, groups, historyQueries };
}

async function call(app: Hono, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': contentType };
  }
  const response = await app.request(path, init);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

describe('POST /api/v2/alerts', () => {
  it('decodes alerts and hands them to the notifier', async () => {
    const h = harness();
    const answer = await call(h.app, 'POST', '/api/v2/alerts', [
      { labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, startsAt: '2026-01-02T03:00:00Z', endsAt: '2026-01-02T04:00:00.5+01:00', generatorURL: 'http://p/graph' },
      { labels: { alertname: 'B' } },
    ]);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.deepEqual(h.posted, [
      [
        { labels: { alertname: 'A', severity: 'critical' }, annotations: { summary: 's' }, startsAt: Date.UTC(2026, 0, 2, 3), endsAt: Date.UTC(2026, 0, 2, 3, 0, 0, 500), generatorURL: 'http://p/graph' },
        { labels: { alertname: 'B' }, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' },
      ],
    ]);
  });

  it('answers the notifier\'s validation errors with 400 and a JSON string', async () => {
    const h = harness();
    const answer = await call(h.app, 'POST', '/api/v2/alerts', [{ labels: {} }, { labels: {} }]);
    assert.equal(answer.status, 400);
    assert.equal(answer.body, 'at least one label pair required\nat least one label pair required');
  });

  it('refuses malformed bodies as go-swagger does', async () => {
    const h = harness();
    const cases: [unknown, number, unknown][] = [
      ['[{', 400, /^parsing alerts body from "" failed, because /],
      [{}, 400, 'parsing alerts body from "" failed, because json: cannot unmarshal object into Go value of type models.PostableAlerts'],
      [[{ labels: 5 }], 400, 'parsing alerts body from "" failed, because json: cannot unmarshal number into Go struct field Alert.labels of type models.LabelSet'],
      [[{ labels: { a: 1 } }], 400, 'parsing alerts body from "" failed, because json: cannot unmarshal number into Go struct field Alert.labels of type string'],
      [[{ labels: { a: 'b' }, startsAt: 'yesterday' }], 400, /^parsing alerts body from "" failed, because parsing time "yesterday"/],
      [[{ annotations: {} }], 422, '0.labels in body is required'],
      ['', 422, 'alerts in body is required'],
    ];
    for (const [body, status, message] of cases) {
      const answer = await call(h.app, 'POST', '/api/v2/alerts', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      const got = (answer.body as { code: number; message: string }).message;
      assert.equal((answer.body as { code: number }).code, status === 422 ? 602 : 400);
      if (message instanceof RegExp) assert.match(got, message);
      else assert.equal(got, message);
    }
    assert.equal(h.posted.length, 0);
    const form = await call(h.app, 'POST', '/api/v2/alerts', '[]', 'application/x-www-form-urlencoded');
    assert.deepEqual([form.status, form.body], [415, { code: 415, message: 'unsupported media type "application/x-www-form-urlencoded", only [application/json] are allowed' }]);
    const big = await call(h.app, 'POST', '/api/v2/alerts', JSON.stringify([{ labels: { a: 'x'.repeat(5000) } }]));
    assert.deepEqual([big.status, big.body], [413, { code: 413, message: 'request body too large: more than 4096 bytes' }]);
  });
});

describe('hostile bodies', () => {
  it('never answer 500, and a label named __proto__ stays a label', async () => {
    const h = harness();
    const values: unknown[] = [null, 0, -1.5, 'x', true, [], {}, [null], [[]], [{}], { labels: {} }, [{ labels: null }], [{ labels: [] }], [{ labels: { a: null } }], [{ labels: { a: 'b' }, startsAt: 5 }], [{ labels: { a: 'b' }, generatorURL: 7 }], [{ labels: { a: 'b' }, annotations: 'x' }]];
    const silenceValues: unknown[] = [...values, { matchers: 'x' }, { matchers: [5] }, { matchers: [{ name: 1, value: 'b', isRegex: false }] }, { matchers: [{ name: 'a', value: 'b', isRegex: 'yes' }] }, { matchers: [{ name: 'a', value: 'b', isRegex: false }], startsAt: '2020-01-01T00:00:00Z', endsAt: '10000-01-01T00:00:00Z', createdBy: 'a', comment: 'b' }];
    for (const value of values) {
      const answer = await call(h.app, 'POST', '/api/v2/alerts', JSON.stringify(value));
      assert.ok([200, 400, 422].includes(answer.status), `${JSON.stringify(value)} → ${answer.status} ${answer.text}`);
    }
    for (const value of silenceValues) {
      const answer = await call(h.app, 'POST', '/api/v2/silences', JSON.stringify(value));
      assert.ok([400, 422].includes(answer.status), `${JSON.stringify(value)} → ${answer.status} ${answer.text}`);
    }
    await call(h.app, 'POST', '/api/v2/alerts', '[{"labels":{"__proto__":"x","a":"b"}}]');
    assert.deepEqual(Object.entries(h.posted.at(-1)?.[0].labels ?? {}), [['__proto__', 'x'], ['a', 'b']]);
  });
});

describe('GET /api/v2/alerts', () => {
  function withAlerts(): Harness {
    const h = harness();
    h.views.push(
      view(alert({ alertname: 'A', severity: 'warning' }, { annotations: { s: '<b>' } }), ['default'], { state: 'suppressed', inhibitedBy: ['b807e636403824b5'] }),
      view(alert({ alertname: 'A', severity: 'critical' }, { generatorURL: 'http://prometheus/graph' }), ['team']),
      view(alert({ alertname: 'S' }), ['default'], { state: 'suppressed', silencedBy: ['id-1'] }),
      view(alert({ alertname: 'Resolved' }, { endsAt: NOW - 1 }), ['default']),
      view(alert({ alertname: 'New' }), ['default'], { state: 'unprocessed' }),
    );
    return h;
  }

  it('lists unresolved alerts by fingerprint in Alertmanager\'s shape', async () => {
    const h = withAlerts();
    const answer = await call(h.app, 'GET', '/api/v2/alerts');
    assert.equal(answer.status, 200);
    const list = answer.body as { fingerprint: string; labels: LabelSet }[];
    assert.deepEqual(
      list.map((a) => a.labels.alertname),
      h.views
        .filter((v) => v.alert.labels.alertname !== 'Resolved')
        .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1))
        .map((v) => v.alert.labels.alertname),
    );
    const warning = fingerprint({ alertname: 'A', severity: 'warning' });
    // Field order and escaping as Alertmanager writes them (Go escapes < and >).
    assert.ok(
      answer.text.includes(
        `{"annotations":{"s":"\\u003cb\\u003e"},"endsAt":"2026-01-02T03:09:05.678Z","fingerprint":"${warning}","receivers":[{"name":"default"}],"startsAt":"2026-01-02T03:03:05.678Z","status":{"inhibitedBy":["b807e636403824b5"],"mutedBy":[],"silencedBy":[],"state":"suppressed"},"updatedAt":"${ISO_NOW}","labels":{"alertname":"A","severity":"warning"}}`,
      ),
      answer.text,
    );
    assert.ok(answer.text.includes('"generatorURL":"http://prometheus/graph","labels":{"alertname":"A","severity":"critical"}'));
  });

  it('filters by matchers, status flags and receivers', async () => {
    const h = withAlerts();
    const names = async (query: string) => ((await call(h.app, 'GET', `/api/v2/alerts${query}`)).body as { labels: LabelSet }[]).map((a) => `${a.labels.alertname}/${a.labels.severity ?? ''}`).sort();
    assert.deepEqual(await names('?filter=severity%3D%22critical%22'), ['A/critical']);
    assert.deepEqual(await names('?filter=alertname%3DA&filter=severity%21%3Dcritical'), ['A/warning']);
    // An empty-valued filter also accepts alerts without the label (Alertmanager's matchFilterLabels).
    assert.deepEqual(await names('?filter=severity%3D'), ['New/', 'S/']);
    assert.deepEqual(await names('?filter=severity%21%3D'), ['A/critical', 'A/warning']);
    assert.deepEqual(await names('?silenced=false'), ['A/critical', 'A/warning', 'New/']);
    assert.deepEqual(await names('?inhibited=false'), ['A/critical', 'New/', 'S/']);
    assert.deepEqual(await names('?active=false'), ['A/warning', 'New/', 'S/']);
    assert.deepEqual(await names('?unprocessed=false&active=0'), ['A/warning', 'S/']);
    assert.deepEqual(await names('?receiver=te.*'), ['A/critical']);
    assert.deepEqual(await names('?receiver_matchers=owner%3Dops'), ['A/critical']);
  });

  it('answers bad filters with Alertmanager\'s messages', async () => {
    const h = withAlerts();
    assert.deepEqual(await call(h.app, 'GET', '/api/v2/alerts?filter=sev').then((a) => [a.status, a.body]), [400, 'bad matcher format: sev']);
    assert.deepEqual(await call(h.app, 'GET', '/api/v2/alerts?receiver=(').then((a) => [a.status, a.body]), [400, 'failed to parse receiver param: error parsing regexp: missing closing ): `^(?:()$`']);
  });
});

describe('GET /api/v2/alerts/groups', () => {
  it('lists groups sorted as Alertmanager, alerts ordered by job and instance, receivers per alert', async () => {
    const h = harness();
    const a1 = view(alert({ alertname: 'Down', instance: 'b', job: 'api' }), []);
    const a2 = view(alert({ alertname: 'Down', instance: 'a', job: 'api' }), []);
    const a3 = view(alert({ alertname: 'Down', job: 'web' }), []);
    const resolved = view(alert({ alertname: 'Down', job: 'old' }, { endsAt: NOW - 1 }), []);
    const group = (receiver: string, alerts: AlertView[], labels: LabelSet = { alertname: 'Down' }, mutedBy: string[] = []): AlertGroupView => ({ labels, routeLabels: {}, receiver, routeId: '{}', groupKey: `{}:${receiver}`, mutedBy, alerts });
    h.groups.push(group('team', [a3, a1]), group('default', [a1, a2, a3, resolved]), group('default', [resolved], { alertname: 'Gone' }), group('night', [a2], { alertname: 'Down' }, ['weekends']));
    const answer = await call(h.app, 'GET', '/api/v2/alerts/groups');
    assert.equal(answer.status, 200);
    const groups = answer.body as { receiver: { name: string }; labels: LabelSet; routeLabels: LabelSet; alerts: { labels: LabelSet; receivers: { name: string }[]; status: AlertStatus }[] }[];
    assert.deepEqual(
      groups.map((g) => g.receiver.name),
      ['default', 'night', 'team'],
    );
    assert.deepEqual(
      groups[0].alerts.map((a) => `${a.labels.job}/${a.labels.instance ?? ''}`),
      ['api/a', 'api/b', 'web/'],
    );
    assert.deepEqual(
      groups[0].alerts.map((a) => a.receivers.map((r) => r.name)),
      [['default', 'night'], ['default', 'team'], ['default', 'team']],
    );
    assert.deepEqual(groups[1].alerts[0].status.mutedBy, ['weekends']);
    const unmuted = (await call(h.app, 'GET', '/api/v2/alerts/groups?muted=false&receiver=default|night')).body as { receiver: { name: string } }[];
    assert.deepEqual(
      unmuted.map((g) => g.receiver.name),
      ['default'],
    );
  });

  it('orders label sets as prometheus/common does', () => {
    assert.equal(labelSetBefore({ a: '1' }, { a: '1', b: '2' }), true);
    assert.equal(labelSetBefore({ a: '2' }, { a: '1' }), false);
    assert.equal(labelSetBefore({ a: '1' }, { b: '1' }), false);
    assert.equal(labelSetBefore({ b: '1' }, { a: '1' }), true);
    assert.ok(compareAlertsInGroup({ job: 'x' }, { instance: 'a' }) < 0);
  });
});

describe('silences', () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    matchers: [{ name: 'alertname', value: 'A', isRegex: false }],
    startsAt: '2020-01-01T00:00:00Z',
    endsAt: '2026-01-03T00:00:00Z',
    createdBy: 'me',
    comment: 'maintenance',
    ...overrides,
  });

  it('creates, lists, gets, updates and expires silences', async () => {
    const h = harness();
    const created = await call(h.app, 'POST', '/api/v2/silences', body());
    assert.deepEqual([created.status, created.body], [200, { silenceID: '00000000-0000-4000-8000-000000000001' }]);
    const id = (created.body as { silenceID: string }).silenceID;
    const got = await call(h.app, 'GET', `/api/v2/silence/${id}`);
    assert.equal(got.status, 200);
    assert.equal(
      got.text,
      `{"id":"${id}","status":{"state":"active"},"updatedAt":"${ISO_NOW}","annotations":{},"comment":"maintenance","createdBy":"me","endsAt":"2026-01-03T00:00:00.000Z","matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"A"}],"startsAt":"${ISO_NOW}"}`,
    );
    // Same matchers, new end: updated in place.
    const updated = await call(h.app, 'POST', '/api/v2/silences', body({ id, startsAt: ISO_NOW, endsAt: '2026-01-04T00:00:00Z' }));
    assert.deepEqual(updated.body, { silenceID: id });
    // New matchers: a new silence, the old one expired.
    const replaced = await call(h.app, 'POST', '/api/v2/silences', body({ id, matchers: [{ name: 'alertname', value: 'B', isRegex: false, isEqual: false }] }));
    assert.deepEqual(replaced.body, { silenceID: '00000000-0000-4000-8000-000000000002' });
    const pending = await call(h.app, 'POST', '/api/v2/silences', body({ startsAt: '2026-01-02T05:00:00Z' }));
    const list = (await call(h.app, 'GET', '/api/v2/silences')).body as { id: string; status: { state: string } }[];
    // Active first, then pending; the replaced silence ended now, which still counts as active.
    assert.deepEqual(
      list.map((s) => s.status.state),
      ['active', 'active', 'pending'],
    );
    assert.equal(list[0].id, id);
    const filtered = (await call(h.app, 'GET', '/api/v2/silences?filter=alertname%21%3DB')).body as { id: string }[];
    assert.deepEqual(
      filtered.map((s) => s.id),
      ['00000000-0000-4000-8000-000000000002'],
    );
    const onlyPending = (await call(h.app, 'GET', '/api/v2/silences?active=false&expired=false')).body as { id: string }[];
    assert.deepEqual(
      onlyPending.map((s) => s.id),
      [(pending.body as { silenceID: string }).silenceID],
    );
    const deleted = await call(h.app, 'DELETE', `/api/v2/silence/${(pending.body as { silenceID: string }).silenceID}`);
    assert.deepEqual([deleted.status, deleted.text], [200, '']);
    assert.equal(h.source.silences.query({ states: ['pending'] }).length, 0);
  });

  it('refuses bad silences with Alertmanager\'s answers', async () => {
    const h = harness();
    const cases: [Record<string, unknown>, number, unknown][] = [
      [body({ matchers: [{ name: 'alertname', value: '', isRegex: false }] }), 400, 'invalid silence: at least one matcher must not match the empty string'],
      [body({ endsAt: '2021-01-01T00:00:00Z' }), 400, "Failed to create silence: end time can't be in the past"],
      [body({ startsAt: '2027-01-01T00:00:00Z' }), 400, 'Failed to create silence: start time must be before end time'],
      [body({ matchers: [{ name: 'a', value: '(', isRegex: true }] }), 400, 'invalid silence: invalid label matcher 0: invalid regular expression "(": error parsing regexp: missing closing ): `(`'],
      [body({ id: '00000000-0000-4000-8000-00000000dead' }), 404, 'silence not found'],
      [body({ createdBy: undefined }), 422, { code: 602, message: 'createdBy in body is required' }],
      [body({ matchers: [] }), 422, { code: 612, message: 'matchers in body should have at least 1 items' }],
      [body({ matchers: [{ name: 'a', value: 'b' }] }), 422, { code: 602, message: 'matchers.0.isRegex in body is required' }],
    ];
    for (const [silence, status, answer] of cases) {
      const got = await call(h.app, 'POST', '/api/v2/silences', silence);
      assert.deepEqual([got.status, got.body], [status, answer], JSON.stringify(silence));
    }
    // Empty author and comment are accepted, as in Alertmanager.
    assert.equal((await call(h.app, 'POST', '/api/v2/silences', body({ createdBy: '', comment: '' }))).status, 200);
    assert.deepEqual(await call(h.app, 'GET', '/api/v2/silence/abc').then((a) => [a.status, a.body]), [422, { code: 601, message: 'silenceID in path must be of type uuid: "abc"' }]);
    assert.equal((await call(h.app, 'GET', '/api/v2/silence/00000000-0000-4000-8000-00000000dead')).status, 404);
    assert.equal((await call(h.app, 'DELETE', '/api/v2/silence/00000000-0000-4000-8000-00000000dead')).status, 404);
  });
});

describe('status, receivers, history', () => {
  it('status carries the config, uptime, version and a disabled cluster', async () => {
    const h = harness();
    const answer = await call(h.app, 'GET', '/api/v2/status');
    assert.equal(
      answer.text,
      '{"cluster":{"peers":[],"status":"disabled"},"config":{"original":"route:\\n  receiver: default\\n"},"uptime":"2026-01-02T02:04:05.678Z","versionInfo":{"branch":"main","buildDate":"d","buildUser":"u","goVersion":"node","revision":"r","version":"0.1.0"}}',
    );
  });

  it('receivers, optionally filtered by their labels', async () => {
    const h = harness();
    assert.deepEqual((await call(h.app, 'GET', '/api/v2/receivers')).body, [{ name: 'default' }, { labels: { owner: 'ops' }, name: 'team' }]);
    assert.deepEqual((await call(h.app, 'GET', '/api/v2/receivers?receiver_matchers=owner%3Dops')).body, [{ labels: { owner: 'ops' }, name: 'team' }]);
  });

  it('history passes the query on and prints times as RFC 3339', async () => {
    const h = harness();
    const answer = await call(h.app, 'GET', '/api/v2/history?kind=notification&from=1767322800&to=2026-01-03T00:00:00Z&limit=5&receiver=team&filter=alertname%3DA');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, [{ kind: 'notification', time: ISO_NOW, receiver: 'team', integration: 'webhook[0]', groupKey: '{}:{}', fingerprints: ['abc'], alerts: [{ fingerprint: 'abc', labels: { alertname: 'A' }, status: 'firing' }], attempt: 1, durationMs: 12, ok: true }]);
    const query = h.historyQueries[0];
    assert.deepEqual([query.kind, query.from, query.to, query.limit, query.receiver, query.matchers.length], ['notification', 1767322800_000, Date.UTC(2026, 0, 3), 5, 'team', 1]);
    const alerts = await call(h.app, 'GET', '/api/v2/history?kind=alert');
    assert.deepEqual(alerts.body, [{ kind: 'alert', time: '2026-01-02T03:04:04.678Z', fingerprint: 'abc', labels: { alertname: 'A' }, event: 'firing', startsAt: '2026-01-02T03:04:04.678Z' }]);
    assert.equal((await call(h.app, 'GET', '/api/v2/history?limit=0')).status, 400);
    assert.equal((await call(h.app, 'GET', '/api/v2/history?from=soon')).status, 400);
  });

  it('allows cross-origin requests as Alertmanager does', async () => {
    const h = harness();
    const preflight = await h.app.request('/api/v2/silences', { method: 'OPTIONS', headers: { origin: 'http://grafana', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    const read = await h.app.request('/api/v2/status', { headers: { origin: 'http://grafana' } });
    assert.equal(read.headers.get('access-control-allow-origin'), '*');
  });

  it('answers 404 while no Alertmanager is configured', async () => {
    const app = new Hono();
    mountAlertmanagerApi(app, { source: () => null });
    const answer = await call(app, 'GET', '/api/v2/alerts');
    assert.equal(answer.status, 404);
  });

  it('parses the date-times go-openapi accepts', () => {
    assert.equal(parseDateTime('2026-01-02T03:04:05Z'), Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(parseDateTime('2026-01-02T03:04:05.123456789-02:30'), Date.UTC(2026, 0, 2, 5, 34, 5, 123));
    assert.equal(parseDateTime('2026-01-02 03:04:05'), Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(parseDateTime('2026-02-30T00:00:00Z'), null);
    assert.equal(parseDateTime('tomorrow'), null);
    assert.equal(parseDateTime('0001-01-01T00:00:00.000Z'), 0);
    assert.equal(parseDateTime('0099-01-01T00:00:00Z'), -59042995200000);
  });
});
