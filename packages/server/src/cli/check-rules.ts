/**
 * `vigil check rules FILE…`, like `promtool check rules`: `Checking FILE`, then `  SUCCESS: N rules
 * found` or `  FAILED:` with every error (file:line:col), a blank line after each file. Exit 1 when a
 * file has errors; duplicate rules (`--lint=duplicate-rules`, the default) are reported but only fail
 * with `--lint-fatal` (exit 3), as promtool does.
 */
import { readRuleFile } from '../rules/index.ts';
import type { RuleGroupDefinition } from '../rules/index.ts';
import { NAME_VALIDATION_FLAG, UsageError, formatHelp, nameValidationFlag, parseFlags } from './flags.ts';
import type { FlagSpec } from './flags.ts';

const FLAGS: FlagSpec[] = [
  { name: 'lint', help: 'Linting checks to apply: all, duplicate-rules, none (comma-separated).', default: 'duplicate-rules' },
  { name: 'lint-fatal', help: 'Make lint errors exit with exit code 3.', boolean: true },
  NAME_VALIDATION_FLAG,
];

export interface CheckRulesOptions {
  lint: string;
  lintFatal: boolean;
  nameValidation: 'utf8' | 'legacy';
}

export async function checkRules(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil check rules [<flags>] <rule-files>...', 'Checks that Prometheus rule files are valid, like promtool check rules.', FLAGS));
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one rule file');
  const nameValidation = nameValidationFlag(values);
  return checkRuleFiles(
    positionals,
    { lint: String(values.lint), lintFatal: values['lint-fatal'] === true, nameValidation },
    (line) => process.stdout.write(line + '\n'),
    (line) => process.stderr.write(line + '\n'),
  );
}

/** Checks each file, writing promtool's lines; returns the exit code. */
export async function checkRuleFiles(files: readonly string[], options: CheckRulesOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const lint = new Set(options.lint.split(','));
  for (const setting of lint) if (!['all', 'duplicate-rules', 'none'].includes(setting)) out(`WARNING: unknown lint option ${setting}`);
  const lintDuplicates = lint.has('all') || lint.has('duplicate-rules');
  let failed = false;
  let hasErrors = false;
  for (const file of files) {
    out(`Checking ${file}`);
    const parsed = await readRuleFile(file, { nameValidation: options.nameValidation });
    if (parsed.errors.length > 0) {
      failed = true;
      hasErrors = true;
      err('  FAILED:');
      for (const line of parsed.errors) err(line);
    } else {
      const duplicates = lintDuplicates ? duplicateRules(parsed.groups) : [];
      if (duplicates.length > 0) {
        failed = true;
        err('  FAILED:');
        const lines = [`lint error ${duplicates.length} duplicate rule(s) found.`];
        for (const duplicate of duplicates) {
          lines.push(`Metric: ${duplicate.metric}`, 'Label(s):');
          for (const name of Object.keys(duplicate.labels).sort()) lines.push(`\t${name}: ${duplicate.labels[name]}`);
        }
        lines.push('Might cause inconsistency while recording expressions');
        err(lines.join('\n'));
      } else {
        out(`  SUCCESS: ${parsed.groups.reduce((sum, group) => sum + group.rules.length, 0)} rules found`);
      }
    }
    out('');
  }
  if (failed && hasErrors) return 1;
  if (failed && options.lintFatal) return 3;
  return 0;
}

/** promtool's checkDuplicates: rules with the same name and labels, each reported once, sorted. */
export function duplicateRules(groups: readonly RuleGroupDefinition[]): { metric: string; labels: Record<string, string> }[] {
  const rules = groups.flatMap((group) => group.rules.map((rule) => ({ metric: rule.name, labels: rule.labels, key: `${rule.name}\u0000${labelsText(rule.labels)}` })));
  rules.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : compareLabelText(a.labels, b.labels)));
  const duplicates: { metric: string; labels: Record<string, string>; key: string }[] = [];
  for (let i = 1; i < rules.length; i++) {
    if (rules[i].key !== rules[i - 1].key) continue;
    if (duplicates.length === 0 || duplicates[duplicates.length - 1].key !== rules[i].key) duplicates.push(rules[i]);
  }
  return duplicates.map(({ metric, labels }) => ({ metric, labels }));
}

function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join('\u0000');
}

function compareLabelText(a: Record<string, string>, b: Record<string, string>): number {
  const x = Object.keys(a).sort().flatMap((name) => [name, a[name]]);
  const y = Object.keys(b).sort().flatMap((name) => [name, b[name]]);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x.length - y.length;
}
