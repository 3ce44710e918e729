import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseConfig } from '../../config/index.ts';
import { labelsFromRecord } from '../../model/index.ts';
import { ScrapeManager } from './manager.ts';
import { discoveredLabels, populateLabels } from './target.ts';
import { FakeTarget, ManualClock, RecordingStorage, dump } from './test-helpers.ts';

const T0 = 1_700_000_000_000;

let a: FakeTarget;
let b: FakeTarget;
let dir: string;
const managers: ScrapeManager[] = [];

before(async () => {
  a = await FakeTarget.start();
  b = await FakeTarget.start();
  a.body = 'from_a 1\n';
  b.body = 'from_b 2\n';
  dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-manager-'));
});
after(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.stop();
});

function config(yaml: string) {
  return parseConfig(yaml, join(dir, 'prometheus.yml'));
}

function setup() {
  const storage = new RecordingStorage();
  const clock = new ManualClock(T0);
  const manager = new ScrapeManager({ storage, clock, runLoops: false, hostname: 'vigil-host' });
  managers.push(manager);
  return { storage, clock, manager };
}

describe('target labels', () => {
  it('populates discovered labels and applies relabel_configs like Prometheus', () => {
    const cfg = config(`
scrape_configs:
  - job_name: api
    scrape_interval: 30s
    params:
      module: [http_2xx, other]
    relabel_configs:
      - source_labels: [__meta_env]
        target_label: env
      - source_labels: [__address__]
        target_label: __param_target
    static_configs:
      - targets: ['host:9100']
        labels: { __meta_env: prod, team: core }
`).scrapeConfigs[0];
    assert.deepEqual(
      discoveredLabels(cfg, { __address__: 'host:9100' }, cfg.staticConfigs[0].labels),
      labelsFromRecord({
        __address__: 'host:9100',
        __meta_env: 'prod',
        __metrics_path__: '/metrics',
        __param_module: 'http_2xx',
        __scheme__: 'http',
        __scrape_interval__: '30s',
        __scrape_timeout__: '10s',
        job: 'api',
        team: 'core',
      }),
    );
    const result = populateLabels(cfg, { __address__: 'host:9100' }, cfg.staticConfigs[0].labels);
    assert.equal(result.kind, 'active');
    if (result.kind !== 'active') return;
    assert.deepEqual(result.target.publicLabels, labelsFromRecord({ env: 'prod', instance: 'host:9100', job: 'api', team: 'core' }));
    assert.equal(result.target.url, 'http://host:9100/metrics?module=http_2xx&module=other&target=host%3A9100');
    assert.equal(result.target.intervalMs, 30_000);
    assert.equal(result.target.timeoutMs, 10_000);
  });

  it('refuses targets with unusable labels', () => {
    const cfg = config(`
scrape_configs:
  - job_name: x
    relabel_configs:
      - source_labels: [bad]
        regex: 'slash'
        target_label: __address__
        replacement: 'http://host'
      - source_labels: [bad]
        regex: 'interval'
        target_label: __scrape_interval__
        replacement: 'soon'
      - source_labels: [bad]
        regex: 'timeout'
        target_label: __scrape_timeout__
        replacement: '2m'
    static_configs:
      - targets: ['h:1']
`).scrapeConfigs[0];
    const errorOf = (bad: string) => {
      const r = populateLabels(cfg, { __address__: 'h:1' }, { bad });
      return r.kind === 'error' ? r.error : r.kind;
    };
    assert.equal(errorOf('slash'), '"http://host" is not a valid hostname');
    assert.equal(errorOf('interval'), 'error parsing scrape interval: not a valid duration string: "soon"');
    assert.equal(errorOf('timeout'), 'scrape timeout cannot be greater than scrape interval ("2m" > "1m")');
  });
});

describe('ScrapeManager', () => {
  it('runs static targets and reports them in the targets API shape', async () => {
    const { manager, storage } = setup();
    await manager.apply(
      config(`
scrape_configs:
  - job_name: job1
    scrape_interval: 10s
    scrape_timeout: 5s
    static_configs:
      - targets: ['${a.address}', '${b.address}']
        labels: { group: g }
`),
    );
    await manager.scrapeAll();
    const data = dump(storage);
    assert.deepEqual(data.get(`from_a{group="g", instance="${a.address}", job="job1"}`), [[T0, 1]]);
    assert.deepEqual(data.get(`from_b{group="g", instance="${b.address}", job="job1"}`), [[T0, 2]]);
    const { activeTargets, droppedTargets, droppedTargetCounts } = manager.targetsApi();
    assert.equal(activeTargets.length, 2);
    const first = activeTargets.find((t) => t.labels.instance === a.address);
    assert.deepEqual(first, {
      discoveredLabels: {
        __address__: a.address,
        __metrics_path__: '/metrics',
        __scheme__: 'http',
        __scrape_interval__: '10s',
        __scrape_timeout__: '5s',
        group: 'g',
        job: 'job1',
      },
      labels: { group: 'g', instance: a.address, job: 'job1' },
      scrapePool: 'job1',
      scrapeUrl: `http://${a.address}/metrics`,
      globalUrl: `http://vigil-host:${a.address.split(':')[1]}/metrics`,
      lastError: '',
      lastScrape: '2023-11-14T22:13:20Z',
      lastScrapeDuration: first?.lastScrapeDuration,
      health: 'up',
      scrapeInterval: '10s',
      scrapeTimeout: '5s',
    });
    assert.equal(typeof first?.lastScrapeDuration, 'number');
    assert.deepEqual(droppedTargets, []);
    assert.deepEqual(droppedTargetCounts, { job1: 0 });
  });

  it('keeps targets dropped by relabeling, bounded by keep_dropped_targets', async () => {
    const { manager } = setup();
    await manager.apply(
      config(`
scrape_configs:
  - job_name: j
    keep_dropped_targets: 1
    relabel_configs:
      - source_labels: [__address__]
        regex: 'drop.*'
        action: drop
    static_configs:
      - targets: ['${a.address}', 'drop1:1', 'drop2:2']
`),
    );
    const api = manager.targetsApi();
    assert.equal(api.activeTargets.length, 1);
    assert.equal(api.droppedTargets.length, 1);
    assert.equal(api.droppedTargets[0].discoveredLabels['__address__'], 'drop1:1');
    assert.equal(api.droppedTargets[0].scrapePool, 'j');
    assert.deepEqual(api.droppedTargetCounts, { j: 2 });
  });

  it('enforces target_limit by failing every scrape of the pool', async () => {
    const { manager, storage } = setup();
    await manager.apply(
      config(`
scrape_configs:
  - job_name: j
    target_limit: 1
    static_configs:
      - targets: ['${a.address}', '${b.address}']
`),
    );
    await manager.scrapeAll();
    for (const t of manager.activeTargets()) {
      assert.equal(t.health, 'down');
      assert.equal(t.lastError, 'target_limit exceeded (number of targets: 2, limit: 1)');
    }
    assert.equal(dump(storage).has(`from_a{instance="${a.address}", job="j"}`), false);
    assert.equal(manager.counters.targetLimitExceeded, 1);
  });

  it('reload keeps the loops of unchanged targets, replaces changed ones and stops removed ones with stale markers', async () => {
    const { manager, storage, clock } = setup();
    const yaml = (extra: string, targets: string) => `
scrape_configs:
  - job_name: j
${extra}    static_configs:
      - targets: [${targets}]
  - job_name: other
    static_configs:
      - targets: ['${b.address}']
`;
    await manager.apply(config(yaml('', `'${a.address}', '${b.address}'`)));
    await manager.scrapeAll();
    const initial = manager.activeLoops();
    assert.equal(initial.length, 3);

    // Same config: every loop stays.
    await manager.apply(config(yaml('', `'${a.address}', '${b.address}'`)));
    const same = manager.activeLoops();
    for (let i = 0; i < initial.length; i++) assert.equal(same[i].loop, initial[i].loop);

    // sample_limit changes (cache reusable) and b leaves job j.
    clock.t = T0 + 5_000;
    await manager.apply(config(yaml('    sample_limit: 100\n', `'${a.address}'`)));
    const reloaded = manager.activeLoops();
    assert.equal(reloaded.length, 2);
    const aLoop = reloaded.find((l) => l.pool === 'j');
    assert.notEqual(aLoop?.loop, initial.find((l) => l.pool === 'j' && l.url.includes(a.address))?.loop);
    assert.equal(reloaded.find((l) => l.pool === 'other')?.loop, initial.find((l) => l.pool === 'other')?.loop);

    const bInJ = `from_b{instance="${b.address}", job="j"}`;
    assert.ok(storage.staleAt(bInJ, T0 + 5_000), 'removed target marked stale');
    assert.ok(storage.staleAt(`up{instance="${b.address}", job="j"}`, T0 + 5_000));
    // The replaced loop wrote no stale markers: the series continues without a gap.
    const aInJ = `from_a{instance="${a.address}", job="j"}`;
    assert.deepEqual(dump(storage).get(aInJ), [[T0, 1]]);
    clock.t = T0 + 15_000;
    await manager.scrapeAll();
    assert.deepEqual(dump(storage).get(aInJ), [
      [T0, 1],
      [T0 + 15_000, 1],
    ]);
    // The inherited cache means the series is not new.
    assert.deepEqual(dump(storage).get(`scrape_series_added{instance="${a.address}", job="j"}`)?.[1], [T0 + 15_000, 0]);
  });

  it('a changed metric_relabel_configs starts a fresh cache but marks the vanished series stale', async () => {
    const { manager, storage, clock } = setup();
    const yaml = (relabel: string) => `
scrape_configs:
  - job_name: j
${relabel}    static_configs:
      - targets: ['${a.address}']
`;
    await manager.apply(config(yaml('')));
    await manager.scrapeAll();
    await manager.apply(
      config(
        yaml(`    metric_relabel_configs:
      - target_label: extra
        replacement: x
`),
      ),
    );
    clock.t = T0 + 15_000;
    await manager.scrapeAll();
    const old = `from_a{instance="${a.address}", job="j"}`;
    assert.ok(storage.staleAt(old, T0 + 15_000));
    assert.deepEqual(dump(storage).get(`from_a{extra="x", instance="${a.address}", job="j"}`), [[T0 + 15_000, 1]]);
  });

  it('removing a job stops its loops with stale markers', async () => {
    const { manager, storage, clock } = setup();
    await manager.apply(config(`scrape_configs:\n  - job_name: gone\n    static_configs:\n      - targets: ['${a.address}']\n`));
    await manager.scrapeAll();
    clock.t = T0 + 1_000;
    await manager.apply(config('scrape_configs: []\n'));
    assert.ok(storage.staleAt(`from_a{instance="${a.address}", job="gone"}`, T0 + 1_000));
    assert.deepEqual(manager.activeTargets(), []);
  });

  it('stop() writes no stale markers', async () => {
    const { manager, storage, clock } = setup();
    await manager.apply(config(`scrape_configs:\n  - job_name: j\n    static_configs:\n      - targets: ['${a.address}']\n`));
    await manager.scrapeAll();
    clock.t = T0 + 1_000;
    await manager.stop();
    assert.deepEqual(dump(storage).get(`from_a{instance="${a.address}", job="j"}`), [[T0, 1]]);
  });

  it('file_sd: targets follow the files on refresh; unreadable files keep their last targets', async () => {
    const { manager, storage, clock } = setup();
    const file = join(dir, 'targets.json');
    writeFileSync(file, JSON.stringify([{ targets: [a.address], labels: { env: 'prod' } }]));
    await manager.apply(
      config(`
scrape_configs:
  - job_name: fsd
    file_sd_configs:
      - files: ['targets.json']
        refresh_interval: 1h
    relabel_configs:
      - source_labels: [__meta_filepath]
        regex: '.*/(.*)'
        target_label: sd_file
`),
    );
    await manager.scrapeAll();
    assert.deepEqual(dump(storage).get(`from_a{env="prod", instance="${a.address}", job="fsd", sd_file="targets.json"}`), [[T0, 1]]);
    assert.equal(manager.activeTargets()[0].discoveredLabels['__meta_filepath'], file);

    writeFileSync(file, JSON.stringify([{ targets: [b.address], labels: { env: 'prod' } }]));
    clock.t = T0 + 2_000;
    await manager.refreshDiscovery();
    assert.deepEqual(
      manager.activeTargets().map((t) => t.labels.instance),
      [b.address],
    );
    assert.ok(storage.staleAt(`from_a{env="prod", instance="${a.address}", job="fsd", sd_file="targets.json"}`, T0 + 2_000));
    await manager.scrapeAll();
    assert.deepEqual(dump(storage).get(`from_b{env="prod", instance="${b.address}", job="fsd", sd_file="targets.json"}`), [[T0 + 2_000, 2]]);

    writeFileSync(file, '[{"targets": ');
    await manager.refreshDiscovery();
    assert.deepEqual(
      manager.activeTargets().map((t) => t.labels.instance),
      [b.address],
    );

    rmSync(file);
    await manager.refreshDiscovery();
    assert.deepEqual(manager.activeTargets(), []);
  });

  it('file_sd: the watcher picks up changes on its own', async () => {
    const storage = new RecordingStorage();
    const manager = new ScrapeManager({ storage, clock: new ManualClock(T0), runLoops: true, hostname: 'h' });
    managers.push(manager);
    const sub = mkdtempSync(join(dir, 'watch-'));
    const file = join(sub, 'targets.yml');
    writeFileSync(file, `- targets: ['${a.address}']\n`);
    await manager.apply(
      parseConfig(
        `scrape_configs:\n  - job_name: w\n    scrape_interval: 1h\n    file_sd_configs:\n      - files: ['targets.yml']\n`,
        join(sub, 'prometheus.yml'),
      ),
    );
    assert.equal(manager.activeTargets().length, 1);
    writeFileSync(file, `- targets: ['${a.address}', '${b.address}']\n`);
    const deadline = Date.now() + 5_000;
    while (manager.activeTargets().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(manager.activeTargets().length, 2);
  });

  it('exposes counters as metric sources', async () => {
    const { manager } = setup();
    await manager.apply(config(`scrape_configs:\n  - job_name: j\n    static_configs:\n      - targets: ['${a.address}', '127.0.0.1:1']\n`));
    await manager.scrapeAll();
    const sources = new Map(manager.metricSources().map((s) => [s.name, s]));
    assert.equal(sources.get('vigil_scrapes_total')?.read(), 2);
    const failures = sources.get('vigil_scrape_failures_total')?.read() as { labels: Record<string, string>; value: number }[];
    assert.equal(failures.find((f) => f.labels.reason === 'http')?.value, 1);
    const targets = sources.get('vigil_scrape_targets')?.read() as { labels: Record<string, string>; value: number }[];
    assert.deepEqual(
      targets.map((t) => [t.labels.health, t.value]),
      [
        ['up', 1],
        ['down', 1],
        ['unknown', 0],
      ],
    );
  });
});
