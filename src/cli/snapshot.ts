import type { Command } from 'commander';
import { addClusterOptions, type ClusterFlags } from '../cluster/options.js';
import { loadConfigForCommand } from './common.js';

interface SnapshotFlags extends ClusterFlags {
  output?: string;
  config?: string;
}

export function registerSnapshotCommand(program: Command, setExitCode: (code: number) => void): void {
  addClusterOptions(program.command('snapshot'), false)
    .description('save what a cluster scan reads as YAML (Secret values redacted), to scan or analyse offline later')
    .option('-o, --output <file>', 'write the snapshot to this file (default: stdout)')
    .option('-c, --config <file>', 'config file (its podTemplates add custom resources to read)')
    .action(async (flags: SnapshotFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const { writeSnapshot } = await import('../cluster/snapshot.js');
      const outcome = await writeSnapshot(flags, config, flags.output);
      for (const diagnostic of outcome.diagnostics) process.stderr.write(`rampart: ${diagnostic.severity}: ${diagnostic.message}\n`);
      if (flags.output !== undefined && flags.output !== '-') process.stderr.write(`rampart: ${outcome.objects} objects of context "${outcome.context}" written to ${flags.output}\n`);
      if (outcome.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(2);
    });
}
