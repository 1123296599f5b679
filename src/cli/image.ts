/** `rampart image scan|diff|why`: parse flags, call src/images, print. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { severityRank, type KubeObject, type Severity } from '../model/types.js';
import { ImageError } from '../images/errors.js';
import { hostPlatform, parsePlatform, type Platform } from '../images/model.js';
import { diffScans, diffToJson, IMAGE_FORMATS, renderDiffTable, renderSarif, renderTable, scanToJson, type ImageFormat } from '../images/report/formats.js';
import { loadVex, openImage, scanOpenedImage, type ImageScanResult } from '../images/scan.js';
import { explainMatch, packageQuery } from '../images/vulndb/match.js';
import { defaultDatabasePath, VulnerabilityDatabase } from '../images/vulndb/store.js';
import { choice, parseSeverity, UsageError, VERSION, writeOutput } from './common.js';

interface SourceFlags {
  platform?: string;
  username?: string;
  password?: string;
  caFile?: string;
  plainHttp?: boolean;
  db?: string;
  vex: string[];
  maxDbAge: number;
}

interface ScanFlags extends SourceFlags {
  format: ImageFormat;
  output?: string;
  failOn?: Severity;
  cache?: string;
}

function addSourceOptions(command: Command): Command {
  return command
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: this machine, linux)')
    .option('--username <name>', 'registry user name (default: ~/.docker/config.json)')
    .option('--password <password>', 'registry password or token (or RAMPART_REGISTRY_PASSWORD)')
    .option('--ca-file <file>', 'extra certificate authorities (PEM) to trust for the registry')
    .option('--plain-http', 'talk to the registry over plain HTTP (loopback or trusted networks only)')
    .option('--db <file>', 'vulnerability database (default: $RAMPART_DB or ~/.cache/rampart/vulndb.sqlite)')
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document; repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--max-db-age <days>', 'warn when vulnerability data is older than this (default 7)', (value: string) => {
      const days = Number(value);
      if (!Number.isFinite(days) || days < 0) throw new UsageError('--max-db-age must be a number of days');
      return days;
    }, 7);
}

function platformOf(flags: SourceFlags): Platform {
  if (flags.platform === undefined) return hostPlatform();
  const platform = parsePlatform(flags.platform);
  if (platform === undefined) throw new UsageError(`--platform must be os/arch or os/arch/variant, got ${JSON.stringify(flags.platform)}`);
  return platform;
}

/** Runs a piece of the core, turning input problems into usage errors (exit 2, no stack trace). */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImageError) throw new UsageError(error.message);
    throw error;
  }
}

async function openDatabase(flags: SourceFlags): Promise<VulnerabilityDatabase | undefined> {
  const file = flags.db ?? defaultDatabasePath();
  if (!existsSync(file)) {
    if (flags.db !== undefined) throw new UsageError(`vulnerability database ${file} does not exist; create it with rampart db import`);
    process.stderr.write(`rampart: no vulnerability database at ${file}; reporting packages and configuration only (import data with rampart db import)\n`);
    return undefined;
  }
  try {
    return await VulnerabilityDatabase.open(file, { readonly: true });
  } catch (error) {
    throw new UsageError(`cannot open vulnerability database ${file}: ${(error as Error).message}`);
  }
}

async function scanReference(reference: string, flags: SourceFlags, database: VulnerabilityDatabase | undefined): Promise<ImageScanResult> {
  const vex = await guarded(() => loadVex(flags.vex));
  const password = flags.password ?? process.env.RAMPART_REGISTRY_PASSWORD;
  const image = await guarded(() =>
    openImage(reference, {
      platform: platformOf(flags),
      ...(flags.username === undefined ? {} : { username: flags.username }),
      ...(password === undefined ? {} : { password }),
      ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
      ...(flags.plainHttp === true ? { plainHttp: true } : {}),
    }),
  );
  return await guarded(() => scanOpenedImage(image, { ...(database === undefined ? {} : { database }), vex, maxDatabaseAgeDays: flags.maxDbAge }));
}

async function render(format: ImageFormat, result: ImageScanResult): Promise<string> {
  const tool = { name: 'rampart', version: VERSION };
  switch (format) {
    case 'table':
      return renderTable(result);
    case 'json':
      return `${JSON.stringify(scanToJson(result), null, 2)}\n`;
    case 'sarif':
      return renderSarif(result, tool);
    // The CycloneDX library costs about 100 ms of module loading: loaded only for SBOMs.
    case 'cyclonedx':
      return (await import('../images/report/sbom.js')).renderCycloneDx(result, { tool });
    case 'spdx':
      return (await import('../images/report/sbom.js')).renderSpdx(result, { tool });
  }
}

function worst(result: ImageScanResult): number {
  const ranks = [...result.configFindings.map((finding) => severityRank(finding.severity)), ...result.vulnerabilities.filter((match) => match.severity !== 'unknown').map((match) => severityRank(match.severity as Severity))];
  return ranks.length === 0 ? -1 : Math.max(...ranks);
}

interface WorkloadFlags extends SourceFlags {
  images?: string;
  registry?: boolean;
  registryMirror?: string;
  format: 'table' | 'json';
  output?: string;
  failOn?: Severity;
  config?: string;
}

async function runWorkloads(paths: string[], flags: WorkloadFlags): Promise<{ text: string; worst: number }> {
  const registry = flags.registry === true || flags.registryMirror !== undefined;
  if ((flags.images === undefined) === !registry) throw new UsageError('give exactly one of --images DIR (a directory of image archives) and --registry (or --registry-mirror HOST)');
  const { loadConfigForCommand, podTemplateFinderFor } = await import('./common.js');
  const { loadFiles } = await import('../load/load.js');
  const { localImageDirectory, registryResolver, scanWorkloadImages } = await import('../images/workloadScan.js');
  const config = await loadConfigForCommand(flags.config);
  const objects: KubeObject[] = [];
  for await (const batch of loadFiles(paths, config.limits)) objects.push(...batch.objects);
  const password = flags.password ?? process.env.RAMPART_REGISTRY_PASSWORD;
  const resolver =
    flags.images !== undefined
      ? await guarded(() => localImageDirectory(flags.images!, platformOf(flags)))
      : registryResolver({
          platform: platformOf(flags),
          ...(flags.username === undefined ? {} : { username: flags.username }),
          ...(password === undefined ? {} : { password }),
          ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
          ...(flags.plainHttp === true ? { plainHttp: true } : {}),
        }, flags.registryMirror);
  const database = await openDatabase(flags);
  try {
    const vex = await guarded(() => loadVex(flags.vex));
    const scan = await guarded(() => scanWorkloadImages(objects, podTemplateFinderFor(config), resolver, { ...(database === undefined ? {} : { database }), vex, maxDatabaseAgeDays: flags.maxDbAge }));
    const worstRank = Math.max(-1, ...scan.findings.map((entry) => severityRank(entry.finding.severity)));
    const name = (object: (typeof scan.findings)[number]['object']): string => `${object.kind}/${object.namespace === undefined ? '' : `${object.namespace}/`}${object.name}`;
    if (flags.format === 'json') {
      const json = {
        findings: scan.findings.map((entry) => ({ ...entry.finding, object: { kind: entry.object.kind, namespace: entry.object.namespace, name: entry.object.name, file: entry.object.source.file } })),
        images: [...scan.images].map(([image, result]) => ({ image, packages: result.inventory.packages.length, vulnerabilities: result.vulnerabilities.length, configFindings: result.configFindings.map((finding) => finding.id) })),
        unavailable: [...scan.unavailable].map(([image, reason]) => ({ image, reason })),
      };
      return { text: `${JSON.stringify(json, null, 2)}\n`, worst: worstRank };
    }
    const lines = [`${scan.images.size} images scanned, ${scan.unavailable.size} unavailable, ${scan.findings.length} combined findings`];
    for (const entry of scan.findings) lines.push(`  ${entry.finding.severity.toUpperCase().padEnd(8)} ${entry.finding.id.padEnd(26)} ${name(entry.object)} (${entry.object.source.file}): ${entry.finding.message}`);
    for (const [image, reason] of scan.unavailable) lines.push(`  not scanned: ${image}: ${reason}`);
    return { text: `${lines.join('\n')}\n`, worst: worstRank };
  } finally {
    database?.close();
  }
}

export function registerImageCommand(program: Command, setExitCode: (code: number) => void): void {
  const image = program.command('image').description('scan container images offline: packages, vulnerabilities, configuration, SBOMs');
  addSourceOptions(
    image
      .command('scan')
      .description('scan an image: a docker save tarball, an OCI layout directory or archive, or a registry reference')
      .argument('<image>', 'path to an image archive or layout, or a registry reference (registry/repo:tag)')
      .option('-f, --format <format>', `output format: ${IMAGE_FORMATS.join(', ')}`, choice(IMAGE_FORMATS), 'table')
      .option('-o, --output <file>', 'write the report to a file instead of stdout')
      .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high)', parseSeverity)
      .option('--cache <dir>', 'also write the vulnerabilities found to this image result cache, keyed by digest and reference (for rampart admission serve --image-cache)'),
  ).action(async (reference: string, flags: ScanFlags) => {
    const database = await openDatabase(flags);
    try {
      const result = await scanReference(reference, flags, database);
      for (const warning of result.database?.warnings ?? []) process.stderr.write(`rampart: warning: ${warning}\n`);
      if (flags.cache !== undefined) {
        const { cacheEntry, writeCacheEntry } = await import('../images/cache.js');
        // A path is no reference: the image's own names (RepoTags, the layout's ref names) are.
        const entry = cacheEntry(result, existsSync(reference) ? [] : [reference], new Date());
        if (entry.references.length === 0 && entry.digests.length === 0) process.stderr.write(`rampart: warning: ${reference} carries no name and no digest: nothing written to the cache\n`);
        else {
          await writeCacheEntry(flags.cache, entry).catch((error: unknown) => {
            throw new UsageError(`--cache ${flags.cache}: cannot write (${(error as Error).message})`);
          });
          process.stderr.write(`rampart: cached ${reference} as ${[...entry.references, ...entry.digests].join(', ')}\n`);
        }
      }
      await writeOutput(await render(flags.format, result), flags.output);
      if (worst(result) >= severityRank(flags.failOn ?? 'high')) setExitCode(1);
    } finally {
      database?.close();
    }
  });
  addSourceOptions(
    image
      .command('diff')
      .description('show packages and vulnerabilities added and removed between two images')
      .argument('<before>', 'the older image')
      .argument('<after>', 'the newer image')
      .option('-f, --format <format>', 'output format: table, json', choice(['table', 'json'] as const), 'table')
      .option('-o, --output <file>', 'write the report to a file instead of stdout'),
  ).action(async (before: string, after: string, flags: SourceFlags & { format: 'table' | 'json'; output?: string }) => {
    const database = await openDatabase(flags);
    try {
      const diff = diffScans(await scanReference(before, flags, database), await scanReference(after, flags, database));
      await writeOutput(flags.format === 'json' ? `${JSON.stringify(diffToJson(diff), null, 2)}\n` : renderDiffTable(diff, before, after), flags.output);
    } finally {
      database?.close();
    }
  });
  addSourceOptions(
    image
      .command('workloads')
      .description('scan the images that manifests reference and judge them with how each container runs them')
      .argument('<paths...>', 'manifest files or directories')
      .option('--images <dir>', 'a directory of image archives and OCI layouts, matched by the names they carry')
      .option('--registry', 'pull the referenced images from their registries')
      .option('--registry-mirror <host[:port]>', 'pull every referenced image from this registry, under the same repository and tag')
      .option('-c, --config <file>', 'config file (YAML), see docs/config.md')
      .option('-f, --format <format>', 'output format: table, json', choice(['table', 'json'] as const), 'table')
      .option('-o, --output <file>', 'write the report to a file instead of stdout')
      .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: high)', parseSeverity),
  ).action(async (paths: string[], flags: WorkloadFlags) => {
    const { text, worst: worstRank } = await runWorkloads(paths, flags);
    await writeOutput(text, flags.output);
    if (worstRank >= severityRank(flags.failOn ?? 'high')) setExitCode(1);
  });
  addSourceOptions(
    image
      .command('why')
      .description('explain why a vulnerability does or does not match a package of an image')
      .argument('<package>', 'package name (binary or source package)')
      .argument('<vulnerability>', 'vulnerability id or alias (CVE-2024-1234, GHSA-..., DSA-...)')
      .requiredOption('--image <image>', 'the image whose package versions and OS to use'),
  ).action(async (name: string, vulnerability: string, flags: SourceFlags & { image: string }) => {
    const database = await openDatabase(flags);
    if (database === undefined) throw new UsageError('rampart image why needs a vulnerability database (--db)');
    try {
      const result = await scanReference(flags.image, { ...flags, vex: [] }, undefined);
      const { inventory } = result;
      const packages = inventory.packages.filter((found) => found.name === name || found.source?.name === name || `${found.namespace ?? ''}:${found.name}` === name);
      const lines: string[] = [];
      if (packages.length === 0) {
        const attributed = inventory.attributed.filter((entry) => entry.package.name === name);
        if (attributed.length > 0) lines.push(...attributed.map((entry) => `${entry.package.type} package ${name} ${entry.package.version} at ${entry.package.location} belongs to OS package ${entry.owner}: it is matched through ${entry.owner}'s vendor feed, not as a ${entry.package.type} package`));
        else throw new UsageError(`no package named ${name} in ${flags.image}`);
      }
      const advisories = database.byId(vulnerability);
      for (const found of packages) lines.push(...explainMatch(found, packageQuery(found, inventory.os), advisories, vulnerability));
      const statements = await guarded(() => loadVex(flags.vex));
      for (const statement of statements.filter((entry) => entry.vulnerability === vulnerability || entry.aliases.includes(vulnerability))) {
        lines.push(`VEX ${statement.file}: ${statement.status}${statement.justification === undefined ? '' : ` (${statement.justification})`}${statement.products.length === 0 ? ' for the whole image' : ` for ${statement.products.join(', ')}`}`);
      }
      await writeOutput(`${lines.join('\n')}\n`, undefined);
    } finally {
      database.close();
    }
  });
}
