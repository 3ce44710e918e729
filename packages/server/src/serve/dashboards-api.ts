import type { Context, Hono } from 'hono';
import { DashboardError, JsonSyntaxError, dashboardUrl, grafanaSlug, parseJsonText, unwrapDashboard } from '../dashboards/index.ts';
import type { DashboardFolder, DashboardStore, SearchHit, StoredDashboard } from '../dashboards/index.ts';
import { BodyTooLargeError, readBodyLimited } from './body.ts';
import { json } from './response.ts';

export interface DashboardsApiOptions {
  store: DashboardStore;
  /** Largest accepted dashboard body, bytes. Default 16 MiB. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 << 20;

/**
 * Grafana's dashboard HTTP API over the dashboard store, in the shapes Grafana answers with, so
 * scripts and tools written for Grafana (`/api/search`, `/api/dashboards/uid/<uid>`,
 * `/api/dashboards/db`, `/api/dashboards/import`) work unchanged. Errors are Grafana's
 * `{"message": …}` (plus `"status"` where Grafana gives one).
 */
export function mountDashboardsApi(app: Hono, options: DashboardsApiOptions): void {
  const store = options.store;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  app.get('/api/search', (c) => {
    const type = c.req.query('type');
    if (type !== undefined && type !== '' && type !== 'dash-db' && type !== 'dash-folder') return message(400, `unknown search type ${JSON.stringify(type)} (dash-db or dash-folder)`);
    const limit = optionalPositiveInteger(c.req.query('limit'));
    const page = optionalPositiveInteger(c.req.query('page'));
    if (limit === null || page === null) return message(400, 'limit and page must be positive integers');
    const sort = c.req.query('sort');
    if (sort !== undefined && sort !== '' && sort !== 'alpha-asc' && sort !== 'alpha-desc') return message(400, `unsupported sort ${JSON.stringify(sort)} (alpha-asc or alpha-desc)`);
    const hits = store.search({
      query: c.req.query('query'),
      tags: c.req.queries('tag') ?? [],
      type: type === '' ? undefined : (type as 'dash-db' | 'dash-folder' | undefined),
      dashboardUids: listParameter(c, 'dashboardUIDs'),
      folderUids: listParameter(c, 'folderUIDs'),
      limit,
      page,
      sort: sort === 'alpha-desc' ? 'alpha-desc' : 'alpha-asc',
      starred: c.req.query('starred') === 'true',
    });
    return json(hits.map(searchItem));
  });

  app.get('/api/dashboards/tags', () => {
    const counts = new Map<string, number>();
    for (const dashboard of store.list()) for (const tag of new Set(dashboard.tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    return json([...counts].sort(([a], [b]) => a.localeCompare(b)).map(([term, count]) => ({ term, count })));
  });

  app.get('/api/folders', () => json(store.listFolders().map((folder) => ({ id: folder.id, uid: folder.uid, title: folder.title, url: folderUrl(folder) }))));

  app.get('/api/folders/:uid', (c) => {
    const folder = store.getFolder(c.req.param('uid'));
    return folder === undefined ? message(404, 'folder not found') : json({ id: folder.id, uid: folder.uid, title: folder.title, url: folderUrl(folder) });
  });

  app.get('/api/dashboards/uid/:uid', (c) => {
    const dashboard = store.get(c.req.param('uid'));
    if (dashboard === undefined) return errorResponse(new DashboardError(404, 'Dashboard not found', 'not-found'));
    return json({ dashboard: dashboard.dashboard, meta: dashboardMeta(dashboard) });
  });

  app.delete('/api/dashboards/uid/:uid', async (c) => {
    try {
      return json(await store.delete(c.req.param('uid')));
    } catch (error) {
      return errorResponse(error);
    }
  });

  app.post('/api/dashboards/db', async (c) => {
    try {
      const body = await readJson(c.req.raw, maxBodyBytes);
      const { dashboard, wrapper } = unwrapDashboard(body);
      const result = await store.save({
        dashboard,
        overwrite: wrapper?.overwrite === true,
        folderUid: folderUidOf(wrapper),
        message: typeof wrapper?.message === 'string' ? wrapper.message : undefined,
      });
      return json(result);
    } catch (error) {
      return errorResponse(error);
    }
  });

  // Grafana's import: like a save, but a dashboard exported from elsewhere keeps only its uid (its
  // numeric id belongs to the other Grafana's database).
  app.post('/api/dashboards/import', async (c) => {
    try {
      const body = await readJson(c.req.raw, maxBodyBytes);
      const { dashboard, wrapper } = unwrapDashboard(body);
      const { id: _ignored, ...withoutId } = dashboard;
      const result = await store.save({ dashboard: withoutId, overwrite: wrapper?.overwrite === true, folderUid: folderUidOf(wrapper) });
      const saved = store.get(result.uid) as StoredDashboard;
      return json({
        uid: result.uid,
        pluginId: '',
        title: saved.title,
        imported: true,
        importedUri: `db/${result.slug}`,
        importedUrl: result.url,
        slug: result.slug,
        dashboardId: result.id,
        folderId: saved.folder?.id ?? 0,
        folderUid: saved.folder?.uid ?? '',
        importedRevision: 0,
        revision: 0,
        description: '',
        path: '',
        removed: false,
      });
    } catch (error) {
      return errorResponse(error);
    }
  });
}

function searchItem(hit: SearchHit): Record<string, unknown> {
  if (hit.kind === 'folder') {
    const folder = hit.folder;
    const slug = grafanaSlug(folder.title);
    return { id: folder.id, uid: folder.uid, title: folder.title, uri: `db/${slug}`, url: folderUrl(folder), slug, type: 'dash-folder', tags: [], isStarred: false, sortMeta: 0 };
  }
  const dashboard = hit.dashboard;
  const item: Record<string, unknown> = {
    id: dashboard.id,
    uid: dashboard.uid,
    title: dashboard.title,
    uri: `db/${dashboard.slug}`,
    url: dashboardUrl(dashboard),
    slug: dashboard.slug,
    type: 'dash-db',
    tags: dashboard.tags,
    isStarred: false,
    sortMeta: 0,
  };
  if (dashboard.folder !== null) {
    item.folderId = dashboard.folder.id;
    item.folderUid = dashboard.folder.uid;
    item.folderTitle = dashboard.folder.title;
    item.folderUrl = folderUrl(dashboard.folder);
  }
  return item;
}

function dashboardMeta(dashboard: StoredDashboard): Record<string, unknown> {
  const folder = dashboard.folder;
  return {
    type: 'db',
    canSave: dashboard.canSave,
    canEdit: true,
    canAdmin: false,
    canStar: false,
    canDelete: !dashboard.provisioned,
    slug: dashboard.slug,
    url: dashboardUrl(dashboard),
    expires: '0001-01-01T00:00:00Z',
    created: new Date(dashboard.created).toISOString(),
    updated: new Date(dashboard.updated).toISOString(),
    version: dashboard.version,
    hasAcl: false,
    isFolder: false,
    folderId: folder?.id ?? 0,
    folderUid: folder?.uid ?? '',
    folderTitle: folder?.title ?? 'General',
    folderUrl: folder === null ? '' : folderUrl(folder),
    provisioned: dashboard.provisioned,
    provisionedExternalId: dashboard.provisioned ? dashboard.relativePath : '',
  };
}

function folderUrl(folder: DashboardFolder): string {
  return `/dashboards/f/${folder.uid}/${grafanaSlug(folder.title)}`;
}

function folderUidOf(wrapper: Record<string, unknown> | null): string | undefined {
  return typeof wrapper?.folderUid === 'string' ? wrapper.folderUid : undefined;
}

/** A request body parsed as JSON; a syntax error says where, as Grafana's "bad request data". */
async function readJson(request: Request, limit: number): Promise<unknown> {
  const bytes = await readBodyLimited(request, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DashboardError(400, 'bad request data: the body is not valid UTF-8');
  }
  if (text.trim() === '') throw new DashboardError(400, 'bad request data: the body is empty (expected dashboard JSON)');
  try {
    return parseJsonText(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new DashboardError(400, `bad request data: invalid JSON at ${error.message}`);
    throw error;
  }
}

function errorResponse(error: unknown): Response {
  if (error instanceof DashboardError) return json(error.body(), error.statusCode);
  if (error instanceof BodyTooLargeError) return message(413, error.message);
  return message(500, error instanceof Error ? error.message : String(error));
}

function message(status: number, text: string): Response {
  return json({ message: text }, status);
}

function optionalPositiveInteger(text: string | undefined): number | undefined | null {
  if (text === undefined || text === '') return undefined;
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

/** A list parameter, given repeated or comma-separated. */
function listParameter(c: Context, name: string): string[] | undefined {
  const values = c.req.queries(name);
  if (values === undefined) return undefined;
  return values.flatMap((value) => value.split(',')).filter((value) => value !== '');
}
