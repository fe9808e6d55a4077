// The `podflow` command: parses options with commander and dispatches to subcommands.
// Exit codes (exit-codes.ts): 0 all valid, 1 invalid, 2 usage or input error, 3 inconclusive, 4 internal error.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { registerExplainCommand } from './explain.ts';
import { registerFuzzCommands } from './fuzz.ts';
import { registerReplayCommand } from './replay.ts';
import { registerListCommand } from './list.ts';
import { registerHistoryCommand } from './history.ts';
import { registerLabCommands } from './lab.ts';
import { registerMutantsCommand } from './mutants.ts';
import { registerClusterCommands } from './cluster.ts';
import { registerTraceCommands } from './trace-commands.ts';
import { UsageError } from './io.ts';
import { EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';

function packageVersion(): string {
  const pkgPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(setExit: (code: number) => void = () => {}): Command {
  const program = new Command();
  program
    .name('podflow')
    .description(
      'Property-based conformance tests and fuzzing for the Contiv-VPP pod-to-pod data path\n' +
        '(pod TAPs, reflective and global ACLs, NAT44 identity mappings, VXLAN between nodes).',
    )
    .version(packageVersion(), '-V, --version', 'print the podflow version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run podflow --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .exitOverride();
  registerExplainCommand(program, setExit);
  registerTraceCommands(program, setExit);
  registerClusterCommands(program, setExit);
  registerFuzzCommands(program, setExit);
  registerReplayCommand(program, setExit);
  registerListCommand(program);
  registerHistoryCommand(program, setExit);
  registerMutantsCommand(program, setExit);
  registerLabCommands(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exit = EXIT_OK;
  const program = buildProgram((code) => {
    exit = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`podflow: ${err.message}\n`);
      return EXIT_USAGE;
    }
    // Anything else is a bug in podflow: say so plainly, with the stack for the bug report.
    process.stderr.write(`podflow: internal error (a bug in podflow; please report it with this output): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_INTERNAL;
  }
  if (argv.length === 0) {
    program.outputHelp();
  }
  return exit;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
