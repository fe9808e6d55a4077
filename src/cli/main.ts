// The `podflow` command: parses options with commander and dispatches to subcommands.
// Exit codes (STYLE.md §8): 0 all valid, 1 some invalid, 2 only unknowns or a usage error.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { registerExplainCommand } from './explain.ts';
import { registerFuzzCommands } from './fuzz.ts';
import { registerLabCommands } from './lab.ts';
import { registerMutantsCommand } from './mutants.ts';
import { registerPoliciesCommands } from './policies.ts';
import { registerTraceCommands } from './trace-commands.ts';
import { UsageError } from './io.ts';

/** Exit codes, documented in --help and the README: every podflow command uses these. */
export const EXIT_OK = 0;
/** some property is invalid (a counterexample was found), or a replayed entry still fails */
export const EXIT_INVALID = 1;
/** bad command line or bad input file (one line naming the file and field) */
export const EXIT_USAGE = 2;
/** inconclusive: unknowns over the threshold, nothing checked, or interrupted before any check */
export const EXIT_INCONCLUSIVE = 3;
/** a bug in podflow */
export const EXIT_INTERNAL = 4;

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
    .exitOverride();
  registerExplainCommand(program, setExit);
  registerTraceCommands(program, setExit);
  registerPoliciesCommands(program, setExit);
  registerFuzzCommands(program, setExit);
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
    // Anything else is a bug in podflow: say so plainly, with the stack for the report.
    process.stderr.write(`podflow: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_USAGE;
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
