import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { compressAnswers } from './compress.ts';
import type { Storage } from '../store/index.ts';
import { json } from './response.ts';
import type { DashboardStore } from '../dashboards/index.ts';
import { mountAdminApi } from './admin-api.ts';
import { mountAlertmanagerApi } from './alertmanager-api.ts';
import type { AlertmanagerApiSource } from './alertmanager-api.ts';
import { apiCors } from './cors.ts';
import type { AdminOperations } from './admin-api.ts';
import { mountDashboardsApi } from './dashboards-api.ts';
import { mountExemplarsApi } from './exemplars-api.ts';
import type { ExemplarQuery } from './exemplars-api.ts';
import { mountFederation } from './federate.ts';
import { mountMetadataApi } from './metadata-api.ts';
import type { MetadataSource } from './metadata-api.ts';
import { mountParseApi } from './parse-api.ts';
import { mountQueryApi } from './query-api.ts';
import type { QueryEngine } from './query-api.ts';
import { mountSeriesApi } from './series-api.ts';
import { mountStatusApi } from './status-api.ts';
import { mountRulesApi } from './rules-api.ts';
import type { RulesSource } from './rules-api.ts';
import { mountUi } from './ui.ts';
import type { StatusSources } from './status-api.ts';

/** Everything the HTTP layer needs from the rest of Vigil, as plain functions and objects. */
export interface ServerContext extends StatusSources {
  storage: Storage;
  /** The PromQL engine behind `/api/v1/query` and `/api/v1/query_range`. */
  engine: QueryEngine;
  /** The engine's lookback delta (ms): how old the latest sample `/federate` exposes may be. */
  lookbackDelta: number;
  /** The engine's query timeout (ms): a `timeout` parameter can shorten it, not extend it. */
  queryTimeout?: number;
  /** `global.external_labels` of the running config. */
  externalLabels: () => Readonly<Record<string, string>>;
  /** The clock for default query times, federation and snapshot names; the system clock when absent. */
  now?: () => number;
  /** The TSDB admin operations, or null when `--web.enable-admin-api` is off. */
  admin: AdminOperations | null;
  /** Exemplars kept by the storage; none when absent. */
  exemplars?: ExemplarQuery;
  /** Metric metadata from scrapes and remote write; none when absent. */
  metadata?: MetadataSource;
  /** `/api/v1/targets` payload pieces. */
  targets: () => { activeTargets: unknown[]; droppedTargets: unknown[]; droppedTargetCounts: Record<string, number> };
  /** Whether storage is open and the first config applied. */
  ready: () => boolean;
  /** A problem that makes Vigil unhealthy (e.g. the WAL cannot be written), or null. */
  unhealthy: () => string | null;
  reload: () => Promise<void>;
  /** Vigil's own metrics in the text exposition format. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** The dashboards behind Grafana's dashboard API (`/api/search`, `/api/dashboards/…`); none when absent. */
  dashboards?: DashboardStore;
  /** The in-process Alertmanager behind `/api/v2/*`, or null while none is configured. */
  alertmanager?: () => AlertmanagerApiSource | null;
  /** The rule manager behind `/api/v1/rules` and `/api/v1/alerts`; both answer empty lists without one. */
  rules?: RulesSource;
  /** Counts each answered request by route pattern and status (`prometheus_http_requests_total`…). */
  observeRequest?: (handler: string, code: number, seconds: number) => void;
  /** Extra routes (ingest endpoints) mounted by their owners. */
  extraRoutes?: ((app: Hono) => void)[];
  /** The built web UI served at `/` (packages/ui/dist when absent). */
  uiDirectory?: string;
}

export function createApp(context: ServerContext): Hono {
  const app = new Hono();
  const observeRequest = context.observeRequest;
  if (observeRequest !== undefined) {
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      // After next(), the route index points at the handler that answered.
      observeRequest(routePath(c), c.res.status, (performance.now() - started) / 1000);
    });
  }
  // Before every route: Prometheus compresses API answers and /federate for clients that accept gzip or deflate.
  app.use('/api/v1/*', apiCors());
  app.use('/api/v1/*', compressAnswers());
  app.use('/federate', compressAnswers());

  app.get('/-/healthy', () => {
    const problem = context.unhealthy();
    return problem === null ? text('Vigil is Healthy.\n') : text(`Vigil is Unhealthy: ${problem}\n`, 503);
  });
  app.get('/-/ready', () => (context.ready() ? text('Vigil is Ready.\n') : text('Service Unavailable\n', 503)));
  const reload = async () => {
    try {
      await context.reload();
      return text('');
    } catch (error) {
      return text(`failed to reload config: ${(error as Error).message}\n`, 500);
    }
  };
  app.post('/-/reload', reload);
  app.put('/-/reload', reload);

  app.get('/metrics', async () => {
    const { contentType, body } = await context.metrics();
    return new Response(body, { headers: { 'content-type': contentType } });
  });

  app.get('/api/v1/targets', (c) => {
    const state = c.req.query('state') ?? 'any';
    const pool = c.req.query('scrapePool');
    const all = context.targets();
    const inPool = (target: unknown) => pool === undefined || (target as { scrapePool?: string }).scrapePool === pool;
    const poolOfDropped = (target: unknown) => pool === undefined || (target as { discoveredLabels?: Record<string, string> }).discoveredLabels?.job === pool;
    return json({
      status: 'success',
      data: {
        activeTargets: state === 'dropped' ? [] : all.activeTargets.filter(inPool),
        droppedTargets: state === 'active' ? [] : all.droppedTargets.filter(poolOfDropped),
        droppedTargetCounts: all.droppedTargetCounts,
      },
    });
  });

  mountQueryApi(app, { storage: context.storage, engine: context.engine, now: context.now, timeout: context.queryTimeout });
  mountParseApi(app);
  mountSeriesApi(app, context.storage);
  mountExemplarsApi(app, context.exemplars);
  mountMetadataApi(app, context.metadata ?? (() => []));
  mountAdminApi(app, { admin: context.admin, now: context.now });
  mountFederation(app, { storage: context.storage, externalLabels: context.externalLabels, lookbackDelta: context.lookbackDelta, now: context.now });
  mountStatusApi(app, context);
  mountRulesApi(app, context.rules);
  mountAlertmanagerApi(app, { source: context.alertmanager ?? (() => null) });
  if (context.dashboards !== undefined) mountDashboardsApi(app, { store: context.dashboards });
  for (const mount of context.extraRoutes ?? []) mount(app);
  // Last, so every API route above wins; the UI never answers for /api/, /-/, /metrics or /federate.
  mountUi(app, { directory: context.uiDirectory });

  app.notFound((c) => (c.req.path.startsWith('/api/') ? json({ status: 'error', errorType: 'not_found', error: `unknown API endpoint ${c.req.path}` }, 404) : text('404 page not found\n', 404)));
  app.onError((error) => json({ status: 'error', errorType: 'internal', error: error.message }, 500));
  return app;
}

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
