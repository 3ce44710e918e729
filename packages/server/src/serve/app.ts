import { Hono } from 'hono';
import type { Storage } from '../store/index.ts';
import { json } from './response.ts';
import { mountSeriesApi } from './series-api.ts';
import { mountStatusApi } from './status-api.ts';
import type { StatusSources } from './status-api.ts';

/** Everything the HTTP layer needs from the rest of Vigil, as plain functions and objects. */
export interface ServerContext extends StatusSources {
  storage: Storage;
  /** `/api/v1/targets` payload pieces. */
  targets: () => { activeTargets: unknown[]; droppedTargets: unknown[]; droppedTargetCounts: Record<string, number> };
  /** Whether storage is open and the first config applied. */
  ready: () => boolean;
  /** A problem that makes Vigil unhealthy (e.g. the WAL cannot be written), or null. */
  unhealthy: () => string | null;
  reload: () => Promise<void>;
  /** Vigil's own metrics in the text exposition format. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** Extra routes (ingest endpoints) mounted by their owners. */
  extraRoutes?: ((app: Hono) => void)[];
}

export function createApp(context: ServerContext): Hono {
  const app = new Hono();

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

  mountSeriesApi(app, context.storage);
  mountStatusApi(app, context);
  for (const mount of context.extraRoutes ?? []) mount(app);

  app.notFound((c) => (c.req.path.startsWith('/api/') ? json({ status: 'error', errorType: 'not_found', error: `unknown API endpoint ${c.req.path}` }, 404) : text('404 page not found\n', 404)));
  app.onError((error) => json({ status: 'error', errorType: 'internal', error: error.message }, 500));
  return app;
}

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
