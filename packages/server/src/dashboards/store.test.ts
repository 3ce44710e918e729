import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardStore } from './store.ts';
import { DashboardError } from './errors.ts';
import { loadDashboardProviders } from './providers.ts';
import type { DashboardProvider } from './model.ts';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/seeds/', import.meta.url));

async function temporaryDirectory(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'vigil-dashboards-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

function folderProvider(path: string, extra: Partial<DashboardProvider> = {}): DashboardProvider {
  return { name: path, kind: 'provisioned', path, folder: '', allowUiUpdates: false, foldersFromFilesStructure: false, updateIntervalMs: 60_000, origin: 'test', ...extra };
}

/** Resolves on the store's next change, or fails after `ms`. */
function nextChange(store: DashboardStore, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no dashboard change within ${ms} ms`));
    }, ms);
    const off = store.onChange(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

test('every seed dashboard imports as written, with a stable uid', async (t) => {
  const save = await temporaryDirectory(t);
  const services = (await readdir(EXAMPLES, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const providers: DashboardProvider[] = [];
  for (const service of services) {
    const path = join(EXAMPLES, service, 'dashboards');
    if ((await readdir(join(EXAMPLES, service))).includes('dashboards')) providers.push(folderProvider(path, { name: service }));
  }
  assert.ok(providers.length >= 3, 'seed services with dashboards');
  const first = await DashboardStore.open({ providers, savePath: save, watch: false });
  const second = await DashboardStore.open({ providers, savePath: save, watch: false });
  assert.deepEqual(first.problems(), []);
  const titles = first.list().map((dashboard) => dashboard.title);
  assert.deepEqual(titles, [
    'Chorus Bridge - Main Dashboard',
    'Chorus Bridge - Security Dashboard',
    'Metamask Integration Service',
    'Metamask Security Monitoring',
    'Quant Analytics - Backend API',
  ]);
  assert.deepEqual(
    first.list().map((dashboard) => dashboard.uid),
    second.list().map((dashboard) => dashboard.uid),
  );
  for (const dashboard of first.list()) {
    assert.ok(dashboard.uid.length <= 40 && /^[a-z0-9-]+$/.test(dashboard.uid), dashboard.uid);
    assert.equal(dashboard.provisioned, true);
    assert.equal(dashboard.canSave, false);
    const file = JSON.parse(await readFile(join(EXAMPLES, dashboard.provider, 'dashboards', dashboard.relativePath), 'utf8'));
    // The panels are served exactly as the seed wrote them (classic `graph`, `singlestat`, `yAxes`).
    assert.deepEqual(dashboard.dashboard.panels, file.dashboard.panels);
    assert.deepEqual({ ...dashboard.dashboard, id: undefined, uid: undefined, version: undefined }, { ...file.dashboard, id: undefined, uid: undefined, version: undefined });
  }
  const metamask = first.search({ query: 'metamask integ' });
  assert.equal(metamask.length, 1);
  assert.equal(metamask[0].kind === 'dashboard' && metamask[0].dashboard.slug, 'metamask-integration-service');
});

test('saving writes Grafana JSON atomically, versions count up, a stale version is refused', async (t) => {
  const save = await temporaryDirectory(t);
  const store = await DashboardStore.open({ providers: [], savePath: save, watch: false });
  const dashboard = { title: 'Checkout', tags: ['shop'], panels: [{ type: 'some-plugin-panel', title: 'Unknown kind', gridPos: { x: 0, y: 0, w: 12, h: 8 } }], schemaVersion: 39 };
  const created = await store.save({ dashboard });
  assert.equal(created.status, 'success');
  assert.equal(created.version, 1);
  assert.equal(created.slug, 'checkout');
  assert.equal(created.url, `/d/${created.uid}/checkout`);
  const text = await readFile(join(save, `${created.uid}.json`), 'utf8');
  assert.equal(text, `${JSON.stringify({ ...dashboard, id: null, uid: created.uid, version: 1 }, null, 2)}\n`);
  assert.deepEqual((await readdir(save)).filter((name) => !name.endsWith('.json')), [], 'no temporary files left');

  const stored = store.get(created.uid);
  assert.equal(stored?.dashboard.id, created.id);
  await assert.rejects(store.save({ dashboard: { ...dashboard, uid: created.uid, title: 'Checkout v2' } }), (error: DashboardError) => error.statusCode === 412 && error.status === 'version-mismatch');
  const updated = await store.save({ dashboard: { ...dashboard, uid: created.uid, version: 1, title: 'Checkout v2' } });
  assert.equal(updated.version, 2);
  assert.equal(updated.id, created.id);
  const forced = await store.save({ dashboard: { ...dashboard, uid: created.uid, version: 1 }, overwrite: true });
  assert.equal(forced.version, 3);
  await assert.rejects(store.save({ dashboard: { panels: [] } }), (error: DashboardError) => error.statusCode === 400 && error.status === 'empty-name');
  await assert.rejects(store.save({ dashboard: { title: 'x', uid: 'bad uid' } }), (error: DashboardError) => error.message === 'uid contains illegal characters');
  await assert.rejects(store.save({ dashboard: { title: 'x', uid: 'u'.repeat(41) } }), (error: DashboardError) => error.message === 'uid too long, max 40 characters');
  await assert.rejects(store.save({ dashboard: { title: 'x', id: 999 } }), (error: DashboardError) => error.statusCode === 404);
  await assert.rejects(store.save({ dashboard: { title: 'x' }, folderUid: 'nope' }), (error: DashboardError) => error.message === 'Folder not found');

  // A second dashboard with the same title and no uid gets a uid of its own.
  const twin = await store.save({ dashboard: { title: 'Checkout v2' } });
  assert.notEqual(twin.uid, created.uid);

  // What was saved is read back by a new store (a restart).
  const reopened = await DashboardStore.open({ providers: [], savePath: save, watch: false });
  assert.equal(reopened.get(created.uid)?.version, 3);
  assert.equal(reopened.get(created.uid)?.canSave, true);
  assert.equal(reopened.get(created.uid)?.provisioned, false);

  const deleted = await store.delete(created.uid);
  assert.equal(deleted.message, 'Dashboard Checkout deleted');
  assert.equal(store.get(created.uid), undefined);
  await assert.rejects(readFile(join(save, `${created.uid}.json`)));
  await assert.rejects(store.delete(created.uid), (error: DashboardError) => error.statusCode === 404);
});

test('provisioned dashboards are read-only unless allowUiUpdates, which writes back to the file', async (t) => {
  const root = await temporaryDirectory(t);
  await mkdir(join(root, 'locked'));
  await mkdir(join(root, 'open', 'Team A'), { recursive: true });
  await writeFile(join(root, 'locked', 'a.json'), JSON.stringify({ title: 'Locked', uid: 'locked' }));
  await writeFile(join(root, 'open', 'Team A', 'b.json'), JSON.stringify({ dashboard: { title: 'Open', uid: 'open', version: 4 }, overwrite: true }));
  await writeFile(
    join(root, 'dashboards.yaml'),
    ['apiVersion: 1', 'providers:', '  - name: locked', '    folder: Ops', '    options:', '      path: locked', '  - name: open', '    allowUiUpdates: true', '    options:', '      path: open', '      foldersFromFilesStructure: true', ''].join('\n'),
  );
  const providers = await loadDashboardProviders([join(root, 'dashboards.yaml')]);
  const store = await DashboardStore.open({ providers, savePath: join(root, 'saved'), watch: false });
  assert.deepEqual(store.problems(), []);
  assert.equal(store.get('locked')?.folder?.title, 'Ops');
  assert.equal(store.get('open')?.folder?.title, 'Team A');
  assert.deepEqual(store.listFolders().map((folder) => folder.title), ['Ops', 'Team A']);
  await assert.rejects(store.save({ dashboard: { title: 'Locked', uid: 'locked', version: 1 } }), (error: DashboardError) => error.message === 'Cannot save provisioned dashboard');
  await assert.rejects(store.delete('locked'), (error: DashboardError) => error.message === 'provisioned dashboard cannot be deleted');
  const result = await store.save({ dashboard: { title: 'Open (edited)', uid: 'open', version: 4 } });
  assert.equal(result.version, 5);
  const written = JSON.parse(await readFile(join(root, 'open', 'Team A', 'b.json'), 'utf8'));
  assert.deepEqual(written, { dashboard: { title: 'Open (edited)', uid: 'open', version: 5, id: null }, overwrite: true });

  const ops = store.getFolder(store.get('locked')?.folder?.uid ?? '');
  const inFolder = await store.save({ dashboard: { title: 'Saved in Ops' }, folderUid: ops?.uid });
  assert.equal(store.get(inFolder.uid)?.folder?.title, 'Ops');
  await readFile(join(root, 'saved', 'Ops', `${inFolder.uid}.json`), 'utf8');
});

test('a provisioning folder is re-read when its files change; a broken file keeps its last good version', async (t) => {
  const root = await temporaryDirectory(t);
  const store = await DashboardStore.open({ providers: [folderProvider(root)], savePath: join(root, '..', `${root.split('/').pop()}-saved`), debounceMs: 20 });
  t.after(() => store.stop());
  assert.equal(store.list().length, 0);

  let changed = nextChange(store);
  await writeFile(join(root, 'one.json'), JSON.stringify({ title: 'One', panels: [] }));
  await changed;
  const [one] = store.list();
  assert.equal(one.title, 'One');

  changed = nextChange(store);
  await writeFile(join(root, 'one.json'), '{\n  "title": "One",\n  "panels": [\n}\n');
  await changed;
  assert.equal(store.get(one.uid)?.title, 'One', 'last good version still served');
  assert.deepEqual(store.problems().map((problem) => problem.message), [`${join(root, 'one.json')}:4:1: unexpected character "}" (expected a value)`]);

  changed = nextChange(store);
  await writeFile(join(root, 'one.json'), JSON.stringify({ title: 'One', panels: [{ type: 'stat' }] }));
  await changed;
  assert.deepEqual(store.get(one.uid)?.dashboard.panels, [{ type: 'stat' }]);
  assert.deepEqual(store.problems(), []);

  changed = nextChange(store);
  await rm(join(root, 'one.json'));
  await changed;
  assert.equal(store.list().length, 0);
});

test('two files claiming one uid: the first (by path) is served, the other reported', async (t) => {
  const root = await temporaryDirectory(t);
  await writeFile(join(root, 'a.json'), JSON.stringify({ title: 'A', uid: 'same' }));
  await writeFile(join(root, 'b.json'), JSON.stringify({ title: 'B', uid: 'same' }));
  await writeFile(join(root, 'c.json'), JSON.stringify({ uid: 'c' }));
  const store = await DashboardStore.open({ providers: [folderProvider(root)], savePath: join(root, 'saved'), watch: false });
  assert.equal(store.get('same')?.title, 'A');
  const problems = store.problems().map((problem) => problem.message);
  assert.ok(problems.includes(`${join(root, 'c.json')}:1:1: dashboard has no title (Grafana requires one)`), problems.join('\n'));
  assert.ok(problems.some((message) => message.startsWith(`${join(root, 'b.json')}: dashboard uid "same" is already used`)), problems.join('\n'));
});

test('a save made while a rescan runs is never undone by it', async (t) => {
  const save = await temporaryDirectory(t);
  const store = await DashboardStore.open({ providers: [], savePath: save, watch: false });
  for (let round = 0; round < 20; round++) {
    const scan = store.rescan();
    const saved = await store.save({ dashboard: { title: `Round ${round}` } });
    const later = store.rescan();
    assert.ok(store.get(saved.uid), `round ${round}: saved dashboard present right after the save`);
    await Promise.all([scan, later]);
    assert.ok(store.get(saved.uid), `round ${round}: still present after the rescans`);
  }
  assert.equal(store.list().length, 20);
});

test('importing a dashboard without uid again with overwrite updates the one it made; without overwrite adds a copy', async (t) => {
  const save = await temporaryDirectory(t);
  const store = await DashboardStore.open({ providers: [], savePath: save, watch: false });
  const seed = { title: 'Metamask Integration Service', panels: [{ type: 'graph' }] };
  const first = await store.save({ dashboard: seed, overwrite: true });
  const again = await store.save({ dashboard: { ...seed, panels: [{ type: 'timeseries' }] }, overwrite: true });
  assert.equal(again.uid, first.uid);
  assert.equal(again.version, 2);
  assert.deepEqual(store.get(first.uid)?.dashboard.panels, [{ type: 'timeseries' }]);
  const copy = await store.save({ dashboard: seed });
  assert.notEqual(copy.uid, first.uid);
  assert.equal(store.list().length, 2);
  // The same file imported into another Vigil gets the same uid.
  const other = await DashboardStore.open({ providers: [], savePath: await temporaryDirectory(t), watch: false });
  assert.equal((await other.save({ dashboard: seed, overwrite: true })).uid, first.uid);
});
