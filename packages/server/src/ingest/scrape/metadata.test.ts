import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { labelsFromRecord } from '../../model/index.ts';
import { ScrapeLoop } from './scrape-loop.ts';
import { FakeTarget, ManualClock, RecordingStorage } from './test-helpers.ts';

let target: FakeTarget;
before(async () => {
  target = await FakeTarget.start();
});
after(async () => {
  await target.close();
});

test('a scrape loop keeps the TYPE, HELP and UNIT of its last successful scrape', async () => {
  const loop = new ScrapeLoop({
    url: target.url,
    targetLabels: labelsFromRecord({ job: 'test', instance: target.address }),
    intervalMs: 15_000,
    timeoutMs: 5_000,
    storage: new RecordingStorage(),
    clock: new ManualClock(1_700_000_000_000),
  });
  try {
    target.body = '# HELP http_requests_total Requests \\\\ served.\n# TYPE http_requests_total counter\nhttp_requests_total 1\n# TYPE temp untyped\ntemp 2\n';
    await loop.scrapeOnce();
    assert.deepEqual([...loop.listMetadata()], [
      { metricFamily: 'http_requests_total', type: 'counter', help: 'Requests \\ served.', unit: '' },
      { metricFamily: 'temp', type: 'unknown', help: '', unit: '' },
    ]);
    // A failed scrape keeps what was known; the next good one replaces it.
    target.body = '# TYPE broken gauge\nbroken{ 1\n';
    await loop.scrapeOnce();
    assert.equal([...loop.listMetadata()].length, 2);
    target.body = '# TYPE only gauge\nonly 1\n';
    await loop.scrapeOnce();
    assert.deepEqual([...loop.listMetadata()], [{ metricFamily: 'only', type: 'gauge', help: '', unit: '' }]);
  } finally {
    await loop.stop({ staleMarkers: false });
  }
});

test('metadata follows each successful scrape: unchanged, changed midway, shortened, extended, other format', async () => {
  const loop = new ScrapeLoop({
    url: target.url,
    targetLabels: labelsFromRecord({ job: 'test', instance: target.address }),
    intervalMs: 15_000,
    timeoutMs: 5_000,
    storage: new RecordingStorage(),
    clock: new ManualClock(1_700_000_000_000),
  });
  const families = (help2: string, count = 3) =>
    [
      '# HELP a First.\n# TYPE a gauge\na 1\n',
      `# HELP b ${help2}\n# TYPE b counter\nb_total 1\n`,
      '# HELP c Third \\"quoted\\".\n# TYPE c untyped\nc 1\n',
      '# HELP d Fourth.\n# TYPE d gauge\nd 1\n',
    ]
      .slice(0, count)
      .join('');
  const scrape = async (body: string) => {
    target.body = body;
    await loop.scrapeOnce();
    return [...loop.listMetadata()].map((m) => `${m.metricFamily}|${m.type}|${m.help}|${m.unit}`);
  };
  try {
    const first = ['a|gauge|First.|', 'b|counter|Second.|', 'c|unknown|Third \\"quoted\\".|'];
    assert.deepEqual(await scrape(families('Second.')), first);
    assert.deepEqual(await scrape(families('Second.')), first);
    assert.deepEqual(await scrape(families('Changed.')), ['a|gauge|First.|', 'b|counter|Changed.|', 'c|unknown|Third \\"quoted\\".|']);
    assert.deepEqual(await scrape(families('Changed.', 2)), ['a|gauge|First.|', 'b|counter|Changed.|']);
    assert.deepEqual(await scrape(families('Changed.', 4)), ['a|gauge|First.|', 'b|counter|Changed.|', 'c|unknown|Third \\"quoted\\".|', 'd|gauge|Fourth.|']);
    // A failed scrape keeps the metadata, even when its lines differ.
    assert.deepEqual(await scrape(`${families('Failed.', 1)}broken{ 1\n`), ['a|gauge|First.|', 'b|counter|Changed.|', 'c|unknown|Third \\"quoted\\".|', 'd|gauge|Fourth.|']);
    assert.deepEqual(await scrape(families('Changed.', 4)), ['a|gauge|First.|', 'b|counter|Changed.|', 'c|unknown|Third \\"quoted\\".|', 'd|gauge|Fourth.|']);
    // The same lines in OpenMetrics: HELP unescapes \" there.
    target.contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    assert.deepEqual(await scrape(`${families('Changed.', 3).replace('# TYPE c untyped', '# TYPE c unknown')}# EOF\n`), ['a|gauge|First.|', 'b|counter|Changed.|', 'c|unknown|Third "quoted".|']);
    assert.deepEqual(await scrape('# EOF\n'), []);
  } finally {
    target.contentType = 'text/plain; version=0.0.4; charset=utf-8';
    await loop.stop({ staleMarkers: false });
  }
});
