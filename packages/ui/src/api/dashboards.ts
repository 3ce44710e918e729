/** Grafana's dashboard HTTP API as Vigil serves it (`/api/search`, `/api/dashboards/...`). */
import { ApiRequestError, fetchJson } from './http.ts';

export interface DashboardSearchHit {
  uid: string;
  title: string;
  url: string;
  type: string;
  tags: string[];
  folderTitle?: string;
}

export interface DashboardAnswer {
  dashboard: Record<string, unknown>;
  meta: Record<string, unknown>;
}

export function searchDashboards(query = ''): Promise<DashboardSearchHit[]> {
  const parameters = new URLSearchParams({ type: 'dash-db' });
  if (query !== '') parameters.set('query', query);
  return fetchJson<DashboardSearchHit[]>(`/api/search?${parameters}`);
}

export function getDashboard(uid: string): Promise<DashboardAnswer> {
  return fetchJson<DashboardAnswer>(`/api/dashboards/uid/${encodeURIComponent(uid)}`);
}

export interface SaveAnswer {
  uid: string;
  url: string;
  slug?: string;
  status?: string;
  version?: number;
}

/** POST /api/dashboards/db as Grafana's import does: `{dashboard, overwrite}`. */
export function saveDashboard(dashboard: Record<string, unknown>, overwrite = true): Promise<SaveAnswer> {
  return fetchJson<SaveAnswer>('/api/dashboards/db', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dashboard, overwrite }),
  });
}

/** True when this Vigil has no dashboard API at all (as opposed to a missing dashboard). */
export function isMissingApi(error: unknown): boolean {
  return error instanceof ApiRequestError && (error.status === 404 || error.status === 405) && /unknown API endpoint/.test(error.message);
}
