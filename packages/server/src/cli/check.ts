import { checkConfigCommand } from '../config/index.ts';
import { checkRuleFiles } from './check-rules.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';

export async function checkConfig(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, [], true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil check config <config-files>...', 'Checks that prometheus.yml files and the rule files they list are valid, like promtool check config.', []));
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one config file');
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');
  return checkConfigCommand(positionals, out, (ruleFiles) => checkRuleFiles(ruleFiles, { lint: 'duplicate-rules', lintFatal: false, nameValidation: 'utf8' }, out, err));
}
