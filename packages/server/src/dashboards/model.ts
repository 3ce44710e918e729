/**
 * Where dashboards come from: Grafana-style file providers. `provisioned` providers are read-only
 * through the API unless `allowUiUpdates`; the one `saved` provider is the save folder, where
 * dashboards created or changed through the API are written (and read back, so edits made in git
 * show up too).
 */
export interface DashboardProvider {
  name: string;
  kind: 'provisioned' | 'saved';
  /** Absolute path of the folder that holds the `.json` files. */
  path: string;
  /** Grafana folder the provider's dashboards go into; '' puts them at the top (Grafana's "General"). */
  folder: string;
  folderUid?: string;
  allowUiUpdates: boolean;
  /** Each sub-folder on disk becomes a dashboard folder of the same name. */
  foldersFromFilesStructure: boolean;
  /** How often the folder is rescanned besides file-change notifications, ms. */
  updateIntervalMs: number;
  /** Where the provider was declared (`file:line:col`, or the flag), for messages. */
  origin: string;
}

export interface DashboardFolder {
  id: number;
  uid: string;
  title: string;
}

/** A dashboard as the store holds it. */
export interface StoredDashboard {
  id: number;
  uid: string;
  title: string;
  slug: string;
  tags: string[];
  version: number;
  folder: DashboardFolder | null;
  /** The dashboard JSON as given, with `id`, `uid` and `version` set to the store's. */
  dashboard: Record<string, unknown>;
  provisioned: boolean;
  /** Whether the API may change or delete it. */
  canSave: boolean;
  provider: string;
  /** The file's path relative to its provider's folder (Grafana's `provisionedExternalId`). */
  relativePath: string;
  created: number;
  updated: number;
}

/** A file that could not be read as a dashboard, or a dashboard that could not be served. */
export interface ProvisioningProblem {
  /** `file:line:col: reason` or `file: reason`. */
  message: string;
}

export interface SearchOptions {
  query?: string;
  /** All must be present. */
  tags?: string[];
  type?: 'dash-db' | 'dash-folder';
  dashboardUids?: string[];
  folderUids?: string[];
  limit?: number;
  page?: number;
  /** Grafana's `sort`: by title, A–Z (the default) or Z–A. */
  sort?: 'alpha-asc' | 'alpha-desc';
  /** Only starred dashboards: Vigil has no users to star them, so none. */
  starred?: boolean;
}

export type SearchHit =
  | { kind: 'dashboard'; dashboard: StoredDashboard }
  | { kind: 'folder'; folder: DashboardFolder };

export interface SaveRequest {
  dashboard: unknown;
  folderUid?: string;
  overwrite?: boolean;
  message?: string;
}

export interface SaveResult {
  id: number;
  uid: string;
  url: string;
  status: 'success';
  version: number;
  slug: string;
  folderUid?: string;
}

export interface DeleteResult {
  id: number;
  uid: string;
  title: string;
  message: string;
}
