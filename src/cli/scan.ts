import type { Command } from 'commander';
import { OBJECT_CHECKS } from '../checks/index.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { Scanner, worstSeverity } from '../engine/scan.js';
import { loadFiles } from '../load/load.js';
import { BUILTIN_POD_TEMPLATE_LOCATIONS, DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS, PodTemplateFinder } from '../model/podTemplates.js';
import { severityRank, type Severity } from '../model/types.js';
import { renderJson } from '../report/json.js';
import { choice, parseSeverity, UsageError, VERSION, writeOutput } from './common.js';

const FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
type Format = (typeof FORMATS)[number];

interface ScanFlags {
  format: Format;
  output?: string;
  failOn?: Severity;
  config?: string;
}

export function registerScanCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('scan')
    .description('scan manifests (files, directories, or - for stdin) and report findings')
    .argument('<paths...>', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, choice(FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high)', parseSeverity)
    .option('-c, --config <file>', 'config file (YAML)')
    .action(async (paths: string[], flags: ScanFlags) => {
      let config;
      try {
        config = await loadConfig(flags.config);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
      const scanner = new Scanner({
        checks: OBJECT_CHECKS.filter((check) => !config.disabledChecks.has(check.meta.id)),
        podTemplates: new PodTemplateFinder([...BUILTIN_POD_TEMPLATE_LOCATIONS, ...DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS, ...config.podTemplates]),
      });
      for await (const batch of loadFiles(paths, config.limits)) {
        scanner.noteFile(batch.file);
        scanner.addDiagnostics(batch.diagnostics);
        for (const object of batch.objects) scanner.add(object);
      }
      const result = scanner.finish();
      await writeOutput(renderJson(result, { tool: { name: 'rampart', version: VERSION } }), flags.output);
      const failOn = flags.failOn ?? config.failOn ?? 'high';
      const worst = worstSeverity(result.findings);
      const inputError = result.diagnostics.some((diagnostic) => diagnostic.severity === 'error' && diagnostic.code === 'path-not-found');
      if (inputError) setExitCode(2);
      else if (worst !== undefined && severityRank(worst) >= severityRank(failOn)) setExitCode(1);
    });
}
