/** `vigil check alertmanager FILE…`: amtool check-config for alertmanager.yml files. */
import { checkAlertmanagerCommand } from '../alerting/config/index.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';

export async function checkAlertmanager(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, [], true);
  if (values.help === true) {
    process.stdout.write(
      formatHelp('vigil check alertmanager <config-files>...', 'Checks that alertmanager.yml files and their templates are valid, like amtool check-config.', []),
    );
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one config file');
  return checkAlertmanagerCommand(positionals, (line) => process.stdout.write(line + '\n'));
}
