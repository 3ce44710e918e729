import { checkConfigCommand } from '../config/index.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';

export async function checkConfig(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, [], true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil check config <config-files>...', 'Checks that prometheus.yml files are valid, like promtool check config.', []));
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one config file');
  return checkConfigCommand(positionals, (line) => process.stdout.write(line + '\n'));
}
