/**
 * The seed tests' expected payloads are only as good as the builder in alertmanager-format.ts, so it
 * is checked against Debian's real Alertmanager 0.25: an alert with characters Go escapes is posted to
 * it, and the webhook bodies it sends (firing, then resolved) must equal the builder's byte for byte,
 * as must the fingerprint its API reports. Plus table cases for the pieces.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GO_ZERO_TIME, decodeQuotedPrintable, generatorUrl, goJson, goMap, goStruct, goTime, groupLabelsString, labelsFingerprint, webhookBody } from './alertmanager-format.ts';
import { CaptureServer } from './seed-services.ts';
import { eventually, freePort, requireBinary, tempDir } from './vigil.ts';

const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

describe('Alertmanager formats rebuilt for the tests', () => {
  it('Go JSON: struct order kept, map keys sorted, HTML characters and line separators escaped', () => {
    assert.equal(goJson(goStruct([['b', 1], ['a', goMap({ z: '<&>', y: 'a\u2028b"\\\n' })], ['c', [true, null]]])), '{"b":1,"a":{"y":"a\\u2028b\\"\\\\\\n","z":"\\u003c\\u0026\\u003e"},"c":[true,null]}');
  });

  it('Go times: RFC 3339, nanoseconds without trailing zeros, UTC as Z', () => {
    assert.equal(goTime(Date.UTC(2026, 0, 5, 9, 7, 12, 720)), '2026-01-05T09:07:12.72Z');
    assert.equal(goTime(Date.UTC(2026, 0, 5, 9, 7, 12)), '2026-01-05T09:07:12Z');
    assert.equal(goTime(Date.UTC(2026, 0, 5, 9, 7, 12, 5)), '2026-01-05T09:07:12.005Z');
    assert.equal(GO_ZERO_TIME, '0001-01-01T00:00:00Z');
  });

  it('fingerprints: FNV-1a 64 of the empty set is the offset basis', () => {
    assert.equal(labelsFingerprint({}), 'cbf29ce484222325');
    assert.notEqual(labelsFingerprint({ a: 'b' }), labelsFingerprint({ a: 'c' }));
    assert.equal(labelsFingerprint({ b: '1', a: '2' }), labelsFingerprint({ a: '2', b: '1' }));
  });

  it('group keys, generator URLs and quoted-printable', () => {
    assert.equal(groupLabelsString({ b: 'x"y', a: '1' }), '{a="1", b="x\\"y"}');
    assert.equal(generatorUrl('http://p:9090', 'rate(x{a=~"5.."}[5m]) > 0.1'), 'http://p:9090/graph?g0.expr=rate%28x%7Ba%3D~%225..%22%7D%5B5m%5D%29+%3E+0.1&g0.tab=1');
    assert.equal(decodeQuotedPrintable('caf=C3=A9 =3D soft=\r\nbreak'), 'café = softbreak');
  });
});

describe('the webhook builder against Alertmanager 0.25', { skip: requireBinary(ALERTMANAGER) }, () => {
  const dir = tempDir('vigil-am-format-');
  const externalURL = 'http://alertmanager.example:9093';
  let alertmanager: ChildProcess | undefined;
  let capture: CaptureServer;
  let api = '';

  before(async () => {
    capture = await CaptureServer.start();
    writeFileSync(
      join(dir.path, 'alertmanager.yml'),
      `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: ${capture.url('/hook')}
`,
    );
    mkdirSync(join(dir.path, 'data'));
    const port = await freePort();
    alertmanager = spawn(ALERTMANAGER, [`--config.file=${join(dir.path, 'alertmanager.yml')}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--web.external-url=${externalURL}`], {
      stdio: 'ignore',
      env: { ...process.env, TZ: 'UTC' },
    });
    api = `http://127.0.0.1:${port}`;
    await eventually('Alertmanager ready', async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    alertmanager?.kill();
    await capture?.close();
    dir.remove();
  });

  it('firing and resolved bodies and the fingerprint equal the builder’s', async () => {
    const labels = { alertname: 'FormatCheck', instance: '10.0.0.1:9100', job: 'a<b>&c', severity: 'warning' };
    const annotations = { description: 'rate is 0.5 & rising\n"quoted" \u2028 done', summary: 'ünïcode <b>' };
    // A start with 720 ms, so the trimmed fraction (".72") is part of what is compared.
    const startsAt = Math.floor(Date.now() / 1000) * 1000 - 60_000 + 720;
    const generatorURL = 'http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1';
    const post = async (endsAt: number) => {
      const response = await fetch(`${api}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([{ labels, annotations, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), generatorURL }]),
      });
      assert.equal(response.status, 200);
    };
    await post(Date.now() + 3_600_000);
    const firing = await eventually('the firing webhook', async () => capture.to('/hook')[0], 20_000);
    const common = { receiver: 'hook', groupKey: `{}:${groupLabelsString({ alertname: 'FormatCheck' })}`, groupLabels: { alertname: 'FormatCheck' }, externalURL };
    const alert = { labels, annotations, startsAt, endsAt: undefined, generatorURL };
    assert.equal(firing.body, webhookBody({ ...common, alerts: [alert], now: Date.now() }));
    const [stored] = (await (await fetch(`${api}/api/v2/alerts`)).json()) as { fingerprint: string }[];
    assert.equal(stored.fingerprint, labelsFingerprint(labels));

    const endsAt = Date.now() - 1234;
    await post(endsAt);
    const resolved = await eventually('the resolved webhook', async () => capture.to('/hook')[1], 20_000);
    assert.equal(resolved.body, webhookBody({ ...common, alerts: [{ ...alert, endsAt }], now: Date.now() }));
  });
});
