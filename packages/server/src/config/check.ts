/**
 * `vigil check config`: what `promtool check config` does for each file: load and validate it,
 * expand its rule_files globs (an explicit, glob-free path must exist), check credential and TLS
 * files exist, read file_sd files (warning when a glob matches nothing), then check each rule file it
 * lists with `checkRuleFiles` (given by the caller: rules/ sits above config/). Returns the exit code:
 * 0 when everything is valid, otherwise the worst code of a failed step.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { ConfigError } from './errors.ts';
import { loadFileSdFile } from './filesd.ts';
import { glob } from './glob.ts';
import { loadConfigFile } from './load.ts';
import type { FileSdConfig, HttpClientConfig, PrometheusConfig } from './types.ts';

export async function checkConfigCommand(
  files: string[],
  out: (line: string) => void,
  checkRuleFiles: (ruleFiles: string[]) => Promise<number> = async () => 0,
): Promise<number> {
  let exitCode = 0;
  for (const file of files) {
    out(`Checking ${file}`);
    let ruleFiles: string[] = [];
    try {
      ruleFiles = (await checkOne(file, out)).ruleFiles;
      if (ruleFiles.length > 0) out(`  SUCCESS: ${ruleFiles.length} rule files found`);
      out(` SUCCESS: ${file} is valid prometheus config file syntax`);
    } catch (error) {
      exitCode = 1;
      const message = error instanceof ConfigError ? error.message : (error as Error).message;
      out(`  FAILED: ${message}`);
    }
    out('');
    if (ruleFiles.length > 0) {
      // promtool names rule files as joined to the config file's path as given.
      const shown = isAbsolute(file) ? ruleFiles : ruleFiles.map((ruleFile) => relative(process.cwd(), ruleFile));
      const rulesExit = await checkRuleFiles(shown);
      if (rulesExit !== 0 && exitCode !== 1) exitCode = rulesExit;
    }
  }
  return exitCode;
}

async function exists(path: string): Promise<string | null> {
  try {
    await stat(path);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `stat ${path}: no such file or directory` : (error as Error).message;
  }
}

async function checkHttpFiles(http: HttpClientConfig): Promise<void> {
  const credentials = http.authorization?.credentialsFile;
  if (credentials !== undefined) {
    const problem = await exists(credentials);
    if (problem) throw new Error(`error checking authorization credentials or bearer token file ${JSON.stringify(credentials)}: ${problem}`);
  }
  const { certFile, keyFile } = http.tlsConfig;
  if (certFile !== undefined && keyFile === undefined) throw new Error(`client cert file ${JSON.stringify(certFile)} specified without client key file`);
  if (keyFile !== undefined && certFile === undefined) throw new Error(`client key file ${JSON.stringify(keyFile)} specified without client cert file`);
  if (certFile !== undefined) {
    const problem = await exists(certFile);
    if (problem) throw new Error(`error checking client cert file ${JSON.stringify(certFile)}: ${problem}`);
  }
  if (keyFile !== undefined) {
    const problem = await exists(keyFile);
    if (problem) throw new Error(`error checking client key file ${JSON.stringify(keyFile)}: ${problem}`);
  }
}

async function checkFileSd(configs: FileSdConfig[], where: string, out: (line: string) => void): Promise<void> {
  for (const sd of configs) {
    for (const pattern of sd.files) {
      const matches = await glob(pattern);
      if (matches.length === 0) {
        out(`  WARNING: file ${JSON.stringify(pattern)} for file_sd in ${where} does not exist`);
        continue;
      }
      for (const f of matches) {
        try {
          await loadFileSdFile(f);
        } catch (error) {
          throw new Error(`checking SD file ${JSON.stringify(pattern)}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  }
}

async function checkOne(file: string, out: (line: string) => void): Promise<{ config: PrometheusConfig; ruleFiles: string[] }> {
  const config = await loadConfigFile(file);
  const ruleFiles: string[] = [];
  for (const pattern of config.ruleFiles) {
    const matches = await glob(pattern);
    if (!pattern.includes('*')) {
      if (matches.length === 0) throw new Error(`${JSON.stringify(pattern)} does not point to an existing file`);
      const problem = await exists(matches[0]);
      if (problem) throw new Error(`error checking rule file ${JSON.stringify(matches[0])}: ${problem}`);
    }
    ruleFiles.push(...matches);
  }
  for (const sc of config.scrapeConfigs) {
    await checkHttpFiles(sc.http);
    await checkFileSd(sc.fileSdConfigs, `scrape job ${JSON.stringify(sc.jobName)}`, out);
  }
  for (const am of config.alerting.alertmanagers) await checkFileSd(am.fileSdConfigs, 'alertmanager config', out);
  return { config, ruleFiles };
}
