/**
 * `vigil check alertmanager`: what `amtool check-config` does for each file — load and validate it,
 * print what it found, then parse the template files its `templates` globs match. Output has
 * amtool's shape; errors and warnings name file:line:col. Returns the exit code.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { glob } from '../../config/index.ts';
import { TemplateParseError, alertmanagerTemplate } from '../../template/index.ts';
import { formatWarning, loadAlertmanagerConfig } from './load.ts';
import type { LoadedAlertmanagerConfig } from './types.ts';

/** Parses every file the patterns match with Alertmanager's function set; throws the first error. */
export async function checkTemplateFiles(patterns: readonly string[]): Promise<string[]> {
  const template = alertmanagerTemplate();
  const files: string[] = [];
  for (const pattern of patterns) {
    for (const file of (await glob(pattern)).sort()) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`open ${file}: ${(error as Error).message}`, { cause: error });
      }
      try {
        template.parse(text, basename(file));
      } catch (error) {
        if (error instanceof TemplateParseError) throw new Error(`${file}:${error.line}: ${error.detail}`, { cause: error });
        throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
      }
      files.push(file);
    }
  }
  return files;
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
