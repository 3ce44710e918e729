/**
 * file_sd target-group files, read as Prometheus's file discovery reads them: a JSON or YAML list of
 * `{targets: [...], labels: {...}}`. Each group gets `__meta_filepath` and the source `path:index`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isValidLabelName } from '../model/labels.ts';
import { ConfigError } from './errors.ts';
import { ErrorCollector } from './load.ts';
import { targetGroupFileSchema } from './schema.ts';
import type { TargetGroup } from './types.ts';
import { parseYaml } from './yaml.ts';

export const FILE_SD_FILEPATH_LABEL = '__meta_filepath';

/** Reads one file_sd file (.json, .yml or .yaml). Errors name file:line:col. */
export async function loadFileSdFile(path: string): Promise<TargetGroup[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}:1:1: ${(error as Error).message}`);
  }
  return parseFileSd(text, path);
}

/** Parses file_sd content; the format follows the extension of `path`. */
export function parseFileSd(text: string, path: string): TargetGroup[] {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${path}:${jsonErrorPosition(text, (error as Error).message)}: ${(error as Error).message}`);
    }
  } else if (ext !== '.yml' && ext !== '.yaml') {
    throw new ConfigError(`${path}:1:1: unhandled file extension ${JSON.stringify(ext)} (want .json, .yml or .yaml)`);
  }
  const parsed = parseYaml(text, { filename: path, emptyValue: [] });
  const errors = new ErrorCollector(path, parsed);
  const result = targetGroupFileSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    errors.addZodIssues(result.error.issues);
    errors.throwIfAny();
    return [];
  }
  const groups = result.data.map((raw, i): TargetGroup => {
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.labels ?? {})) {
      if (!isValidLabelName(name)) errors.error([i, 'labels', name], `${JSON.stringify(name)} is not a valid label name`, true);
      labels[name] = value;
    }
    labels[FILE_SD_FILEPATH_LABEL] = path;
    return { targets: raw.targets ?? [], labels, source: `${path}:${i}` };
  });
  errors.throwIfAny();
  return groups;
}

function jsonErrorPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  let offset = m ? Number(m[1]) : text.length;
  if (offset > text.length) offset = text.length;
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}
