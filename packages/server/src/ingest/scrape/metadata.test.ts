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
