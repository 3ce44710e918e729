import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { isStaleNaN, labelsFromRecord } from '../../model/index.ts';
import { relabelConfig } from '../../model/relabel.ts';
import { newScrapeCounters } from './counters.ts';
import { SCRAPE_ACCEPT_HEADER } from './exposition/index.ts';
import { ScrapeError } from './http-client.ts';
import { ScrapeLoop, USER_AGENT } from './scrape-loop.ts';
import type { ScrapeLoopOptions, ScrapeTimers } from './scrape-loop.ts';
import type { Appender } from '../../store/types.ts';
import { FakeTarget, ManualClock, RecordingStorage, dump } from './test-helpers.ts';

const T0 = 1_700_000_000_000;

let target: FakeTarget;
const loops: ScrapeLoop[] = [];

before(async () => {
  target = await FakeTarget.start();
});
after(async () => {
  await target.close();
});
afterEach(async () => {
  for (const loop of loops.splice(0)) await loop.stop({ staleMarkers: false });
  target.body = '';
  target.status = 200;
  target.gzip = false;
  target.handler = null;
  target.contentType = 'text/plain; version=0.0.4; charset=utf-8';
  target.requests.length = 0;
});

function setup(overrides: Partial<ScrapeLoopOptions> = {}) {
  const storage = new RecordingStorage();
  const clock = new ManualClock(T0);
  const counters = newScrapeCounters();
  const loop = new ScrapeLoop({
    url: target.url,
    targetLabels: labelsFromRecord({ job: 'test', instance: target.address }),
    intervalMs: 15_000,
    timeoutMs: 5_000,
    storage,
    clock,
    counters,
    ...overrides,
  });
  loops.push(loop);
  return { loop, storage, clock, counters };
}

function series(name: string, extra: Record<string, string> = {}): string {
  const labels = { ...extra, instance: target.address, job: 'test' };
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k as keyof typeof labels])}`);
  return `${name}{${parts.join(', ')}}`;
}

describe('ScrapeLoop', () => {
  it('appends samples with the target labels and the report series at the scrape time', async () => {
    const { loop, storage, clock } = setup();
    target.body = '# HELP a An a.\n# TYPE a counter\na 1\nb{x="y"} 2.5\n';
    await loop.scrapeOnce();
    let data = dump(storage);
    assert.deepEqual(data.get(series('a')), [[T0, 1]]);
    assert.deepEqual(data.get(series('b', { x: 'y' })), [[T0, 2.5]]);
    assert.deepEqual(data.get(series('up')), [[T0, 1]]);
    assert.deepEqual(data.get(series('scrape_samples_scraped')), [[T0, 2]]);
    assert.deepEqual(data.get(series('scrape_samples_post_metric_relabeling')), [[T0, 2]]);
    assert.deepEqual(data.get(series('scrape_series_added')), [[T0, 2]]);
    const [[, duration]] = data.get(series('scrape_duration_seconds')) as [number, number][];
    assert.ok(duration >= 0 && duration < 5);
    assert.equal(data.size, 7);

    clock.t = T0 + 15_000;
    await loop.scrapeOnce();
    data = dump(storage);
    assert.deepEqual(data.get(series('scrape_series_added')), [
      [T0, 2],
      [T0 + 15_000, 0],
    ]);
    const status = loop.status();
    assert.equal(status.health, 'up');
    assert.equal(status.lastError, '');
    assert.equal(status.lastScrape, T0 + 15_000);
  });

  it('sends the Prometheus request headers', async () => {
    const { loop } = setup({ timeoutMs: 2_500 });
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    const headers = target.requests[0].headers;
    assert.equal(headers.accept, SCRAPE_ACCEPT_HEADER);
    assert.equal(headers['accept-encoding'], 'gzip');
    assert.equal(headers['x-prometheus-scrape-timeout-seconds'], '2.5');
    assert.equal(headers['user-agent'], USER_AGENT);
    assert.match(USER_AGENT, /^Vigil\/\d/);
  });

  it('reports health unknown before the first scrape', () => {
    const { loop } = setup();
    assert.deepEqual(loop.status(), { health: 'unknown', lastError: '', lastScrape: null, lastScrapeDurationSeconds: 0 });
  });

  it('honor_labels false renames conflicting scraped labels to exported_*', async () => {
    const { loop, storage } = setup();
    target.body = 'a{job="scraped",exported_job="other",instance="i"} 1\nb{job=""} 2\n';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.deepEqual(
      data.get(`a{exported_exported_job="scraped", exported_instance="i", exported_job="other", instance="${target.address}", job="test"}`),
      [[T0, 1]],
    );
    // An empty scraped value is an absent label: no conflict.
    assert.deepEqual(data.get(series('b')), [[T0, 2]]);
  });

  it('honor_labels true keeps the scraped values and adds the missing target labels', async () => {
    const { loop, storage } = setup({ honorLabels: true });
    target.body = 'a{job="scraped"} 1\n';
    await loop.scrapeOnce();
    assert.deepEqual(dump(storage).get(`a{instance="${target.address}", job="scraped"}`), [[T0, 1]]);
  });

  it('metric_relabel_configs drop series and relabel the rest', async () => {
    const { loop, storage } = setup({
      metricRelabelConfigs: [
        relabelConfig({ sourceLabels: ['__name__'], regex: 'drop_.*', action: 'drop' }),
        relabelConfig({ sourceLabels: ['x'], targetLabel: 'y', replacement: 'from_$1' }),
      ],
    });
    target.body = 'drop_me 1\ndrop_me_too{a="b"} 2\nkeep{x="1"} 3\n';
    await loop.scrapeOnce();
    await loop.scrapeOnce(); // the second time the dropped texts come from the cache
    const data = dump(storage);
    assert.deepEqual(data.get(series('keep', { x: '1', y: 'from_1' })), [[T0, 3]]);
    assert.equal([...data.keys()].some((k) => k.startsWith('drop_')), false);
    assert.deepEqual(data.get(series('scrape_samples_scraped')), [[T0, 3]]);
    assert.deepEqual(data.get(series('scrape_samples_post_metric_relabeling')), [[T0, 1]]);
  });

  it('honors exposed timestamps unless honor_timestamps is false', async () => {
    target.body = 'a 1 1600000000000\n';
    const honored = setup();
    await honored.loop.scrapeOnce();
    assert.deepEqual(dump(honored.storage).get(series('a')), [[1_600_000_000_000, 1]]);
    const ignored = setup({ honorTimestamps: false });
    await ignored.loop.scrapeOnce();
    assert.deepEqual(dump(ignored.storage).get(series('a')), [[T0, 1]]);
  });

  it('writes the exact stale NaN for series that disappear', async () => {
    const { loop, storage, clock } = setup();
    target.body = 'a 1\nb 2\nc 3 1600000000000\n';
    await loop.scrapeOnce();
    clock.t = T0 + 15_000;
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.deepEqual(data.get(series('a')), [
      [T0, 1],
      [T0 + 15_000, 1],
    ]);
    const b = data.get(series('b')) as [number, number][];
    assert.equal(b.length, 2);
    assert.equal(b[1][0], T0 + 15_000);
    assert.ok(Number.isNaN(b[1][1]));
    assert.ok(storage.staleAt(series('b'), T0 + 15_000), `stale marker bits ${storage.bits.get(series('b'))?.get(T0 + 15_000)?.toString(16)}`);
    // Series with explicit timestamps are not tracked for staleness by default.
    assert.deepEqual(data.get(series('c')), [[1_600_000_000_000, 3]]);
  });

  it('track_timestamps_staleness marks series with explicit timestamps stale too', async () => {
    const { loop, storage, clock } = setup({ trackTimestampsStaleness: true });
    target.body = 'c 3 1600000000000\n';
    await loop.scrapeOnce();
    clock.t = T0 + 15_000;
    target.body = '';
    await loop.scrapeOnce();
    const c = dump(storage).get(series('c')) as [number, number][];
    assert.equal(c.length, 2);
    assert.equal(c[1][0], T0 + 15_000);
    assert.ok(storage.staleAt(series('c'), T0 + 15_000));
  });

  it('a failed scrape reports up 0 and marks every series of the last successful scrape stale, once', async () => {
    const { loop, storage, clock, counters } = setup();
    target.body = 'a 1\nb 2\n';
    await loop.scrapeOnce();
    target.status = 500;
    clock.t = T0 + 15_000;
    await loop.scrapeOnce();
    clock.t = T0 + 30_000;
    await loop.scrapeOnce();
    const data = dump(storage);
    for (const name of ['a', 'b']) {
      const points = data.get(series(name)) as [number, number][];
      assert.equal(points.length, 2, name);
      assert.equal(points[1][0], T0 + 15_000);
      assert.ok(storage.staleAt(series(name), T0 + 15_000));
    }
    assert.deepEqual(data.get(series('up')), [
      [T0, 1],
      [T0 + 15_000, 0],
      [T0 + 30_000, 0],
    ]);
    assert.deepEqual(data.get(series('scrape_samples_scraped'))?.[1], [T0 + 15_000, 0]);
    const status = loop.status();
    assert.equal(status.health, 'down');
    assert.equal(status.lastError, 'server returned HTTP status 500 Internal Server Error');
    assert.equal(counters.failures.http, 2);

    // Recovery: the series come back.
    target.status = 200;
    clock.t = T0 + 45_000;
    await loop.scrapeOnce();
    assert.deepEqual(dump(storage).get(series('a'))?.[2], [T0 + 45_000, 1]);
    assert.equal(loop.status().health, 'up');
  });

  it('a refused connection fails the scrape', async () => {
    const { loop, storage } = setup({ url: 'http://127.0.0.1:1/metrics' });
    await loop.scrapeOnce();
    assert.equal(loop.status().health, 'down');
    assert.match(loop.status().lastError, /^Get "http:\/\/127\.0\.0\.1:1\/metrics": .*ECONNREFUSED/);
    assert.deepEqual(dump(storage).get(series('up')), [[T0, 0]]);
  });

  it('stop() writes stale markers for the series and the report series at the stop time', async () => {
    const { loop, storage, clock } = setup();
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    clock.t = T0 + 5_000;
    await loop.stop();
    const data = dump(storage);
    for (const name of ['a', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      const points = data.get(series(name)) as [number, number][];
      assert.equal(points.length, 2, name);
      assert.equal(points[1][0], T0 + 5_000);
      assert.ok(storage.staleAt(series(name), T0 + 5_000), name);
    }
    // Stopped loops do not scrape.
    await loop.scrapeOnce();
    assert.equal(target.requests.length, 1);
  });

  it('stop() without a scrape writes nothing', async () => {
    const { loop, storage } = setup();
    await loop.stop();
    assert.equal(dump(storage).size, 0);
  });

  it('sample_limit: exceeding it fails the whole scrape', async () => {
    const { loop, storage, clock, counters } = setup({ sampleLimit: 2 });
    target.body = 'a 1\nb 2\n';
    await loop.scrapeOnce();
    clock.t = T0 + 15_000;
    target.body = 'a 1\nb 2\nc 3\n';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.equal(data.has(series('c')), false);
    assert.ok(storage.staleAt(series('a'), T0 + 15_000));
    assert.deepEqual(data.get(series('up'))?.[1], [T0 + 15_000, 0]);
    assert.deepEqual(data.get(series('scrape_samples_scraped'))?.[1], [T0 + 15_000, 3]);
    assert.equal(loop.status().lastError, 'sample limit exceeded');
    assert.equal(counters.sampleLimitExceeded, 1);
    assert.equal(counters.failures.sample_limit, 1);
  });

  it('label limits fail the scrape with the reason', async () => {
    const { loop, counters } = setup({ labelLimit: 3 });
    target.body = 'a{x="1",y="2"} 1\n';
    await loop.scrapeOnce();
    assert.equal(loop.status().lastError, 'label_limit exceeded (metric: a, number of labels: 5, limit: 3)');
    assert.equal(counters.labelLimitExceeded, 1);
    // Like Prometheus, every name counts, __name__ (8 bytes) included.
    const names = setup({ labelNameLengthLimit: 8 });
    target.body = 'a{toolong_x="1"} 1\n';
    await names.loop.scrapeOnce();
    assert.equal(names.loop.status().lastError, 'label_name_length_limit exceeded (metric: a, label name: toolong_x, length: 9, limit: 8)');
    // Target labels count too (instance is 15 bytes here).
    const values = setup({ labelValueLengthLimit: 20 });
    target.body = `a{x="${'v'.repeat(21)}"} 1\n`;
    await values.loop.scrapeOnce();
    assert.equal(
      values.loop.status().lastError,
      `label_value_length_limit exceeded (metric: a, label name: x, value: "${'v'.repeat(21)}", length: 21, limit: 20)`,
    );
  });

  it('a malformed body fails the scrape with the parser line and nothing of it is stored', async () => {
    const { loop, storage, counters } = setup();
    target.body = 'good 1\nbad{ 2\n';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.equal(data.has(series('good')), false);
    assert.deepEqual(data.get(series('up')), [[T0, 0]]);
    assert.deepEqual(data.get(series('scrape_samples_scraped')), [[T0, 1]]);
    assert.match(loop.status().lastError, /^line 2: /);
    assert.equal(counters.failures.parse, 1);
  });

  it('decompresses gzip bodies', async () => {
    const { loop, storage } = setup();
    target.gzip = true;
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    assert.deepEqual(dump(storage).get(series('a')), [[T0, 1]]);
    assert.equal(loop.status().health, 'up');
  });

  it('asks for identity encoding when compression is disabled', async () => {
    const { loop } = setup({ enableCompression: false });
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    assert.equal(target.requests[0].headers['accept-encoding'], 'identity');
  });

  it('body_size_limit counts decompressed bytes and fails at the limit', async () => {
    const body = 'a 1\nb 2\n'; // 8 bytes
    for (const gzip of [false, true]) {
      target.gzip = gzip;
      target.body = body;
      const { loop, storage, counters } = setup({ bodySizeLimit: 8, extraScrapeMetrics: true });
      await loop.scrapeOnce();
      assert.equal(loop.status().lastError, 'body size limit exceeded');
      assert.equal(counters.bodySizeLimitExceeded, 1);
      assert.deepEqual(dump(storage).get(series('scrape_body_size_bytes')), [[T0, -1]]);
      const ok = setup({ bodySizeLimit: 9 });
      await ok.loop.scrapeOnce();
      assert.equal(ok.loop.status().health, 'up');
    }
  });

  it('extra_scrape_metrics adds timeout, sample limit and body size', async () => {
    const { loop, storage } = setup({ extraScrapeMetrics: true, sampleLimit: 10, timeoutMs: 3_000 });
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.deepEqual(data.get(series('scrape_timeout_seconds')), [[T0, 3]]);
    assert.deepEqual(data.get(series('scrape_sample_limit')), [[T0, 10]]);
    assert.deepEqual(data.get(series('scrape_body_size_bytes')), [[T0, 4]]);
  });

  it('basic auth and bearer credentials, files read at every scrape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-auth-'));
    try {
      const basic = setup({ basicAuth: { username: 'user', passwordFile: join(dir, 'pw') } });
      writeFileSync(join(dir, 'pw'), 'secret\n');
      target.body = 'a 1\n';
      await basic.loop.scrapeOnce();
      assert.equal(target.requests[0].headers.authorization, `Basic ${Buffer.from('user:secret').toString('base64')}`);

      const bearer = setup({ authorization: { type: 'Bearer', credentialsFile: join(dir, 'token') } });
      writeFileSync(join(dir, 'token'), 'one');
      await bearer.loop.scrapeOnce();
      writeFileSync(join(dir, 'token'), 'two\n');
      await bearer.loop.scrapeOnce();
      assert.equal(target.requests[1].headers.authorization, 'Bearer one');
      assert.equal(target.requests[2].headers.authorization, 'Bearer two');

      const missing = setup({ authorization: { type: 'Bearer', credentialsFile: join(dir, 'nope') } });
      await missing.loop.scrapeOnce();
      assert.equal(missing.loop.status().health, 'down');
      assert.match(missing.loop.status().lastError, /unable to read authorization credentials file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('custom http_headers are sent', async () => {
    const { loop } = setup({ httpHeaders: { 'X-Tenant': { values: ['a'], secrets: ['b'], files: [] } } });
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    assert.equal(target.requests[0].headers['x-tenant'], 'a, b');
  });

  it('times out a target that does not answer', async () => {
    const { loop, storage, counters } = setup({ timeoutMs: 30 });
    target.handler = () => {
      // never answers
    };
    await loop.scrapeOnce();
    assert.equal(loop.status().health, 'down');
    assert.equal(loop.status().lastError, `Get "${target.url}": context deadline exceeded`);
    assert.equal(counters.failures.timeout, 1);
    assert.deepEqual(dump(storage).get(series('up')), [[T0, 0]]);
  });

  it('times out a body that stalls', async () => {
    const { loop } = setup({ timeoutMs: 30 });
    target.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a 1\n');
    };
    await loop.scrapeOnce();
    assert.equal(loop.status().lastError, `Get "${target.url}": context deadline exceeded`);
  });

  it('follows redirects', async () => {
    const { loop, storage } = setup();
    target.handler = (req, res) => {
      if (req.url === '/metrics') {
        res.writeHead(302, { location: '/other' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('a 1\n');
      }
    };
    await loop.scrapeOnce();
    assert.deepEqual(dump(storage).get(series('a')), [[T0, 1]]);
    const strict = setup({ followRedirects: false });
    await strict.loop.scrapeOnce();
    assert.equal(strict.loop.status().lastError, 'server returned HTTP status 302 Found');
  });

  it('Content-Type: OpenMetrics is parsed as such; blank or unknown fails unless a fallback is set', async () => {
    target.contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    target.body = '# TYPE a gauge\na 1\n# EOF\n';
    const om = setup();
    await om.loop.scrapeOnce();
    assert.deepEqual(dump(om.storage).get(series('a')), [[T0, 1]]);

    target.contentType = null;
    target.body = 'a 1\n';
    const blank = setup();
    await blank.loop.scrapeOnce();
    assert.equal(blank.loop.status().lastError, 'non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target');
    const fallback = setup({ fallbackScrapeProtocol: 'PrometheusText0.0.4' });
    await fallback.loop.scrapeOnce();
    assert.equal(fallback.loop.status().health, 'up');

    target.contentType = 'application/json';
    const unknown = setup();
    await unknown.loop.scrapeOnce();
    assert.equal(unknown.loop.status().lastError, 'received unsupported Content-Type "application/json" and no fallback_scrape_protocol specified for target');
  });

  it('an empty body is a successful scrape that marks everything stale', async () => {
    const { loop, storage, clock } = setup();
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    clock.t = T0 + 15_000;
    target.body = '';
    await loop.scrapeOnce();
    const data = dump(storage);
    assert.ok(storage.staleAt(series('a'), T0 + 15_000));
    assert.deepEqual(data.get(series('up'))?.[1], [T0 + 15_000, 1]);
  });

  it('duplicate and out-of-order samples are counted, not fatal', async () => {
    const { loop, storage, clock, counters } = setup();
    target.body = 'a 1\na 2\nb 1 1600000000000\n';
    await loop.scrapeOnce();
    assert.equal(counters.duplicateTimestamp, 1);
    clock.t = T0 + 15_000;
    target.body = 'a 1\nb 1 1500000000000\n';
    await loop.scrapeOnce();
    assert.equal(counters.outOfOrder, 1);
    assert.equal(loop.status().health, 'up');
    const data = dump(storage);
    assert.deepEqual(data.get(series('a')), [
      [T0, 1],
      [T0 + 15_000, 1],
    ]);
    assert.deepEqual(data.get(series('scrape_samples_post_metric_relabeling')), [
      [T0, 3],
      [T0 + 15_000, 2],
    ]);
  });

  it('refuses samples too far in the future as out of bounds', async () => {
    const { loop, storage, counters } = setup();
    target.body = `a 1 ${T0 + 11 * 60_000}\nb 2\n`;
    await loop.scrapeOnce();
    assert.equal(counters.outOfBounds, 1);
    assert.equal(dump(storage).has(series('a')), false);
    assert.equal(loop.status().health, 'up');
  });

  it('a missing metric name after relabeling fails the scrape', async () => {
    const { loop } = setup({ metricRelabelConfigs: [relabelConfig({ regex: '__name__', action: 'labeldrop' })] });
    target.body = 'a{x="1"} 1\n';
    await loop.scrapeOnce();
    assert.equal(loop.status().lastError, 'missing metric name (__name__ label)');
  });

  it('legacy name validation refuses UTF-8 names', async () => {
    target.body = '{"my.metric"} 1\n';
    const legacy = setup({ metricNameValidationScheme: 'legacy' });
    await legacy.loop.scrapeOnce();
    assert.match(legacy.loop.status().lastError, /^invalid metric name or label names: /);
    const utf8 = setup();
    await utf8.loop.scrapeOnce();
    assert.equal(utf8.loop.status().health, 'up');
    assert.ok(dump(utf8.storage).has(series('my.metric')));
  });

  it('a forced error fails every scrape without a request', async () => {
    const { loop, storage, clock } = setup();
    target.body = 'a 1\n';
    await loop.scrapeOnce();
    loop.setForcedError(new ScrapeError('target_limit', 'target_limit exceeded (number of targets: 2, limit: 1)'));
    clock.t = T0 + 15_000;
    await loop.scrapeOnce();
    assert.equal(target.requests.length, 1);
    assert.equal(loop.status().lastError, 'target_limit exceeded (number of targets: 2, limit: 1)');
    assert.equal(dump(storage).get(series('a'))?.length, 2);
    assert.ok(storage.staleAt(series('a'), T0 + 15_000));
  });

  it('storage commit failures are counted and do not break the loop', async () => {
    const { loop, storage, counters } = setup();
    target.body = 'a 1\n';
    storage.failCommits = new Error('disk full');
    await loop.scrapeOnce();
    assert.equal(counters.commitFailures, 1);
    storage.failCommits = null;
    await loop.scrapeOnce();
    assert.equal(dump(storage).get(series('a'))?.length, 1);
  });

  it('start() schedules the first scrape at the offset within the interval, then every interval', async () => {
    const scheduled: { fn: () => void; ms: number }[] = [];
    const timers: ScrapeTimers = {
      setTimeout(fn, ms) {
        scheduled.push({ fn, ms });
        return scheduled.length;
      },
      clearTimeout() {},
    };
    const { loop, storage, clock } = setup({ timers, offsetMs: 4_000, intervalMs: 10_000 });
    clock.t = 1_000_000_003_000; // 3 s into a 10 s slot → first scrape 1 s later
    target.body = 'a 1\n';
    loop.start();
    assert.equal(scheduled.length, 1);
    assert.equal(scheduled[0].ms, 1_000);
    clock.t = 1_000_000_004_001; // 1 ms late: within the tolerance, written at the slot
    scheduled[0].fn();
    assert.equal(scheduled.length, 2);
    assert.equal(scheduled[1].ms, 9_999);
    await new Promise((resolve) => setImmediate(resolve));
    await loop.stop({ staleMarkers: false });
    assert.deepEqual(dump(storage).get(series('a')), [[1_000_000_004_000, 1]]);
  });

  it('idle() resolves once the scrape a timer started has been appended', async () => {
    const scheduled: (() => void)[] = [];
    const timers: ScrapeTimers = {
      setTimeout(fn) {
        scheduled.push(fn);
        return scheduled.length;
      },
      clearTimeout() {},
    };
    const { loop, storage, clock } = setup({ timers, offsetMs: 0, intervalMs: 10_000 });
    clock.t = 1_000_000_000_000;
    target.body = 'a 1\n';
    loop.start();
    clock.t = 1_000_000_010_000;
    scheduled[0]();
    assert.equal(dump(storage).get(series('a')), undefined, 'the scrape is still on the wire');
    await loop.idle();
    assert.deepEqual(dump(storage).get(series('a')), [[1_000_000_010_000, 1]]);
  });

  it('scrapes over TLS with a custom CA', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-tls-'));
    try {
      try {
        execFileSync(
          'openssl',
          ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'],
          { stdio: 'ignore' },
        );
      } catch {
        t.skip('openssl not available');
        return;
      }
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
        if (req.url === '/never') return;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('a 1\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      try {
        const trusted = setup({ url, tls: { caFile: join(dir, 'cert.pem'), insecureSkipVerify: false } });
        await trusted.loop.scrapeOnce();
        assert.equal(trusted.loop.status().health, 'up', trusted.loop.status().lastError);
        const untrusted = setup({ url, tls: { insecureSkipVerify: false } });
        await untrusted.loop.scrapeOnce();
        assert.equal(untrusted.loop.status().health, 'down');
        const insecure = setup({ url, tls: { insecureSkipVerify: true } });
        await insecure.loop.scrapeOnce();
        assert.equal(insecure.loop.status().health, 'up');
        // The timeout reaches Node's https client through an AbortSignal made for that scrape only.
        const never = url.replace('/metrics', '/never');
        const silent = setup({ url: never, timeoutMs: 200, tls: { insecureSkipVerify: true } });
        await silent.loop.scrapeOnce();
        assert.equal(silent.loop.status().lastError, `Get "${never}": context deadline exceeded`);
        assert.equal(silent.counters.failures.timeout, 1);
        for (const loop of loops.splice(0)) await loop.stop({ staleMarkers: false });
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ScrapeLoop with large bodies (parsed in pieces)', () => {
  it('reads every sample of a body cut into many pieces, keeping TYPE context and raw newlines in values', async () => {
    const lines: string[] = ['# TYPE h histogram'];
    for (let i = 0; i < 3000; i++) lines.push(`h_bucket{le="${i}",pod="pod-${i}-${'x'.repeat(20)}"} ${i}`);
    // A label value with a raw newline (the text format tolerates it) somewhere past the first cut.
    lines.push('odd{v="line one', 'line two"} 7');
    for (let i = 0; i < 2000; i++) lines.push(`g{i="${i}"} ${i / 4}`);
    target.body = lines.join('\n') + '\n';
    assert.ok(target.body.length > 200_000, 'several pieces');
    const { loop, storage } = setup();
    await loop.scrapeOnce();
    assert.equal(loop.status().lastError, '');
    const data = dump(storage);
    // le="12" becomes "12.0" after a histogram TYPE even in the last pieces.
    assert.deepEqual(data.get(series('h_bucket', { le: '2999.0', pod: `pod-2999-${'x'.repeat(20)}` })), [[T0, 2999]]);
    assert.deepEqual(data.get(series('odd', { v: 'line one\nline two' })), [[T0, 7]]);
    assert.deepEqual(data.get(series('g', { i: '1999' })), [[T0, 1999 / 4]]);
    assert.equal([...data.keys()].filter((k) => k.startsWith('h_bucket') || k.startsWith('g{') || k.startsWith('odd')).length, 5001);
  });

  it('bodies of several chunks, one after another in one loop, each read whole (plain and gzip)', async () => {
    const { loop, storage, clock } = setup();
    const body = (lines: number, round: number) => Array.from({ length: lines }, (_, i) => `m{i="${i}",pad="${'z'.repeat(40)}"} ${round * 100_000 + i}`).join('\n') + '\n';
    const sizes = [4000, 2500, 6000, 3000];
    for (const [round, lines] of sizes.entries()) {
      clock.t = T0 + round * 15_000;
      target.gzip = round % 2 === 1;
      target.body = body(lines, round);
      await loop.scrapeOnce();
      assert.equal(loop.status().lastError, '');
    }
    const data = dump(storage);
    for (const i of [0, 2499, 2999, 5999]) {
      const points = data.get(series('m', { i: String(i), pad: 'z'.repeat(40) })) ?? [];
      for (const [t, v] of points) {
        const round = (t - T0) / 15_000;
        if (i < sizes[round]) assert.equal(v, round * 100_000 + i, `i=${i} round ${round}`);
        else assert.ok(Number.isNaN(v), `i=${i} round ${round} stale`);
      }
      // A sample in every round that has the series, a stale marker in a round right after one that had it.
      const expected = sizes.filter((n, round) => i < n || (round > 0 && i < sizes[round - 1])).length;
      assert.equal(points.length, expected, `i=${i}`);
    }
  });

  it('names the right line of an error in a later piece, and refuses data after # EOF', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(`m{i="${i}",pad="${'y'.repeat(30)}"} ${i}`);
    lines.push('m{i="bad" 1');
    target.body = lines.join('\n') + '\n';
    const { loop } = setup();
    await loop.scrapeOnce();
    assert.match(loop.status().lastError, /^line 5001: /);

    const om: string[] = [];
    for (let i = 0; i < 5000; i++) om.push(`m_total{i="${i}",pad="${'y'.repeat(30)}"} ${i}`);
    target.contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    target.body = om.join('\n') + '\n# EOF\n';
    const good = setup();
    await good.loop.scrapeOnce();
    assert.equal(good.loop.status().lastError, '');
    assert.equal([...dump(good.storage).keys()].filter((k) => k.startsWith('m_total')).length, 5000);

    target.body = '# EOF\n' + om.join('\n') + '\n';
    const late = setup();
    await late.loop.scrapeOnce();
    assert.match(late.loop.status().lastError, /unexpected data after # EOF/);
    target.body = om.join('\n') + '\n';
    const missing = setup();
    await missing.loop.scrapeOnce();
    assert.match(missing.loop.status().lastError, /does not end with # EOF/);
  });
});

describe('ScrapeLoop series cache', () => {
  it('series reordered, inserted or removed between scrapes keep their values; only the removed go stale', async () => {
    const { loop, storage, clock } = setup();
    target.body = 'a{i="1"} 1\nb{i="2"} 2\nc{i="3"} 3\nd{i="4"} 4\n';
    await loop.scrapeOnce();
    for (const [t, body] of [
      [T0 + 15_000, 'd{i="4"} 40\na{i="1"} 10\nx{i="9"} 90\nc{i="3"} 30\n'],
      [T0 + 30_000, 'd{i="4"} 41\na{i="1"} 11\nx{i="9"} 91\nc{i="3"} 31\n'],
      [T0 + 45_000, 'a{i="1"} 12\nb{i="2"} 22\nc{i="3"} 32\nd{i="4"} 42\nx{i="9"} 92\n'],
    ] as const) {
      clock.t = t;
      target.body = body;
      await loop.scrapeOnce();
    }
    const data = dump(storage);
    assert.deepEqual(data.get(series('a', { i: '1' })), [[T0, 1], [T0 + 15_000, 10], [T0 + 30_000, 11], [T0 + 45_000, 12]]);
    assert.deepEqual(data.get(series('d', { i: '4' })), [[T0, 4], [T0 + 15_000, 40], [T0 + 30_000, 41], [T0 + 45_000, 42]]);
    assert.deepEqual(data.get(series('x', { i: '9' })), [[T0 + 15_000, 90], [T0 + 30_000, 91], [T0 + 45_000, 92]]);
    const b = data.get(series('b', { i: '2' })) as [number, number][];
    assert.deepEqual([b[0], b[2]], [[T0, 2], [T0 + 45_000, 22]]);
    assert.ok(storage.staleAt(series('b', { i: '2' }), T0 + 15_000));
    assert.equal(b.length, 3);
    // b was flushed from the cache when it vanished, so it counts as added again.
    assert.deepEqual(data.get(series('scrape_series_added'))?.map(([, v]) => v), [4, 1, 0, 1]);
  });

  it('a series written under two texts goes stale once, and only when neither text is written', async () => {
    const staleAppends = new Map<string, number>();
    const recording = new RecordingStorage();
    const storage = {
      ...recording,
      querier: recording.querier.bind(recording),
      appender(): Appender {
        const inner = recording.appender();
        return {
          append(ref, labels, sample) {
            const result = inner.append(ref, labels, sample);
            if (result > 0 && sample.kind === 'float' && isStaleNaN(sample.value)) staleAppends.set(String(sample.timestamp), (staleAppends.get(String(sample.timestamp)) ?? 0) + 1);
            return result;
          },
          commit: () => inner.commit(),
          rollback: () => inner.rollback(),
        };
      },
    } as unknown as RecordingStorage;
    // Dropping label x makes a{x="1"} and a{x="2"} one series; with track_timestamps_staleness both texts are tracked.
    const { loop, clock } = setup({ storage, trackTimestampsStaleness: true, metricRelabelConfigs: [relabelConfig({ action: 'labeldrop', regex: 'x' })] });
    target.body = `a{x="1"} 1 ${T0 - 2000}\na{x="2"} 2 ${T0 - 1000}\n`;
    await loop.scrapeOnce();
    clock.t = T0 + 15_000;
    target.body = `a{x="2"} 3 ${T0 + 14_000}\n`;
    await loop.scrapeOnce();
    assert.equal(staleAppends.size, 0, 'still written under its other text');
    clock.t = T0 + 30_000;
    target.body = `a{x="1"} 4 ${T0 + 28_000}\na{x="2"} 5 ${T0 + 29_000}\n`;
    await loop.scrapeOnce();
    clock.t = T0 + 45_000;
    target.body = 'other 1\n';
    await loop.scrapeOnce();
    assert.deepEqual([...staleAppends], [[String(T0 + 45_000), 1]]);
    assert.ok(recording.staleAt(series('a'), T0 + 45_000));
  });

  it('a cached text is checked again when the target switches between the text format and OpenMetrics', async () => {
    const { loop, storage, clock } = setup();
    // A blank after the comma is valid in the text format only.
    target.body = 'a{x="1", y="2"} 1\n';
    await loop.scrapeOnce();
    assert.equal(loop.status().health, 'up');
    clock.t = T0 + 15_000;
    target.contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    target.body = 'a{x="1", y="2"} 2\n# EOF\n';
    await loop.scrapeOnce();
    assert.match(loop.status().lastError, /^line 1: expected label name/);
    clock.t = T0 + 30_000;
    target.body = 'a{x="1",y="2"} 3\n# EOF\n';
    await loop.scrapeOnce();
    clock.t = T0 + 45_000;
    await loop.scrapeOnce();
    const points = dump(storage).get(series('a', { x: '1', y: '2' })) as [number, number][];
    assert.deepEqual([points[0], points[2], points[3]], [[T0, 1], [T0 + 30_000, 3], [T0 + 45_000, 3]]);
  });

  it('a reused cache follows a target whose series order changes every scrape', async () => {
    const { loop, storage, clock } = setup();
    const names = Array.from({ length: 50 }, (_, i) => `m{i="${i}"}`);
    for (let round = 0; round < 6; round++) {
      clock.t = T0 + round * 15_000;
      const order = names.map((_, i) => (i * (round + 1) * 7) % names.length);
      target.body = [...new Set(order)].map((i) => `${names[i]} ${round * 100 + i}`).join('\n') + '\n';
      await loop.scrapeOnce();
      assert.equal(loop.status().lastError, '');
    }
    const data = dump(storage);
    for (let i = 0; i < names.length; i++) {
      const points = data.get(series('m', { i: String(i) })) ?? [];
      for (const [t, v] of points) if (!Number.isNaN(v)) assert.equal(v, ((t - T0) / 15_000) * 100 + i, names[i]);
    }
  });
});
