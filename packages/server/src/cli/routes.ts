/**
 * `vigil routes test` and `vigil routes show`: amtool's `config routes test` (the receivers a label
 * set is routed to, comma-separated, in order) and `config routes show` (the routing tree), on an
 * alertmanager.yml file, with amtool's output.
 */
import { formatWarning, loadAlertmanagerConfig } from '../alerting/config/index.ts';
import { parseLabelArguments } from '../alerting/matchers/index.ts';
import type { Route } from '../alerting/routes/index.ts';
import { buildRoutingTree, formatMatchingTree, formatRoutingTree } from '../alerting/routes/index.ts';
import type { LabelSet } from '../alerting/types.ts';
import type { FlagSpec } from './flags.ts';
import { UsageError, formatHelp, parseFlags } from './flags.ts';

const CONFIG_FLAG: FlagSpec = { name: 'config.file', help: 'The alertmanager.yml to use (or give it as the first argument).' };
const TEST_FLAGS: FlagSpec[] = [
  CONFIG_FLAG,
  { name: 'tree', help: 'Print the matching routes tree too.', boolean: true },
  { name: 'verify.receivers', help: 'Fail unless the labels route to exactly these receivers (comma-separated, in order).' },
];

/** The receivers of the routes the labels match, in order, as amtool joins them. */
export function resolveReceivers(root: Route, labels: LabelSet): string[] {
  return root.match(labels).map((route) => route.options.receiver);
}

async function loadTree(file: string): Promise<Route> {
  const { config, warnings } = await loadAlertmanagerConfig(file);
  for (const warning of warnings) process.stderr.write(`WARNING: ${formatWarning(warning)}\n`);
  return buildRoutingTree(config.route);
}

function configFile(values: Record<string, unknown>, positionals: string[]): { file: string; rest: string[] } {
  const flag = values['config.file'];
  if (typeof flag === 'string' && flag !== '') return { file: flag, rest: positionals };
  if (positionals.length === 0) throw new UsageError('expected an alertmanager.yml (argument or --config.file)');
  return { file: positionals[0], rest: positionals.slice(1) };
}

export async function routesTest(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, TEST_FLAGS, true);
  if (values.help === true) {
    process.stdout.write(
      formatHelp(
        'vigil routes test [<flags>] [<alertmanager.yml>] [<label=value>...]',
        'Prints the receivers an alert with these labels is routed to, like amtool config routes test.',
        TEST_FLAGS,
      ),
    );
    return 0;
  }
  const { file, rest } = configFile(values, positionals);
  const root = await loadTree(file);
  let labels: LabelSet;
  try {
    labels = parseLabelArguments(rest);
  } catch (error) {
    process.stderr.write(`vigil routes test: Failed to parse labels: ${(error as Error).message}\n`);
    return 1;
  }
  if (values.tree === true) process.stdout.write(formatMatchingTree(root, labels));
  const receivers = resolveReceivers(root, labels).join(',');
  process.stdout.write(`${receivers}\n`);
  const expected = values['verify.receivers'];
  if (typeof expected === 'string' && expected !== '' && expected !== receivers) {
    process.stdout.write('WARNING: Expected receivers did not match resolved receivers.\n');
    return 1;
  }
  return 0;
}

export async function routesShow(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, [CONFIG_FLAG], true);
  if (values.help === true) {
    process.stdout.write(formatHelp('vigil routes [show] [<flags>] [<alertmanager.yml>]', 'Prints the routing tree, like amtool config routes show.', [CONFIG_FLAG]));
    return 0;
  }
  const { file, rest } = configFile(values, positionals);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  process.stdout.write(formatRoutingTree(await loadTree(file)));
  return 0;
}
