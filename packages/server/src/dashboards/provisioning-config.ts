import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, YAMLMap } from 'yaml';
import { ConfigError, expandEnv } from '../config/index.ts';
import type { DashboardProvider } from './model.ts';

/** Grafana's default `updateIntervalSeconds`. */
export const DEFAULT_UPDATE_INTERVAL_MS = 10_000;

/**
 * Reads a Grafana dashboard provisioning file (`apiVersion: 1`, `providers: [...]`). Only `type: file`
 * providers exist here, as in Grafana. Environment variables (`$VAR`, `${VAR}`) are expanded in string
 * values as Grafana does; a relative `options.path` is taken relative to the provisioning file.
 * Keys Grafana knows but Vigil has no use for (`orgId`, `disableDeletion`) are accepted.
 * Every problem is reported as `file:line:col: reason`.
 */
export function parseProvisioningFile(text: string, filename: string): DashboardProvider[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (node: YamlNode | null | undefined, fallback = 0) => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? fallback);
    return `${filename}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((error) => `${at(null, error.pos[0])}: yaml: ${error.message.split('\n')[0]}`));
  }
  const problems: string[] = [];
  const root = document.contents;
  if (root === null || root === undefined) return [];
  if (!isMap(root)) throw new ConfigError(`${at(root)}: a dashboard provisioning file is a mapping with "apiVersion" and "providers"`);
  const apiVersion = root.get('apiVersion', true);
  if (apiVersion !== undefined && (!isScalar(apiVersion) || Number(apiVersion.value) !== 1)) problems.push(`${at(apiVersion as YamlNode)}: apiVersion must be 1`);
  const list = root.get('providers', true);
  const providers: DashboardProvider[] = [];
  if (list === undefined || list === null) {
    if (problems.length > 0) throw new ConfigError(problems);
    return [];
  }
  if (!isSeq(list)) throw new ConfigError(`${at(list as YamlNode)}: providers must be a list`);
  const names = new Set<string>();
  list.items.forEach((item, index) => {
    if (!isMap(item)) {
      problems.push(`${at(item as YamlNode)}: providers[${index}] must be a mapping`);
      return;
    }
    const stringValue = (map: YAMLMap, key: string): string | undefined => {
      const node = map.get(key, true) as YamlNode | undefined;
      if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
      if (!isScalar(node) || typeof node.value === 'object') {
        problems.push(`${at(node)}: ${key} must be a string`);
        return undefined;
      }
      return expandEnv(String(node.value));
    };
    const flag = (map: YAMLMap, key: string): boolean => {
      const node = map.get(key, true) as YamlNode | undefined;
      if (node === undefined || (isScalar(node) && node.value === null)) return false;
      if (!isScalar(node) || typeof node.value !== 'boolean') {
        problems.push(`${at(node)}: ${key} must be true or false`);
        return false;
      }
      return node.value;
    };
    const name = stringValue(item, 'name') ?? '';
    if (name === '') problems.push(`${at(item)}: providers[${index}] needs a name`);
    else if (names.has(name)) problems.push(`${at(item.get('name', true) as YamlNode)}: provider name ${JSON.stringify(name)} is used twice`);
    names.add(name);
    const type = stringValue(item, 'type') ?? 'file';
    if (type !== 'file') problems.push(`${at(item.get('type', true) as YamlNode)}: provider type ${JSON.stringify(type)} is not supported (only "file")`);
    const options = item.get('options', true);
    let path = '';
    let foldersFromFilesStructure = false;
    if (!isMap(options)) problems.push(`${at((options as YamlNode | undefined) ?? item)}: providers[${index}] needs options.path`);
    else {
      path = stringValue(options, 'path') ?? '';
      if (path === '') problems.push(`${at(options)}: options.path is required`);
      foldersFromFilesStructure = flag(options, 'foldersFromFilesStructure');
    }
    const intervalNode = item.get('updateIntervalSeconds', true) as YamlNode | undefined;
    let updateIntervalMs = DEFAULT_UPDATE_INTERVAL_MS;
    if (intervalNode !== undefined) {
      const seconds = isScalar(intervalNode) ? Number(intervalNode.value) : Number.NaN;
      if (!Number.isFinite(seconds) || seconds <= 0) problems.push(`${at(intervalNode)}: updateIntervalSeconds must be a positive number`);
      else updateIntervalMs = seconds * 1000;
    }
    const folder = stringValue(item, 'folder') ?? '';
    if (foldersFromFilesStructure && folder !== '') problems.push(`${at(item.get('folder', true) as YamlNode)}: "folder" cannot be combined with options.foldersFromFilesStructure`);
    providers.push({
      name,
      kind: 'provisioned',
      path: path === '' || isAbsolute(path) ? path : resolve(dirname(filename), path),
      folder,
      folderUid: stringValue(item, 'folderUid'),
      allowUiUpdates: flag(item, 'allowUiUpdates'),
      foldersFromFilesStructure,
      updateIntervalMs,
      origin: at(item),
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return providers;
}
