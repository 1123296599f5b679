import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { hardeningChecks } from '../checks/index.js';
import { createPssDeferredCheck, resolvePssVersion } from '../checks/pss/index.js';
import { createRbacScanCheck } from '../checks/rbac/index.js';
import type { RampartConfig } from '../config/config.js';
import { Scanner, withFindings, worstSeverity, type ScanResult } from '../engine/scan.js';
import { applyBaseline, BaselineError, parseBaseline } from '../exceptions/baseline.js';
import { ObjectPlaces } from '../fix/plan.js';
import { applyExceptions, exceptionClock, ExceptionCollector, type ExceptionOutcome, type ExceptionRule, type ImageFacts } from '../exceptions/exceptions.js';
import { addClusterOptions, type ClusterFlags } from '../cluster/options.js';
import { loadFiles, type FileBatch } from '../load/load.js';
import { severityRank, type Diagnostic, type Finding, type KubeObject, type Severity } from '../model/types.js';
import type { LoadedCelChecks } from '../policy/checks/celChecks.js';
import { REPORT_FORMATS, renderReportChunks, type ReportFormat } from '../report/index.js';
import { hostPlatform, parsePlatform } from '../images/model.js';
import type { ImageScanResult } from '../images/scan.js';
import type { ImageSource } from '../images/scanJoin.js';
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
  registry?: boolean;
  registryMirror?: string;
  registryCaFile?: string;
  registryUsername?: string;
  registryPassword?: string;
  registryPlainHttp?: boolean;
  imagePlatform?: string;
  imageDb?: string;
  imageCache?: string;
}

/** Findings added to a scan before exceptions apply (the `--images` join), with what exceptions may match on. */
export interface ScanAddition {
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly Diagnostic[];
  readonly facts?: ReadonlyMap<Finding, ImageFacts>;
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
  /** Batches from another source (a cluster); a batch naming complete namespaces lets the scanner judge and release them. */
  input?: AsyncIterable<FileBatch & { readonly completeNamespaces?: readonly string[] }>,
  /** Runs once every object is loaded; its findings go through exceptions like the checks' own. */
  addition?: () => Promise<ScanAddition>,
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
    if ('completeNamespaces' in batch) for (const namespace of batch.completeNamespaces ?? []) scanner.finishNamespace(namespace);
  }
  scanner.addDiagnostics(collector.diagnostics);
  const central: ExceptionRule[] = config.exceptions.map((entry) => ({ ...entry, source: 'config' }));
  let finished = scanner.finish();
  const added = addition === undefined ? undefined : await addition();
  if (added !== undefined) finished = withFindings(finished, added.findings, added.diagnostics);
  const exceptions = applyExceptions(finished, [...collector.inline, ...central], { now: exceptionClock(), labels: collector.labels, ...(added?.facts === undefined ? {} : { imageFacts: added.facts }) });
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
    .option('--registry', 'also scan the images the workloads reference, pulled from the registries they name (Distribution API v2)')
    .option('--registry-mirror <host[:port]>', 'like --registry, but pull every image from this registry under the same repository and tag (nginx:1 as HOST/library/nginx:1)')
    .option('--registry-ca-file <file>', 'extra certificate authorities (PEM) to trust for the registry')
    .option('--registry-username <name>', 'registry user name (default: ~/.docker/config.json)')
    .option('--registry-password <password>', 'registry password or token (or RAMPART_REGISTRY_PASSWORD)')
    .option('--registry-plain-http', 'talk to the registry over plain HTTP (loopback or trusted networks only)')
    .option('--image-platform <os/arch[/variant]>', 'platform to pick from multi-platform images (default: this machine, linux)')
    .option('--image-db <file>', 'vulnerability database for --images and --registry (default: the one rampart db import writes)')
    .option('--image-cache <dir>', 'write each scanned image\'s vulnerabilities to this cache, keyed by digest and reference, for rampart admission serve --image-cache')
    .action(async (paths: string[], flags: ScanFlags) => {
      const config = await loadConfigForCommand(flags.config);
      const baseline = flags.baseline === undefined ? undefined : await readBaseline(flags.baseline);
      if ((flags.cluster === true) === (paths.length > 0)) throw new UsageError(flags.cluster === true ? '--cluster reads the cluster: give no paths (use --source-map DIR to name manifests)' : 'give the paths to scan, or --cluster');
      if (flags.cluster !== true && [flags.kubeconfig, flags.context, flags.namespace, flags.sourceMap].some((value) => value !== undefined)) throw new UsageError('--kubeconfig, --context, -n and --source-map need --cluster');
      const cluster = flags.cluster === true ? await import('../cluster/scan.js') : undefined;
      const input = cluster === undefined ? undefined : await cluster.clusterScanInput(flags, config);
      // SARIF carries each fixable finding's fix, computed from where each object sits in its file (files only).
      const places = flags.format === 'sarif' && cluster === undefined ? new ObjectPlaces() : undefined;
      const source = imageSource(flags);
      // The image join keeps the workloads' objects until their images are judged.
      const workloads: KubeObject[] = [];
      const finder = source === undefined ? undefined : podTemplateFinderFor(config);
      const observe = (object: KubeObject): void => {
        places?.observe(object);
        if (finder?.bearsPods(object) === true) workloads.push(object);
      };
      const addition =
        source === undefined || finder === undefined
          ? undefined
          : async (): Promise<ScanAddition> => {
              const { workloadImageFindings } = await import('../images/scanJoin.js');
              const joined = await workloadImageFindings(workloads, finder, source, flags.imageDb).catch((error: unknown) => {
                throw new UsageError(`${source.kind === 'directory' ? `--images ${source.directory}` : '--registry'}: ${error instanceof Error ? error.message : String(error)}`);
              });
              if (flags.imageCache !== undefined) await writeImageCache(flags.imageCache, joined.images);
              return joined;
            };
      const run = await runScan(paths, config, flags, places === undefined && finder === undefined ? undefined : observe, input, addition);
      cluster?.orderClusterResult(run.result);
      const { exceptions, pss } = run;
      const scanned = run.result;
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

/** Where `--images`/`--registry` take images from, or undefined when no image is to be scanned. */
function imageSource(flags: ScanFlags): ImageSource | undefined {
  const registry = flags.registry === true || flags.registryMirror !== undefined;
  if (flags.images !== undefined && registry) throw new UsageError('give either --images DIR (a directory of image archives) or --registry/--registry-mirror, not both');
  const registryFlags = (['registryCaFile', 'registryUsername', 'registryPassword', 'registryPlainHttp'] as const).filter((key) => flags[key] !== undefined);
  if (!registry && registryFlags.length > 0) throw new UsageError(`--${registryFlags[0]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} needs --registry or --registry-mirror`);
  if (flags.images === undefined && !registry) {
    for (const [flag, value] of [['--image-db', flags.imageDb], ['--image-cache', flags.imageCache], ['--image-platform', flags.imagePlatform]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} needs --images or --registry`);
    }
    return undefined;
  }
  let platform = hostPlatform();
  if (flags.imagePlatform !== undefined) {
    const parsed = parsePlatform(flags.imagePlatform);
    if (parsed === undefined) throw new UsageError(`--image-platform must be os/arch or os/arch/variant, got ${JSON.stringify(flags.imagePlatform)}`);
    platform = parsed;
  }
  if (flags.images !== undefined) return { kind: 'directory', directory: flags.images };
  if (flags.registryMirror !== undefined && !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(flags.registryMirror)) throw new UsageError(`--registry-mirror must be host or host:port, got ${JSON.stringify(flags.registryMirror)}`);
  if (flags.registryCaFile !== undefined && statSync(flags.registryCaFile, { throwIfNoEntry: false })?.isFile() !== true) throw new UsageError(`cannot read --registry-ca-file ${flags.registryCaFile}`);
  const password = flags.registryPassword ?? process.env.RAMPART_REGISTRY_PASSWORD;
  return {
    kind: 'registry',
    options: {
      platform,
      ...(flags.registryUsername === undefined ? {} : { username: flags.registryUsername }),
      ...(password === undefined ? {} : { password }),
      ...(flags.registryCaFile === undefined ? {} : { caFile: flags.registryCaFile }),
      ...(flags.registryPlainHttp === true ? { plainHttp: true } : {}),
    },
    ...(flags.registryMirror === undefined ? {} : { mirror: flags.registryMirror }),
  };
}

async function writeImageCache(directory: string, images: ReadonlyMap<string, ImageScanResult>): Promise<void> {
  const { cacheEntry, writeCacheEntry } = await import('../images/cache.js');
  // One entry per scanned image, under every reference the workloads used for it.
  const references = new Map<ImageScanResult, string[]>();
  for (const [reference, result] of images) references.set(result, [...(references.get(result) ?? []), reference]);
  const now = new Date();
  for (const [result, names] of references) {
    try {
      await writeCacheEntry(directory, cacheEntry(result, names, now));
    } catch (error) {
      throw new UsageError(`--image-cache ${directory}: cannot write (${(error as Error).message})`);
    }
  }
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
