import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_UPDATE_INTERVAL_MS, parseProvisioningFile } from './provisioning-config.ts';
import type { DashboardProvider } from './model.ts';

/**
 * The providers named by `--dashboards.path` values: a `.yml`/`.yaml` file is a Grafana dashboard
 * provisioning file (its providers, in order); anything else is a folder of dashboard JSON files,
 * served read-only at the top level.
 */
export async function loadDashboardProviders(paths: readonly string[]): Promise<DashboardProvider[]> {
  const providers: DashboardProvider[] = [];
  for (const given of paths) {
    const path = resolve(given);
    if (/\.ya?ml$/i.test(path)) {
      providers.push(...parseProvisioningFile(await readFile(path, 'utf8'), path));
    } else {
      providers.push({
        name: path,
        kind: 'provisioned',
        path,
        folder: '',
        allowUiUpdates: false,
        foldersFromFilesStructure: false,
        updateIntervalMs: DEFAULT_UPDATE_INTERVAL_MS,
        origin: `--dashboards.path=${given}`,
      });
    }
  }
  return providers;
}
