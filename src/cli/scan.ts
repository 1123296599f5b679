import type { Command } from 'commander';
import { hardeningChecks } from '../checks/index.js';
import { createPssDeferredCheck, resolvePssVersion } from '../checks/pss/index.js';
import { createRbacScanCheck } from '../checks/rbac/index.js';
import type { RampartConfig } from '../config/config.js';
import { Scanner, withFindings, worstSeverity, type ScanResult } from '../engine/scan.js';
import { applyBaseline, BaselineError, parseBaseline } from '../exceptions/baseline.js';
import { ObjectPlaces } from '../fix/plan.js';
import { applyExceptions, exceptionClock, ExceptionCollector, type ExceptionOutcome, type ExceptionRule } from '../exceptions/exceptions.js';
import { addClusterOptions, type ClusterFlags } from '../cluster/options.js';
import { loadFiles, type FileBatch } from '../load/load.js';
import { severityRank, type KubeObject, type Severity } from '../model/types.js';
import type { LoadedCelChecks } from '../policy/checks/celChecks.js';
import { REPORT_FORMATS, renderReportChunks, type ReportFormat } from '../report/index.js';
import { choice, loadConfigForCommand, parseSeverity, podTemplateFinderFor, UsageError, VERSION, writeOutput } from './common.js';

interface ScanFlags extends ClusterFlags {
  format: ReportFormat;
  output?: string;
  failOn?: Severity;
  config?: string;
  pssLevel?: 'baseline' | 'restricted';
  pssVersion?: string;
  policies: string[];
  inlineExceptions: boolean;
  baseline?: string;
  images?: string;
  imageDb?: string;
}

export interface ScanRun {
  readonly result: ScanResult;
  readonly exceptions: ExceptionOutcome;
  readonly pss: { readonly level: 'baseline' | 'restricted'; readonly version: string; readonly requestedVersion: string };
}

/** Loads, scans and applies exceptions; shared by `scan` and `exceptions report`. */
export async function runScan(
  paths: string[],
  config: RampartConfig,
  flags: Pick<ScanFlags, 'pssLevel' | 'pssVersion' | 'policies' | 'inlineExceptions'>,
  observe?: (object: KubeObject) => void,
  input?: AsyncIterable<FileBatch>,
): Promise<ScanRun> {
  const pssLevel = flags.pssLevel ?? config.pss.level;
  const requestedVersion = flags.pssVersion ?? config.pss.version;
  if (!/^(latest|v1\.\d+)$/.test(requestedVersion)) throw new UsageError(`--pss-version must be latest or v1.N, got ${JSON.stringify(requestedVersion)}`);
  // CEL and its libraries are loaded only when --policies asks for them: about 150 ms of module loading.
  const custom: LoadedCelChecks =
    flags.policies.length === 0 ? { checks: [], diagnostics: [] } : await (await import('../policy/checks/load.js')).loadCelChecks(flags.policies, config.limits);
  const scanner = new Scanner({
    checks: [...hardeningChecks({ allowedRegistries: config.allowedRegistries }), ...custom.checks].filter((check) => !config.disabledChecks.has(check.meta.id)),
    podTemplates: podTemplateFinderFor(config),
    deferredPodChecks: [createPssDeferredCheck({ level: pssLevel, version: requestedVersion, disabledChecks: config.disabledChecks })],
    wholeInputChecks: [createRbacScanCheck({ disabledChecks: config.disabledChecks })],
  });
  scanner.addDiagnostics(custom.diagnostics);
  const collector = new ExceptionCollector({ inline: flags.inlineExceptions, keepLabels: config.exceptions.some((entry) => entry.match.labels !== undefined) });
  for await (const batch of input ?? loadFiles(paths, config.limits)) {
    scanner.noteFile(batch.file);
    scanner.addDiagnostics(batch.diagnostics);
    for (const object of batch.objects) {
      scanner.add(object);
      collector.observe(object);
      observe?.(object);
    }
  }
  scanner.addDiagnostics(collector.diagnostics);
  const central: ExceptionRule[] = config.exceptions.map((entry) => ({ ...entry, source: 'config' }));
  const exceptions = applyExceptions(scanner.finish(), [...collector.inline, ...central], { now: exceptionClock(), labels: collector.labels });
  return { result: exceptions.result, exceptions, pss: { level: pssLevel, version: resolvePssVersion(requestedVersion), requestedVersion } };
}

export function registerScanCommand(program: Command, setExitCode: (code: number) => void): void {
  addClusterOptions(program.command('scan'), true)
    .description('scan manifests (files, directories, or - for stdin), or a live cluster with --cluster, and report findings')
    .argument('[paths...]', 'files or directories (.yaml, .yml, .json), or - for stdin')
    .option('-f, --format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, choice(REPORT_FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high)', parseSeverity)
    .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
    .option('--pss-level <level>', 'Pod Security level for pods whose namespace has no pod-security labels (default: restricted)', choice(['baseline', 'restricted'] as const))
    .option('--pss-version <version>', 'Pod Security Standards policy version: v1.N or latest (default: latest)')
    .option('--policies <path>', 'custom checks in CEL (CelCheck YAML files or directories, see docs/cel.md); repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--baseline <file>', 'report only findings that are not in this earlier JSON report (rampart scan --format json)')
    .option('--no-inline-exceptions', 'ignore exceptions written in object annotations (only the config file may grant them)')
    .option('--images <dir>', 'also scan the images the workloads reference, from this directory of image archives and OCI layouts, judged with how each container runs them (docs/images.md)')
    .option('--image-db <file>', 'vulnerability database for --images (default: the one rampart db import writes)')
    .action(async (paths: string[], flags: ScanFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const baseline = flags.baseline === undefined ? undefined : await readBaseline(flags.baseline);
      if ((flags.cluster === true) === (paths.length > 0)) throw new UsageError(flags.cluster === true ? '--cluster reads the cluster: give no paths (use --source-map DIR to name manifests)' : 'give the paths to scan, or --cluster');
      if (flags.cluster !== true && [flags.kubeconfig, flags.context, flags.namespace, flags.sourceMap].some((value) => value !== undefined)) throw new UsageError('--kubeconfig, --context, -n and --source-map need --cluster');
      const cluster = flags.cluster === true ? await import('../cluster/scan.js') : undefined;
      const input = cluster === undefined ? undefined : await cluster.clusterScanInput(flags, config);
      // SARIF carries each fixable finding's fix, computed from where each object sits in its file (files only).
      const places = flags.format === 'sarif' && cluster === undefined ? new ObjectPlaces() : undefined;
      if (flags.imageDb !== undefined && flags.images === undefined) throw new UsageError('--image-db needs --images');
      // --images keeps the workloads' objects until their images are judged.
      const workloads: KubeObject[] = [];
      const finder = flags.images === undefined ? undefined : podTemplateFinderFor(config);
      const observe = (object: KubeObject): void => {
        places?.observe(object);
        if (finder?.bearsPods(object) === true) workloads.push(object);
      };
      const run = await runScan(paths, config, flags, places === undefined && finder === undefined ? undefined : observe, input);
      cluster?.orderClusterResult(run.result);
      const { exceptions, pss } = run;
      let scanned = run.result;
      if (flags.images !== undefined && finder !== undefined) {
        const { workloadImageFindings } = await import('../images/scanJoin.js');
        const joined = await workloadImageFindings(workloads, finder, flags.images, flags.imageDb).catch((error: unknown) => {
          throw new UsageError(`--images ${flags.images}: ${error instanceof Error ? error.message : String(error)}`);
        });
        scanned = withFindings(scanned, joined.findings, joined.diagnostics);
      }
      const compared = baseline === undefined ? undefined : applyBaseline(scanned, baseline);
      const result = compared?.result ?? scanned;
      const color = flags.output === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      const report = renderReportChunks(flags.format, result, {
        tool: { name: 'rampart', version: VERSION },
        pss,
        color,
        suppressed: exceptions.suppressed,
        ...(compared !== undefined && flags.baseline !== undefined ? { baseline: { file: flags.baseline, unchanged: compared.unchanged } } : {}),
        objects: result.objects,
        ...(places !== undefined ? { fixes: await (await import('../fix/replacements.js')).findingReplacements(result.findings, places, config.fixResources ?? {}) } : {}),
      });
      await writeOutput(report, flags.output);
      const failOn = flags.failOn ?? config.failOn ?? 'high';
      const worst = worstSeverity(result.findings);
      // Exit 2 when part of the input could not be judged: any diagnostic of severity error (a missing
      // path, a file that is not YAML text, a syntax error, a document over a limit, a repeated key, a
      // field of the wrong type). A gate must not pass manifests Rampart did not read the way Kubernetes
      // would, so this wins over 1. Otherwise 1 when a finding reaches --fail-on, else 0. Warnings (YAML
      // that is no Kubernetes object, an unknown kind, an empty file) never change the exit code, and the
      // report is written in every case.
      const inputError = result.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
      if (inputError) setExitCode(2);
      else if (worst !== undefined && severityRank(worst) >= severityRank(failOn)) setExitCode(1);
    });
}

async function readBaseline(file: string): Promise<ReturnType<typeof parseBaseline>> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --baseline file ${file}`);
  }
  try {
    return parseBaseline(text, file);
  } catch (error) {
    if (error instanceof BaselineError) throw new UsageError(error.message);
    throw error;
  }
}
