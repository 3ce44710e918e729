import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { DashboardStore, loadDashboardProviders } from '../dashboards/index.ts';
import { mountDashboardsApi } from './dashboards-api.ts';

const SEED = fileURLToPath(new URL('../../../../examples/seeds/metamask-integration/dashboards', import.meta.url));

async function fixture(t: { after: (fn: () => Promise<void>) => void }, maxBodyBytes?: number) {
  const root = await mkdtemp(join(tmpdir(), 'vigil-dashboards-api-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const store = await DashboardStore.open({ providers: await loadDashboardProviders([SEED]), savePath: join(root, 'saved'), watch: false });
  const app = new Hono();
  mountDashboardsApi(app, { store, maxBodyBytes });
  const call = async (path: string, init?: RequestInit) => {
    const response = await app.request(path, init);
    return { status: response.status, body: (await response.json()) as any };
  };
  const post = (path: string, body: unknown) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { root, store, call, post };
}

test('search and get answer in Grafana shapes', async (t) => {
  const { call } = await fixture(t);
  const search = await call('/api/search?type=dash-db&query=integration');
  assert.equal(search.status, 200);
  assert.equal(search.body.length, 1);
  const [hit] = search.body;
  assert.match(hit.uid, /^metamask-integration-service-[0-9a-f]{8}$/);
  assert.deepEqual(hit, { id: hit.id, uid: hit.uid, title: 'Metamask Integration Service', uri: 'db/metamask-integration-service', url: `/d/${hit.uid}/metamask-integration-service`, slug: 'metamask-integration-service', type: 'dash-db', tags: [], isStarred: false, sortMeta: 0 });
  assert.equal((await call('/api/search')).body.length, 2);
  assert.equal((await call('/api/search?limit=1')).body.length, 1);
  assert.equal((await call('/api/search?limit=1&page=2')).body[0].title, 'Metamask Security Monitoring');
  assert.equal((await call('/api/search?tag=nothing')).body.length, 0);
  assert.equal((await call('/api/search?limit=x')).status, 400);
  assert.deepEqual((await call('/api/search?sort=alpha-desc')).body.map((item: any) => item.title), ['Metamask Security Monitoring', 'Metamask Integration Service']);
  assert.deepEqual((await call('/api/search?starred=true')).body, []);
  assert.equal((await call('/api/search?sort=views-desc')).status, 400);

  const got = await call(`/api/dashboards/uid/${hit.uid}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.dashboard.title, 'Metamask Integration Service');
  assert.equal(got.body.dashboard.uid, hit.uid);
  assert.equal(got.body.dashboard.id, hit.id);
  assert.equal(got.body.dashboard.panels[2].type, 'singlestat');
  assert.equal(got.body.meta.slug, 'metamask-integration-service');
  assert.equal(got.body.meta.url, hit.url);
  assert.equal(got.body.meta.provisioned, true);
  assert.equal(got.body.meta.canSave, false);
  assert.equal(got.body.meta.provisionedExternalId, 'metamask-integration-service.json');
  assert.equal(got.body.meta.folderTitle, 'General');
  assert.equal(got.body.meta.version, 1);

  assert.deepEqual(await call('/api/dashboards/uid/nope'), { status: 404, body: { status: 'not-found', message: 'Dashboard not found' } });
  const locked = await call(`/api/dashboards/uid/${hit.uid}`, { method: 'DELETE' });
  assert.deepEqual(locked, { status: 400, body: { message: 'provisioned dashboard cannot be deleted' } });
});

test('POST /api/dashboards/db creates, updates with versions, and refuses what Grafana refuses', async (t) => {
  const { root, post, call } = await fixture(t);
  const created = await post('/api/dashboards/db', { dashboard: { id: null, uid: null, title: 'Payments', panels: [{ type: 'timeseries', targets: [{ expr: 'up' }] }] }, message: 'first', overwrite: false });
  assert.equal(created.status, 200);
  assert.deepEqual(Object.keys(created.body), ['id', 'uid', 'url', 'status', 'version', 'slug']);
  assert.equal(created.body.status, 'success');
  assert.equal(created.body.version, 1);
  const file = JSON.parse(await readFile(join(root, 'saved', `${created.body.uid}.json`), 'utf8'));
  assert.deepEqual(file, { id: null, uid: created.body.uid, title: 'Payments', panels: [{ type: 'timeseries', targets: [{ expr: 'up' }] }], version: 1 });

  const stale = await post('/api/dashboards/db', { dashboard: { ...file, title: 'Payments 2', version: 0 } });
  assert.deepEqual(stale, { status: 412, body: { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' } });
  const updated = await post('/api/dashboards/db', { dashboard: { ...file, title: 'Payments 2' } });
  assert.equal(updated.body.version, 2);
  assert.equal(updated.body.slug, 'payments-2');
  assert.equal((await call(`/api/dashboards/uid/${created.body.uid}`)).body.dashboard.title, 'Payments 2');

  // A bare dashboard is accepted too.
  const bare = await post('/api/dashboards/db', { title: 'Bare', panels: [] });
  assert.equal(bare.status, 200);

  assert.deepEqual(await post('/api/dashboards/db', { dashboard: { title: '' } }), { status: 400, body: { status: 'empty-name', message: 'Dashboard title cannot be empty' } });
  const malformed = await post('/api/dashboards/db', '{"dashboard": {\n  "title": "x",,\n}}');
  assert.deepEqual(malformed, { status: 400, body: { message: 'bad request data: invalid JSON at line 2, column 16: unexpected character "," (expected a property name in double quotes)' } });
  assert.equal((await post('/api/dashboards/db', '[1]')).status, 400);
  assert.equal((await post('/api/dashboards/db', '')).status, 400);

  const deleted = await call(`/api/dashboards/uid/${created.body.uid}`, { method: 'DELETE' });
  assert.deepEqual(deleted, { status: 200, body: { id: created.body.id, uid: created.body.uid, title: 'Payments 2', message: 'Dashboard Payments 2 deleted' } });
  assert.equal((await call(`/api/dashboards/uid/${created.body.uid}`)).status, 404);
});

test('import drops a foreign id; oversized bodies are refused', async (t) => {
  const { post, call } = await fixture(t, 2048);
  const imported = await post('/api/dashboards/import', { dashboard: { id: 77, uid: 'from-grafana', title: 'Exported', version: 12, panels: [] }, overwrite: true, inputs: [] });
  assert.equal(imported.status, 200);
  assert.equal(imported.body.uid, 'from-grafana');
  assert.equal(imported.body.imported, true);
  assert.equal(imported.body.importedUrl, '/d/from-grafana/exported');
  assert.equal((await call('/api/dashboards/uid/from-grafana')).body.meta.version, 1);
  const big = await post('/api/dashboards/db', { dashboard: { title: 'Big', description: 'x'.repeat(4096) } });
  assert.equal(big.status, 413);
  assert.match(big.body.message, /too large/);
});

test('folders, tags and folder search', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'vigil-dashboards-api-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'Team'), { recursive: true });
  await writeFile(join(root, 'Team', 'a.json'), JSON.stringify({ title: 'A', uid: 'a', tags: ['x', 'y'] }));
  await writeFile(join(root, 'b.json'), JSON.stringify({ title: 'B', uid: 'b', tags: ['x'] }));
  await writeFile(join(root, 'p.yaml'), `providers:\n  - name: p\n    options:\n      path: .\n      foldersFromFilesStructure: true\n`);
  const store = await DashboardStore.open({ providers: await loadDashboardProviders([join(root, 'p.yaml')]), savePath: join(root, '.saved'), watch: false });
  const app = new Hono();
  mountDashboardsApi(app, { store });
  const call = async (path: string) => (await app.request(path)).json() as Promise<any>;
  const all = await call('/api/search');
  assert.deepEqual(all.map((item: any) => [item.type, item.title]), [['dash-folder', 'Team'], ['dash-db', 'A'], ['dash-db', 'B']]);
  assert.equal(all[1].folderTitle, 'Team');
  assert.equal(all[1].folderUid, all[0].uid);
  assert.deepEqual((await call(`/api/search?folderUIDs=${all[0].uid}`)).map((item: any) => item.uid), ['a']);
  assert.deepEqual((await call('/api/search?tag=x&tag=y')).map((item: any) => item.uid), ['a']);
  assert.deepEqual(await call('/api/dashboards/tags'), [{ term: 'x', count: 2 }, { term: 'y', count: 1 }]);
  assert.deepEqual((await call('/api/folders')).map((folder: any) => folder.title), ['Team']);
});

test('Vigil serves the dashboards of --dashboards.path and saves into --dashboards.save-path', async (t) => {
  const { Vigil } = await import('../vigil.ts');
  const pino = (await import('pino')).default;
  const root = await mkdtemp(join(tmpdir(), 'vigil-dashboards-start-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const base = { dataDir: join(root, 'data'), retentionMs: 3600_000, retentionBytes: 0, listenAddress: '127.0.0.1:0', logLevel: 'error' as const, logger: pino({ level: 'silent' }) };
  const vigil = await Vigil.start({ ...base, dashboards: { paths: [SEED], savePath: join(root, 'saved') } });
  t.after(() => vigil.stop());
  const search = (await (await fetch(`${vigil.url}/api/search?query=Security`)).json()) as { uid: string; title: string }[];
  assert.deepEqual(search.map((hit) => hit.title), ['Metamask Security Monitoring']);
  const saved = await fetch(`${vigil.url}/api/dashboards/db`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dashboard: { title: 'From HTTP' } }) });
  const answer = (await saved.json()) as { uid: string };
  assert.equal(saved.status, 200);
  await readFile(join(root, 'saved', `${answer.uid}.json`), 'utf8');

  // A provisioning file with a mistake stops the start with its position.
  await writeFile(join(root, 'bad.yaml'), 'apiVersion: 1\nproviders:\n  - name: x\n    type: sql\n    options: {path: .}\n');
  await assert.rejects(Vigil.start({ ...base, dataDir: join(root, 'data2'), dashboards: { paths: [join(root, 'bad.yaml')] } }), /bad\.yaml:4:11: provider type "sql" is not supported/);
});
