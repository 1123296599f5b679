import type { Command } from 'commander';
import { exceptionClock } from '../exceptions/exceptions.js';
import { buildExceptionsReport, renderExceptionsTable } from '../exceptions/report.js';
import { choice, loadConfigForCommand, writeOutput } from './common.js';
import { runScan } from './scan.js';

interface ExceptionsReportFlags {
  format: 'table' | 'json';
  config?: string;
  output?: string;
  inlineExceptions: boolean;
}

export function registerExceptionsCommand(program: Command, setExitCode: (code: number) => void): void {
  const exceptions = program.command('exceptions').description('exceptions (accepted risks): see docs/exceptions.md');
  exceptions
    .command('report')
    .description('scan, then list every exception (inline and from the config file) with who, why, until when, what it matched, and the expired and stale ones')
    .argument('<paths...>', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('-c, --config <file>', 'config file (YAML) with central exceptions, see docs/config.md')
    .option('-f, --format <format>', 'output format: table, json', choice(['table', 'json'] as const), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-inline-exceptions', 'ignore exceptions written in object annotations')
    .action(async (paths: string[], flags: ExceptionsReportFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const run = await runScan(paths, config, { policies: [], inlineExceptions: flags.inlineExceptions });
      const report = buildExceptionsReport(run.exceptions.exceptions, { now: exceptionClock(), inlineExceptions: flags.inlineExceptions });
      await writeOutput(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderExceptionsTable(report), flags.output);
      // Input Rampart could not read (exit 2, as for scan): an exception in an unread file is not listed.
      if (run.result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) setExitCode(2);
    });
}
