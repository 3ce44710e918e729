import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../config/index.ts';
import type { PostableAlert } from '../../alerting/types.ts';
import { AlertmanagerNotifier, alertmanagerUrls, openApiAlert } from './alertmanager-notifier.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown[];
  raw: string;
}

async function receiver(status = 200): Promise<{ server: Server; address: string; received: Received[]; setStatus: (code: number) => void }> {
  const received: Received[] = [];
  let code = status;
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) as unknown[], raw: text });
      response.writeHead(code).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, received, setStatus: (next) => (code = next) };
}

function alert(name: string, extra: Record<string, string> = {}): PostableAlert {
  return { labels: { alertname: name, ...extra }, annotations: { summary: 's' }, startsAt: 1_700_000_000_000, endsAt: 1_700_000_240_000, generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1' };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((done) => setTimeout(done, 10));
  assert.ok(check(), 'condition not reached in time');
}

test('alerts are POSTed to each Alertmanager as API v2 JSON with the configured path, auth and alert relabeling', async () => {
  const first = await receiver();
  const second = await receiver();
  const config = parseConfig(
    `alerting:
  alertmanagers:
    - path_prefix: /am/
      basic_auth: { username: vigil, password: secret }
      static_configs:
        - targets: ['${first.address}']
      alert_relabel_configs:
        - source_labels: [severity]
          regex: debug
          action: drop
    - static_configs:
        - targets: ['${second.address}', 'dropped:9093']
      relabel_configs:
        - source_labels: [__address__]
          regex: dropped.*
          action: drop
`,
    'prometheus.yml',
  );
  const notifier = new AlertmanagerNotifier({ userAgent: 'Vigil/test' });
  await notifier.applyConfig(config.alerting);
  assert.deepEqual(notifier.alertmanagers(), [`http://${first.address}/am/api/v2/alerts`, `http://${second.address}/api/v2/alerts`]);
  assert.deepEqual(notifier.droppedAlertmanagers(), ['http://dropped:9093/api/v2/alerts']);
  notifier.send([alert('A', { severity: 'page' }), alert('B', { severity: 'debug' })]);
  await until(() => first.received.length === 1 && second.received.length === 1);
  assert.equal(first.received[0].path, '/am/api/v2/alerts');
  assert.equal(first.received[0].headers.authorization, `Basic ${Buffer.from('vigil:secret').toString('base64')}`);
  assert.equal(first.received[0].headers['content-type'], 'application/json');
  assert.equal(first.received[0].headers['user-agent'], 'Vigil/test');
  assert.deepEqual(first.received[0].body, [
    {
      annotations: { summary: 's' },
      endsAt: '2023-11-14T22:17:20.000Z',
      startsAt: '2023-11-14T22:13:20.000Z',
      generatorURL: 'http://vigil/graph?g0.expr=up&g0.tab=1',
      labels: { alertname: 'A', severity: 'page' },
    },
  ]);
  assert.equal(second.received[0].body.length, 2);
  // Byte for byte as Prometheus 2.42 posted it to a receiver (its generatorURL's & escaped as Go does).
  assert.equal(second.received[0].raw.split('},{')[0] + '}]', '[{"annotations":{"summary":"s"},"endsAt":"2023-11-14T22:17:20.000Z","startsAt":"2023-11-14T22:13:20.000Z","generatorURL":"http://vigil/graph?g0.expr=up\\u0026g0.tab=1","labels":{"alertname":"A","severity":"page"}}]');
  const sentTotal = () => notifier.metricSources().find((m) => m.name === 'prometheus_notifications_sent_total')?.read();
  // The receiver has the request before the notifier has read the answer.
  await until(() => JSON.stringify(sentTotal()).includes('"value":1') && JSON.stringify(sentTotal()).includes('"value":2'));
  assert.deepEqual(sentTotal(), [
    { labels: { alertmanager: `http://${first.address}/am/api/v2/alerts` }, value: 1 },
    { labels: { alertmanager: `http://${second.address}/api/v2/alerts` }, value: 2 },
  ]);
  await notifier.stop();
  first.server.close();
  second.server.close();
});

test('a failing Alertmanager counts errors and drops the batch; batches respect the size limit; the queue drops the oldest', async () => {
  const target = await receiver(500);
  const config = parseConfig(`alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['${target.address}']\n`, 'prometheus.yml');
  const notifier = new AlertmanagerNotifier({ maxBatchSize: 2, queueCapacity: 3 });
  await notifier.applyConfig(config.alerting);
  notifier.send([alert('A'), alert('B'), alert('C'), alert('D'), alert('E')]);
  await until(() => target.received.length === 2);
  const read = (name: string): number => {
    const source = notifier.metricSources().find((m) => m.name === name);
    assert.ok(source !== undefined, name);
    return (source.read() as { value: number }[])[0].value;
  };
  await until(() => read('prometheus_notifications_errors_total') === 3);
  // Five alerts into a queue of three: the two oldest dropped; then two failed batches (2 + 1) dropped.
  assert.deepEqual(target.received.map((r) => (r.body as { labels: { alertname: string } }[]).map((a) => a.labels.alertname)), [['C', 'D'], ['E']]);
  assert.equal(read('prometheus_notifications_dropped_total'), 5);
  assert.equal(read('prometheus_notifications_sent_total'), 0);
  await notifier.stop();
  target.server.close();
});

test('Alertmanager URLs follow relabeling of __scheme__, __address__ and __alerts_path__', () => {
  const config = parseConfig(
    `alerting:
  alertmanagers:
    - scheme: https
      static_configs:
        - targets: ['a:9093']
          labels: { dc: x }
      relabel_configs:
        - source_labels: [dc]
          target_label: __alerts_path__
          replacement: /\${1}/api/v2/alerts
`,
    'prometheus.yml',
  );
  const am = config.alerting.alertmanagers[0];
  assert.deepEqual(alertmanagerUrls(am, am.staticConfigs), ['https://a:9093/x/api/v2/alerts']);
  assert.equal(openApiAlert({ labels: {}, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' }).startsAt, '0001-01-01T00:00:00.000Z');
});
