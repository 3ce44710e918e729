import { parseArgs } from 'node:util';

/** One command-line flag, spelled as Prometheus spells it where Prometheus has it. */
export interface FlagSpec {
  name: string;
  help: string;
  default?: string;
  boolean?: boolean;
  multiple?: boolean;
}

export class UsageError extends Error {}

export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses `--name=value`, `--name value` and boolean `--name` flags; unknown flags are usage errors. */
export function parseFlags(args: string[], specs: FlagSpec[], allowPositionals: boolean): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' }, h: { type: 'boolean' } };
  for (const spec of specs) options[spec.name] = spec.multiple === true ? { type: 'string', multiple: true } : { type: spec.boolean === true ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*?: /, ''));
  }
  const values: ParsedFlags['values'] = {};
  for (const spec of specs) values[spec.name] = (parsed.values[spec.name] as string | boolean | string[] | undefined) ?? spec.default;
  values.help = parsed.values.help === true || parsed.values.h === true;
  return { values, positionals: parsed.positionals };
}

export function formatHelp(usage: string, description: string, specs: FlagSpec[]): string {
  const lines = [`usage: ${usage}`, '', description, ''];
  if (specs.length > 0) {
    lines.push('Flags:');
    lines.push('  -h, --help  Show help.');
    for (const spec of specs) {
      const left = spec.boolean === true ? `--${spec.name}` : `--${spec.name}=VALUE`;
      const def = spec.default !== undefined ? ` (default: ${JSON.stringify(spec.default)})` : '';
      lines.push(`  ${left}`);
      lines.push(`      ${spec.help}${def}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** `--name-validation`, which every command that reads rule files takes, as promtool does. */
export const NAME_VALIDATION_FLAG: FlagSpec = {
  name: 'name-validation',
  help: 'Metric and label name rules for the rule files: utf8 (Prometheus 3) or legacy (Prometheus 2).',
  default: 'utf8',
};

/** The `--name-validation` value, or a usage error naming what was given. */
export function nameValidationFlag(values: ParsedFlags['values']): 'utf8' | 'legacy' {
  const value = values[NAME_VALIDATION_FLAG.name];
  if (value !== 'utf8' && value !== 'legacy') throw new UsageError(`--name-validation must be utf8 or legacy, not ${JSON.stringify(value)}`);
  return value;
}
