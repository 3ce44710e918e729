/** The dashboards list (Grafana's `/api/search`) and import by file upload, bare or `{"dashboard": …}`. */
import { useEffect, useState } from 'preact/hooks';
import { isMissingApi, saveDashboard, searchDashboards } from '../../api/dashboards.ts';
import type { DashboardSearchHit } from '../../api/dashboards.ts';
import { navigate } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { keepUnsaved, uidForTitle } from './dashboard-store.ts';
import { slugify, unwrapDashboard } from './model.ts';

/** Parses dashboard JSON text; errors name the source and the line and column JSON.parse points at. */
export function parseDashboardText(text: string, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      throw new Error(`${source}:${before.length}:${before[before.length - 1].length + 1}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, { cause: error });
    }
    throw new Error(`${source}: invalid JSON: ${message}`, { cause: error });
  }
  try {
    return unwrapDashboard(json);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads a dashboard JSON file (bare or `{"dashboard": …}`). */
export async function readDashboardFile(file: File): Promise<Record<string, unknown>> {
  return parseDashboardText(await file.text(), file.name);
}

/** Imports a dashboard through the API (Grafana's POST /api/dashboards/db) and opens it. */
export async function importDashboard(dashboard: Record<string, unknown>): Promise<{ url: string; saved: boolean }> {
  try {
    const answer = await saveDashboard({ ...dashboard, id: null });
    return { url: answer.url || `/d/${answer.uid}/${answer.slug ?? slugify(String(dashboard.title ?? ''))}`, saved: true };
  } catch (error) {
    if (!isMissingApi(error)) throw error;
    // This Vigil has no dashboard API: open the dashboard unsaved, in this tab only.
    const uid = typeof dashboard.uid === 'string' && dashboard.uid !== '' ? dashboard.uid : await uidForTitle(String(dashboard.title ?? 'dashboard'));
    keepUnsaved(uid, { ...dashboard, uid });
    return { url: `/d/${uid}/${slugify(String(dashboard.title ?? ''))}`, saved: false };
  }
}

export default function DashboardListPage({ query }: PageProps) {
  const [hits, setHits] = useState<DashboardSearchHit[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState(query.get('query') ?? '');
  const [pasted, setPasted] = useState('');

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      searchDashboards(filter)
        .then((result) => !cancelled && (setHits(result), setListError(null)))
        .catch((error: Error) => !cancelled && (setHits([]), setListError(isMissingApi(error) ? 'This Vigil does not serve saved dashboards yet; upload a dashboard JSON file to open it.' : error.message)));
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [filter]);

  const importFrom = async (read: () => Promise<Record<string, unknown>>) => {
    setBusy(true);
    setUploadError(null);
    try {
      const { url } = await importDashboard(await read());
      navigate(url);
    } catch (error) {
      setUploadError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const upload = async (event: Event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    await importFrom(() => readDashboardFile(file));
    input.value = '';
  };
  // Files dropped anywhere on the list import like the file input.
  const drop = (event: DragEvent) => {
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    event.preventDefault();
    void importFrom(() => readDashboardFile(file));
  };

  return (
    <div class="page dashboard-list" onDragOver={(event) => event.preventDefault()} onDrop={drop}>
      <div class="toolbar">
        <h1 style={{ margin: 0 }}>Dashboards</h1>
        <span class="spacer" />
        <input type="search" placeholder="Search dashboards" aria-label="Search dashboards" value={filter} onInput={(event) => setFilter((event.target as HTMLInputElement).value)} />
        <label class="upload-button">
          <input type="file" accept="application/json,.json" onChange={upload} disabled={busy} data-testid="dashboard-upload" />
          <span>{busy ? 'Importing…' : 'Import JSON'}</span>
        </label>
      </div>
      <details class="paste-json">
        <summary>Paste dashboard JSON</summary>
        <textarea class="mono" rows={8} aria-label="Dashboard JSON" placeholder='{"dashboard": {"title": …, "panels": […]}}' value={pasted} onInput={(event) => setPasted((event.target as HTMLTextAreaElement).value)} />
        <button type="button" class="primary" disabled={busy || pasted.trim() === ''} onClick={() => importFrom(async () => parseDashboardText(pasted, 'pasted JSON'))}>
          Import
        </button>
      </details>
      {uploadError ? <div class="error-box">{uploadError}</div> : null}
      {listError ? <div class="muted">{listError}</div> : null}
      {hits === null ? (
        <div class="loading">Loading…</div>
      ) : hits.length === 0 && !listError ? (
        <p class="muted">{filter ? `No dashboard matches "${filter}".` : 'No dashboards yet. Import a Grafana dashboard JSON file, or provision a folder with --dashboards.path.'}</p>
      ) : (
        <table class="data card">
          <thead>
            <tr>
              <th>Name</th>
              <th>Folder</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((hit) => (
              <tr key={hit.uid}>
                <td>
                  <a href={hit.url || `/d/${hit.uid}`}>{hit.title}</a>
                </td>
                <td class="muted">{hit.folderTitle ?? 'General'}</td>
                <td>
                  {(hit.tags ?? []).map((tag) => (
                    <span class="tag" key={tag}>
                      {tag}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
