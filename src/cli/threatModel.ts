/** `rampart threat-model`: the threat model and attack graph of the input. Also the analysis `rampart report` runs. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RampartConfig } from '../config/config.js';
import { loadBootstrapPolicy } from '../rbac/defaults/index.js';
import { PathInputBuilder } from '../rbac/paths.js';
import { RbacPolicyBuilder } from '../rbac/policy.js';
import { buildAttackGraph, type AttackGraph } from '../threat/attackGraph.js';
import { buildThreatModel } from '../threat/build.js';
import { BenchFileError, parseBenchJson, ThreatInputCollector, type BenchData, type ThreatInput } from '../threat/input.js';
import type { ThreatModel } from '../threat/model.js';
import { renderThreatModel, THREAT_FORMATS, type ThreatFormat } from '../threat/render.js';
import { choice, loadConfigForCommand, podTemplateFinderFor, UsageError, writeOutput } from './common.js';
import { runScan, type ScanRun } from './scan.js';

export interface Analysis {
  readonly scan: ScanRun;
  readonly input: ThreatInput;
  readonly model: ThreatModel;
  readonly graph: AttackGraph;
  readonly bench: BenchData | undefined;
}

interface ThreatModelFlags {
  snapshot: string[];
  bench?: string;
  format: ThreatFormat;
  output?: string;
  config?: string;
}

export async function readBench(file: string | undefined): Promise<BenchData | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --bench file ${file}`);
  }
  try {
    return parseBenchJson(text, file);
  } catch (error) {
    if (error instanceof BenchFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** Scan, RBAC graph, threat model and attack graph over the same objects, read once. */
export async function analyse(paths: readonly string[], config: RampartConfig, bench: BenchData | undefined, options: { allowEmpty?: boolean } = {}): Promise<Analysis> {
  if (paths.length === 0 && options.allowEmpty !== true) throw new UsageError('nothing to read: give PATH... or --snapshot FILE');
  const collector = new ThreatInputCollector(podTemplateFinderFor(config));
  // The bootstrap roles (cluster-admin, admin, edit, view, …) resolve the bindings that name them; their
  // own bindings are not starts of the attack graph (as `rbac paths --with-defaults`).
  const rbac = new RbacPolicyBuilder({});
  for (const object of loadBootstrapPolicy().objects) rbac.add(object, { isDefault: true });
  const pathInputs = new PathInputBuilder(podTemplateFinderFor(config));
  const scan = await runScan([...paths], config, { policies: [], inlineExceptions: true }, (object) => {
    collector.observe(object);
    rbac.add(object);
    pathInputs.add(object);
  });
  const input = collector.finish();
  const model = buildThreatModel(input, scan.result, bench === undefined ? {} : { bench });
  const graph = buildAttackGraph({ input, policy: rbac.finish(), paths: pathInputs.finish(), model });
  return { scan, input, model, graph, bench };
}

export function registerThreatModelCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('threat-model')
    .description('threat model (STRIDE, MITRE ATT&CK, Microsoft Threat Matrix) and attack graph of manifests, each threat marked mitigated or open by check results')
    .argument('[paths...]', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('--snapshot <file>', 'a YAML/JSON file of Kubernetes objects saved from a cluster (kubectl get -o yaml); repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--bench <file>', 'node benchmark results (`rampart bench --format json`) for the control-plane components')
    .option('-f, --format <format>', `output format: ${THREAT_FORMATS.join(', ')}`, choice(THREAT_FORMATS), 'table')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
    .action(async (paths: string[], flags: ThreatModelFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const bench = await readBench(flags.bench);
      const analysis = await analyse([...paths, ...flags.snapshot], config, bench);
      await writeOutput(renderThreatModel(flags.format, analysis.model, analysis.graph), flags.output);
      if (analysis.scan.result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
        for (const diagnostic of analysis.scan.result.diagnostics.filter((entry) => entry.severity === 'error').slice(0, 10)) {
          process.stderr.write(`rampart: ${diagnostic.file}${diagnostic.line === undefined ? '' : `:${diagnostic.line}`}: ${diagnostic.message}\n`);
        }
        setExitCode(2);
      } else if (analysis.model.summary.open > 0) setExitCode(1);
    });
}
