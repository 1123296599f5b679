/** Entry point: builds the command tree and maps outcomes to exit codes. */
import { Command, CommanderError } from 'commander';
import { UsageError, VERSION } from './common.js';

type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;

/**
 * The commands, in help order. Each module is imported only when it is needed:
 * `rampart scan` does not load the CIS benchmark, CEL or the RBAC graph, which
 * cost a few hundred milliseconds of module loading (BENCHMARKS.md). When the
 * first argument names a command, only that one is registered; otherwise
 * (--help, --version, a typo) all are, so help and suggestions are unchanged.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<RegisterCommand>]> = [
  ['scan', async () => (await import('./scan.js')).registerScanCommand],
  ['pss', async () => (await import('./pss.js')).registerPssCommand],
  ['checks', async () => (await import('./checks.js')).registerChecksCommand],
  ['rbac', async () => (await import('./rbac.js')).registerRbacCommand],
  ['bench', async () => (await import('./bench.js')).registerBenchCommand],
  ['policy', async () => (await import('./policy.js')).registerPolicyCommand],
  ['exceptions', async () => (await import('./exceptions.js')).registerExceptionsCommand],
  ['fix', async () => (await import('./fix.js')).registerFixCommand],
  ['admission', async () => (await import('./admission.js')).registerAdmissionCommand],
  ['detect', async () => (await import('./detect.js')).registerDetectCommand],
  ['audit2rbac', async () => (await import('./audit2rbac.js')).registerAudit2RbacCommand],
  ['threat-model', async () => (await import('./threatModel.js')).registerThreatModelCommand],
  ['report', async () => (await import('./report.js')).registerReportCommand],
  ['image', async () => (await import('./image.js')).registerImageCommand],
  ['db', async () => (await import('./db.js')).registerDbCommand],
  ['snapshot', async () => (await import('./snapshot.js')).registerSnapshotCommand],
  ['watch', async () => (await import('./watch.js')).registerWatchCommand],
];

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('rampart')
    .description('Kubernetes security toolkit: harden manifests and clusters, enforce at admission, scan images, detect threats in audit logs, and model threats, with one engine')
    .version(VERSION, '-V, --version')
    // Options after a command name belong to the command (`rampart pss --version v1.30`).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });
  let exitCode = EXIT_OK;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  // `--version` alone needs no command module: answering it before loading them keeps it instant.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program, setExitCode);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`rampart: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
