/**
 * Dashboards: Grafana dashboard JSON read from provisioning folders and the save folder, re-read when
 * the files change, saved back as Grafana-compatible files; uids, slugs and versions by Grafana's rules.
 * No HTTP here: `serve/dashboards-api.ts` speaks Grafana's API on top of `DashboardStore`.
 */
export { DashboardStore, dashboardUrl, parseDashboardFile, unwrapDashboard } from './store.ts';
export type { DashboardLog, DashboardStoreOptions } from './store.ts';
export { DashboardError } from './errors.ts';
export { DEFAULT_UPDATE_INTERVAL_MS, parseProvisioningFile } from './provisioning-config.ts';
export { loadDashboardProviders } from './providers.ts';
export { JsonSyntaxError, parseJsonText } from './json-text.ts';
export { grafanaSlug } from './slug.ts';
export { MAX_UID_LENGTH, derivedUid, isValidUid } from './uid.ts';
export type {
  DashboardFolder,
  DashboardProvider,
  DeleteResult,
  ProvisioningProblem,
  SaveRequest,
  SaveResult,
  SearchHit,
  SearchOptions,
  StoredDashboard,
} from './model.ts';
