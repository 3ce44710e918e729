/**
 * `vigil check alertmanager`: what `amtool check-config` does for each file — load and validate it,
 * print what it found, then parse the template files its `templates` globs match with the notifier's
 * own template loader. Output has amtool's shape; errors and warnings name file:line:col. Returns
 * the exit code.
 */
import { loadTemplates } from '../receivers/index.ts';
import { formatWarning, loadAlertmanagerConfig } from './load.ts';
import type { LoadedAlertmanagerConfig } from './types.ts';

/**
 * Loads the template files the patterns match exactly as the notifier will (Alertmanager's default
 * templates first, its function set plus `toJson`); throws the first error as `file:line: reason`.
 */
export async function checkTemplateFiles(patterns: readonly string[]): Promise<readonly string[]> {
  const templates = await loadTemplates(patterns);
  return templates.files;
}

export async function checkAlertmanagerCommand(files: readonly string[], out: (line: string) => void): Promise<number> {
  let failed = 0;
  for (const file of files) {
    let loaded: LoadedAlertmanagerConfig | null = null;
    try {
      loaded = await loadAlertmanagerConfig(file);
      out(`Checking '${file}'  SUCCESS`);
    } catch (error) {
      out(`Checking '${file}'  FAILED: ${(error as Error).message}`);
      failed++;
    }
    if (loaded !== null) {
      for (const warning of loaded.warnings) out(`  WARNING: ${formatWarning(warning)}`);
      const { config } = loaded;
      out('Found:');
      out(' - global config');
      out(' - route');
      out(` - ${config.inhibitRules.length} inhibit rules`);
      out(` - ${config.receivers.length} receivers`);
      out(` - ${config.templates.length} templates`);
      if (config.templates.length > 0) {
        try {
          await checkTemplateFiles(config.templates);
          out('  SUCCESS');
        } catch (error) {
          out(`  FAILED: ${(error as Error).message}`);
          failed++;
        }
      }
    }
    out('');
  }
  return failed > 0 ? 1 : 0;
}
