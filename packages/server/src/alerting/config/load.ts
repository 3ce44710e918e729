/**
 * Loading alertmanager.yml: YAML → zod → build, with every problem reported as `file:line:col: reason`
 * and the old config left in place by the caller when loading fails.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../config/errors.ts';
import { ErrorCollector, readConfigText } from '../../config/load.ts';
import type { ParsedYaml, Path } from '../../config/yaml.ts';
import { parseYaml } from '../../config/yaml.ts';
import { buildAlertmanagerConfig } from './build.ts';
import { alertmanagerConfigSchema } from './schema.ts';
import type { ConfigWarning, LoadedAlertmanagerConfig } from './types.ts';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Seed 000's quirk: `subject:` (and `body:`) written directly in an `email_configs` entry. Alertmanager
 * rejects both ("field subject not found"); Vigil takes `subject` as the Subject header and `body` as
 * the text body, with a warning at the key, so that file runs as written. Rewrites the parsed value
 * in place before the strict schema sees it.
 */
function acceptEmailShorthands(parsed: ParsedYaml, filename: string, warnings: ConfigWarning[]): void {
  const root = parsed.value;
  if (!isMapping(root) || !Array.isArray(root.receivers)) return;
  root.receivers.forEach((receiver: unknown, i: number) => {
    if (!isMapping(receiver) || !Array.isArray(receiver.email_configs)) return;
    receiver.email_configs.forEach((email: unknown, k: number) => {
      if (!isMapping(email)) return;
      const path: Path = ['receivers', i, 'email_configs', k];
      const warn = (key: string, message: string) => {
        const position = parsed.locateKey([...path, key]);
        warnings.push({ file: filename, line: position.line, col: position.col, message });
      };
      if (Object.hasOwn(email, 'subject')) {
        const headers = isMapping(email.headers) ? email.headers : {};
        const hasSubject = Object.keys(headers).some((name) => name.toLowerCase() === 'subject');
        if (hasSubject) {
          warn('subject', 'field subject is not an Alertmanager email_configs field (Alertmanager rejects it); ignored because headers sets Subject');
        } else {
          warn('subject', 'field subject is not an Alertmanager email_configs field (Alertmanager rejects it); Vigil uses it as the Subject header (write headers: {Subject: ...})');
          email.headers = { ...headers, Subject: email.subject };
        }
        delete email.subject;
      }
      if (Object.hasOwn(email, 'body')) {
        if (email.text !== undefined) {
          warn('body', 'field body is not an Alertmanager email_configs field (Alertmanager rejects it); ignored because text is set');
        } else {
          warn('body', 'field body is not an Alertmanager email_configs field (Alertmanager rejects it); Vigil uses it as the text body (write text: ...)');
          email.text = email.body;
        }
        delete email.body;
      }
    });
  });
}

/**
 * Parses alertmanager.yml text. `filename` names the file in messages and anchors relative
 * `templates` patterns (its directory). Throws a ConfigError listing every problem found.
 */
export function parseAlertmanagerConfig(text: string, filename: string): LoadedAlertmanagerConfig {
  const parsed = parseYaml(text, { filename });
  const errors = new ErrorCollector(filename, parsed);
  if (!isMapping(parsed.value)) {
    errors.error([], `cannot unmarshal ${Array.isArray(parsed.value) ? '!!seq' : 'a scalar'} into the config: the top level must be a mapping`);
    errors.throwIfAny();
  }
  if (Object.keys(parsed.value as Record<string, unknown>).length === 0) {
    // An empty document: Alertmanager's own check, made outside its (never called) UnmarshalYAML.
    errors.error([], 'no route provided in config');
    errors.throwIfAny();
  }
  const warnings: ConfigWarning[] = [];
  acceptEmailShorthands(parsed, filename, warnings);
  const result = alertmanagerConfigSchema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) {
    errors.addZodIssues(result.error.issues);
    errors.throwIfAny();
    throw new ConfigError(`${filename}:1:1: invalid config`);
  }
  const config = buildAlertmanagerConfig(result.data, { dir: dirname(resolve(filename)), reporter: errors });
  errors.throwIfAny();
  return { config, warnings };
}

/** Reads and parses an alertmanager.yml. */
export async function loadAlertmanagerConfig(file: string): Promise<LoadedAlertmanagerConfig> {
  return parseAlertmanagerConfig(await readConfigText(file), file);
}

/** A warning as one line: `file:line:col: message`. */
export function formatWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.col}: ${warning.message}`;
}
