import type { Command } from 'commander';
import { allCheckMetas } from '../checks/index.js';
import { choice, writeOutput } from './common.js';

export function registerChecksCommand(program: Command, _setExitCode: (code: number) => void): void {
  const checks = program.command('checks').description('inspect the check catalogue');
  checks
    .command('list')
    .description('list every built-in check with its severity and framework mappings')
    .option('--format <format>', 'table or json', choice(['table', 'json'] as const), 'table')
    .action(async (options: { format: 'table' | 'json' }) => {
      const metas = allCheckMetas();
      if (options.format === 'json') {
        await writeOutput(`${JSON.stringify({ checks: metas }, null, 2)}\n`, undefined);
        return;
      }
      const lines = metas.map((meta) => `${meta.id.padEnd(34)} ${meta.severity.padEnd(8)} ${meta.title}`);
      await writeOutput(`${['ID'.padEnd(34) + ' SEVERITY TITLE', ...lines].join('\n')}\n`, undefined);
    });
}
