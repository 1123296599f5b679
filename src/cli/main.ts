/** Entry point: builds the command tree and maps outcomes to exit codes. */
import { Command, CommanderError } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerChecksCommand } from './checks.js';
import { registerPolicyCommand } from './policy.js';
import { registerRbacCommand } from './rbac.js';
import { registerPssCommand } from './pss.js';
import { registerScanCommand } from './scan.js';
import { UsageError, VERSION } from './common.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('rampart')
    .description('Kubernetes security toolkit: scan manifests for Pod Security Standards violations and hardening gaps')
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
  registerScanCommand(program, setExitCode);
  registerPssCommand(program, setExitCode);
  registerChecksCommand(program, setExitCode);
  registerRbacCommand(program, setExitCode);
  registerBenchCommand(program, setExitCode);
  registerPolicyCommand(program, setExitCode);
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
