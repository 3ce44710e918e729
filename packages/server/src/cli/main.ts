import { UsageError } from './flags.ts';
import { VERSION } from './version.ts';

/** A `vigil` sub-command: its words, a line of help, and what it runs. */
interface Command {
  words: string[];
  summary: string;
  run: (args: string[]) => Promise<number>;
}

const COMMANDS: Command[] = [
  { words: ['start'], summary: 'Run the Vigil server (the default when no command is given).', run: async (args) => (await import('./start.ts')).startCommand(args) },
  { words: ['check', 'config'], summary: 'Check prometheus.yml files, like promtool check config.', run: async (args) => (await import('./check.ts')).checkConfig(args) },
  { words: ['check', 'rules'], summary: 'Check Prometheus rule files, like promtool check rules.', run: async (args) => (await import('./check-rules.ts')).checkRules(args) },
  { words: ['check', 'alertmanager'], summary: 'Check alertmanager.yml files and their templates, like amtool check-config.', run: async (args) => (await import('./check-alertmanager.ts')).checkAlertmanager(args) },
  { words: ['query'], summary: 'Run an instant or range query against a server, like promtool query instant|range.', run: async (args) => (await import('./query.ts')).queryCommand(args) },
  { words: ['import'], summary: 'Backfill OpenMetrics/Prometheus text files into blocks, like promtool tsdb create-blocks-from openmetrics.', run: async (args) => (await import('./import.ts')).importCommand(args) },
  { words: ['test', 'rules'], summary: 'Run rule unit-test files, like promtool test rules.', run: async (args) => (await import('./test-rules.ts')).testRulesCommand(args) },
  { words: ['promql-test'], summary: 'Run PromQL test files (promqltest format) against the engine.', run: async (args) => (await import('./promql-test.ts')).promqlTestCommand(args) },
  { words: ['routes', 'test'], summary: 'Print the receivers labels are routed to, like amtool config routes test.', run: async (args) => (await import('./routes.ts')).routesTest(args) },
  { words: ['routes', 'show'], summary: 'Print the routing tree of an alertmanager.yml, like amtool config routes show.', run: async (args) => (await import('./routes.ts')).routesShow(args) },
  { words: ['routes'], summary: 'Same as routes show.', run: async (args) => (await import('./routes.ts')).routesShow(args) },
  { words: ['version'], summary: 'Print the version.', run: async () => (console.log(`vigil, version ${VERSION}`), 0) },
];

export function usage(): string {
  const lines = ['usage: vigil [<command>] [<flags>] [<args> ...]', '', 'Vigil: Prometheus-compatible monitoring in one process.', '', 'Commands:'];
  const width = Math.max(...COMMANDS.map((command) => command.words.join(' ').length));
  for (const command of COMMANDS) lines.push(`  ${command.words.join(' ').padEnd(width)}  ${command.summary}`);
  lines.push('', 'Run "vigil <command> --help" for the flags of a command.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0].startsWith('-')) {
    if (argv[0] === '--help' || argv[0] === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    if (argv[0] === '--version') {
      console.log(`vigil, version ${VERSION}`);
      return 0;
    }
    return run(COMMANDS[0], argv);
  }
  if (argv[0] === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.words.every((word, i) => argv[i] === word));
  if (command === undefined) {
    const group = COMMANDS.filter((c) => c.words[0] === argv[0]);
    if (group.length > 0 && (argv[1] === undefined || argv[1].startsWith('-'))) {
      process.stderr.write(`vigil ${argv[0]}: expected one of: ${group.map((c) => c.words.slice(1).join(' ')).join(', ')}\n`);
    } else {
      process.stderr.write(`vigil: unknown command ${JSON.stringify(argv.slice(0, 2).join(' '))}\n\n${usage()}`);
    }
    return 2;
  }
  return run(command, argv.slice(command.words.length));
}

async function run(command: Command, args: string[]): Promise<number> {
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`vigil ${command.words.join(' ')}: ${error.message}\nRun "vigil ${command.words.join(' ')} --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`vigil ${command.words.join(' ')}: ${(error as Error).message}\n`);
    return 1;
  }
}
