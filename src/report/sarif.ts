/**
 * SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure DevOps)
 * and editors. The rule descriptors come from check metadata, so the SARIF
 * rules, `rampart checks list` and docs/checks.md say the same thing.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allCheckMetas } from '../checks/index.js';
import type { CheckMeta } from '../checks/types.js';
import type { ScanResult } from '../engine/scan.js';
import type { ExceptionRule, SuppressedFinding } from '../exceptions/exceptions.js';
import { formatPath, type Diagnostic, type Finding, type FixEdit, type FrameworkMapping, type Severity } from '../model/types.js';
import type { TextReplacement } from '../fix/replacements.js';
import { objectPath } from './objects.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const RAMPART_INFORMATION_URI = 'https://github.com/rampart-security/rampart';
/** Key of Rampart's own fingerprint in `partialFingerprints`; the suffix versions how it is computed. */
export const FINGERPRINT_KEY = 'rampartFinding/v1';
/** Relative artifact URIs are relative to the directory Rampart ran in. */
export const SOURCE_ROOT_ID = '%SRCROOT%';

export interface SarifReportContext {
  readonly tool: { readonly name: string; readonly version: string };
  readonly pss?: { readonly level: string; readonly version: string; readonly requestedVersion: string };
  /** Directory that relative file paths are relative to (the working directory of the scan). */
  readonly baseDirectory?: string;
  /** Findings an exception in force suppressed: results with `suppressions` (docs/exceptions.md). */
  readonly suppressed?: readonly SuppressedFinding[];
  /** Each fixable finding's fix as a text replacement (`findingReplacements`): results then carry `fixes`. */
  readonly fixes?: ReadonlyMap<Finding, TextReplacement>;
}

export type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/**
 * GitHub code scanning reads `security-severity` (0.0 to 10.0, written as a
 * string) and shows >= 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, below low.
 */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export interface SarifMessage {
  readonly text: string;
  readonly markdown?: string;
}

export interface SarifArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: string;
}

export interface SarifLocation {
  readonly physicalLocation?: {
    readonly artifactLocation: SarifArtifactLocation;
    readonly region?: { readonly startLine: number; readonly startColumn?: number };
  };
  readonly logicalLocations?: readonly { readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }[];
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: SarifMessage;
  readonly fullDescription?: SarifMessage;
  readonly help?: SarifMessage;
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: {
    readonly tags: readonly string[];
    readonly category?: string;
    readonly severity: Severity;
    readonly 'security-severity': string;
    readonly frameworks: readonly FrameworkMapping[];
  };
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: SarifMessage;
  readonly locations: readonly SarifLocation[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly properties: {
    readonly severity: Severity;
    readonly object: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };
    readonly container?: string;
    readonly path?: string;
  };
  /** Present on suppressed findings only: the exception that accepted the risk. */
  readonly suppressions?: readonly SarifSuppression[];
  /** Present on fixable findings when the fix applies to the file on its own: what `rampart fix` would change. */
  readonly fixes?: readonly SarifFix[];
}

/**
 * SARIF 2.1.0 §3.35: `inSource` for an exception written next to the code it
 * excuses (the object's annotation), `external` for one kept elsewhere (the
 * config file). Exceptions are reviewed decisions, so the status is `accepted`.
 */
export interface SarifSuppression {
  readonly kind: 'inSource' | 'external';
  readonly status: 'accepted';
  readonly justification: string;
  /** Where the exception is written. */
  readonly location?: SarifLocation;
  readonly properties: { readonly source: ExceptionRule['source']; readonly owner?: string; readonly expires?: string };
}

export interface SarifNotification {
  readonly level: 'error' | 'warning';
  readonly message: SarifMessage;
  readonly descriptor: { readonly id: string };
  readonly locations?: readonly SarifLocation[];
}

export interface SarifLog {
  readonly $schema: string;
  readonly version: typeof SARIF_VERSION;
  readonly runs: readonly [SarifRun];
}

export interface SarifRun {
  readonly tool: { readonly driver: { readonly name: string; readonly version: string; readonly informationUri: string; readonly rules: readonly SarifRule[] } };
  readonly invocations: readonly [{ readonly executionSuccessful: boolean; readonly toolExecutionNotifications: readonly SarifNotification[] }];
  readonly originalUriBaseIds?: Readonly<Record<string, { readonly uri: string }>>;
  readonly columnKind: 'utf16CodeUnits';
  readonly results: readonly SarifResult[];
  readonly properties?: { readonly pss: { readonly level: string; readonly version: string; readonly requestedVersion: string } };
}

/** Diagnostics that mean part of the requested input was not analysed at all, or a check crashed. */
const FAILED_EXECUTION_CODES: ReadonlySet<string> = new Set(['internal-error', 'path-not-found']);

export function renderSarif(result: ScanResult, context: SarifReportContext, metas: readonly CheckMeta[] = allCheckMetas()): string {
  return `${JSON.stringify(toSarifLog(result, context, metas), null, 2)}\n`;
}

export function toSarifLog(result: ScanResult, context: SarifReportContext, metas: readonly CheckMeta[] = allCheckMetas()): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  for (const meta of metas) {
    if (ruleIndex.has(meta.id)) continue;
    ruleIndex.set(meta.id, rules.length);
    rules.push(ruleFromMeta(meta));
  }
  // A finding whose check has no metadata is a Rampart bug, but the log must still be consistent.
  const suppressed = context.suppressed ?? [];
  for (const finding of [...result.findings, ...suppressed.map((entry) => entry.finding)]) {
    if (ruleIndex.has(finding.checkId)) continue;
    ruleIndex.set(finding.checkId, rules.length);
    rules.push(ruleFromFinding(finding));
  }
  const locate = artifactLocator(context.baseDirectory);
  const fingerprints = new FingerprintCounter();
  const toResult = (finding: Finding, exception?: ExceptionRule): SarifResult => {
    const artifact = locate(finding.location.file);
    return {
      ruleId: finding.checkId,
      ruleIndex: ruleIndex.get(finding.checkId) ?? 0,
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [
        {
          ...(artifact !== undefined
            ? { physicalLocation: { artifactLocation: artifact, region: { startLine: finding.location.line, startColumn: finding.location.column } } }
            : {}),
          logicalLocations: [{ name: finding.object.name, fullyQualifiedName: objectPath(finding.object), kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.next(findingIdentity(finding, artifact?.uri ?? finding.location.file)) },
      properties: {
        severity: finding.severity,
        object: {
          apiVersion: finding.object.apiVersion,
          kind: finding.object.kind,
          ...(finding.object.namespace !== undefined ? { namespace: finding.object.namespace } : {}),
          name: finding.object.name,
        },
        ...(finding.container !== undefined ? { container: finding.container } : {}),
        ...(finding.path !== undefined ? { path: formatPath(finding.path) } : {}),
      },
      ...(exception !== undefined ? { suppressions: [toSuppression(exception, locate)] } : {}),
      ...sarifFixes(finding, context.fixes?.get(finding), locate),
    };
  };
  // Reported findings first, in the JSON report's order, then the suppressed ones in the order of its `suppressed` list.
  const results = [...result.findings.map((finding) => toResult(finding)), ...suppressed.map((entry) => toResult(entry.finding, entry.exception))];
  const notifications = result.diagnostics.map((diagnostic) => toNotification(diagnostic, locate));
  const usesSourceRoot = results.some((entry) => [...entry.locations, ...(entry.suppressions ?? []).flatMap((suppression) => suppression.location ?? [])].some((location) => location.physicalLocation?.artifactLocation.uriBaseId === SOURCE_ROOT_ID)) ||
    notifications.some((entry) => entry.locations?.some((location) => location.physicalLocation?.artifactLocation.uriBaseId === SOURCE_ROOT_ID) === true);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: { name: context.tool.name, version: context.tool.version, informationUri: RAMPART_INFORMATION_URI, rules } },
        invocations: [
          {
            executionSuccessful: !result.diagnostics.some((diagnostic) => FAILED_EXECUTION_CODES.has(diagnostic.code)),
            toolExecutionNotifications: notifications,
          },
        ],
        ...(usesSourceRoot && context.baseDirectory !== undefined ? { originalUriBaseIds: { [SOURCE_ROOT_ID]: { uri: directoryUri(context.baseDirectory) } } } : {}),
        columnKind: 'utf16CodeUnits',
        results,
        ...(context.pss !== undefined ? { properties: { pss: { level: context.pss.level, version: context.pss.version, requestedVersion: context.pss.requestedVersion } } } : {}),
      },
    ],
  };
}

export interface SarifFix {
  readonly description: SarifMessage;
  readonly artifactChanges: readonly {
    readonly artifactLocation: SarifArtifactLocation;
    readonly replacements: readonly {
      readonly deletedRegion: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
      readonly insertedContent: { readonly text: string };
    }[];
  }[];
}

function sarifFixes(finding: Finding, replacement: TextReplacement | undefined, locate: (file: string) => SarifArtifactLocation | undefined): { fixes?: readonly SarifFix[] } {
  if (replacement === undefined || finding.fix === undefined) return {};
  const artifactLocation = locate(replacement.file);
  if (artifactLocation === undefined) return {};
  const { startLine, startColumn, endLine, endColumn } = replacement;
  return {
    fixes: [
      {
        description: { text: describeFix(finding.fix) },
        artifactChanges: [{ artifactLocation, replacements: [{ deletedRegion: { startLine, startColumn, endLine, endColumn }, insertedContent: { text: replacement.text } }] }],
      },
    ],
  };
}

/** The edits in words: `set spec.containers[0].securityContext.privileged to false; …`. */
export function describeFix(edits: readonly FixEdit[]): string {
  return edits
    .map((edit) => {
      const field = formatPath(edit.path);
      switch (edit.op) {
        case 'set':
          return `set ${field} to ${JSON.stringify(edit.value)}`;
        case 'delete':
          return `remove ${field}`;
        case 'append':
          return `add ${JSON.stringify(edit.value)} to ${field}`;
        case 'removeItem':
          return `remove ${JSON.stringify(edit.value)} from ${field}`;
        case 'setDefault':
          return `set ${field} to the configured default (fix.resources.${edit.setting})`;
      }
    })
    .join('; ');
}

export function sarifLevel(severity: Severity): SarifLevel {
  return LEVEL[severity];
}

function ruleFromMeta(meta: CheckMeta): SarifRule {
  return {
    id: meta.id,
    name: ruleName(meta.title, meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: { text: meta.remediation, markdown: `**Remediation.** ${meta.remediation}\n\n[Documentation](${meta.documentation})` },
    helpUri: meta.documentation,
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: {
      tags: ruleTags(meta.category, meta.frameworks),
      category: meta.category,
      severity: meta.severity,
      'security-severity': SECURITY_SEVERITY[meta.severity],
      frameworks: meta.frameworks.map(copyFramework),
    },
  };
}

function ruleFromFinding(finding: Finding): SarifRule {
  return {
    id: finding.checkId,
    name: ruleName(finding.title, finding.checkId),
    shortDescription: { text: finding.title === '' ? finding.checkId : finding.title },
    defaultConfiguration: { level: LEVEL[finding.severity] },
    properties: {
      tags: ruleTags(undefined, finding.frameworks),
      severity: finding.severity,
      'security-severity': SECURITY_SEVERITY[finding.severity],
      frameworks: finding.frameworks.map(copyFramework),
    },
  };
}

/** SARIF rule names are identifiers a reader understands: `Privileged containers` → `PrivilegedContainers`. */
export function ruleName(title: string, id: string): string {
  const words = title.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const name = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return name === '' ? id.replace(/[^A-Za-z0-9]+/g, '') || 'Rule' : name;
}

/** `security` lets GitHub show the security severity; the framework tags let users filter by standard. */
function ruleTags(category: string | undefined, frameworks: readonly FrameworkMapping[]): string[] {
  const tags = new Set<string>(['security', 'kubernetes']);
  if (category !== undefined && category !== '') tags.add(category);
  for (const mapping of frameworks) {
    tags.add(mapping.framework);
    if (mapping.level !== undefined) tags.add(`${mapping.framework}/${mapping.level}`);
  }
  return [...tags];
}

function copyFramework(mapping: FrameworkMapping): FrameworkMapping {
  return { framework: mapping.framework, id: mapping.id, ...(mapping.level !== undefined ? { level: mapping.level } : {}) };
}

function toSuppression(exception: ExceptionRule, locate: (file: string) => SarifArtifactLocation | undefined): SarifSuppression {
  const artifact = locate(exception.file);
  const accepted = [...(exception.owner !== undefined ? [`owner ${exception.owner}`] : []), ...(exception.expires !== undefined ? [`expires ${exception.expires}`] : [])];
  return {
    kind: exception.source === 'inline' ? 'inSource' : 'external',
    status: 'accepted',
    justification: accepted.length > 0 ? `${exception.reason} (${accepted.join(', ')})` : exception.reason,
    ...(artifact !== undefined ? { location: { physicalLocation: { artifactLocation: artifact, ...(exception.line >= 1 ? { region: { startLine: exception.line } } : {}) } } } : {}),
    properties: {
      source: exception.source,
      ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
      ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
    },
  };
}

function toNotification(diagnostic: Diagnostic, locate: (file: string) => SarifArtifactLocation | undefined): SarifNotification {
  const artifact = locate(diagnostic.file);
  return {
    level: diagnostic.severity,
    message: { text: diagnostic.message },
    descriptor: { id: diagnostic.code },
    ...(artifact !== undefined
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact,
                ...(diagnostic.line !== undefined
                  ? { region: { startLine: diagnostic.line, ...(diagnostic.column !== undefined ? { startColumn: diagnostic.column } : {}) } }
                  : {}),
              },
            },
          ],
        }
      : {}),
  };
}

/**
 * File paths as the user gave them → artifact locations. Relative paths stay
 * relative (forward slashes, each segment percent-encoded) against
 * %SRCROOT%; absolute paths under the base directory are made relative;
 * other absolute paths become file: URIs. Pseudo-files such as `<stdin>`
 * have no artifact.
 */
export function artifactLocator(baseDirectory: string | undefined): (file: string) => SarifArtifactLocation | undefined {
  const cache = new Map<string, SarifArtifactLocation | undefined>();
  return (file) => {
    if (cache.has(file)) return cache.get(file);
    const location = toArtifactLocation(file, baseDirectory);
    cache.set(file, location);
    return location;
  };
}

function toArtifactLocation(file: string, baseDirectory: string | undefined): SarifArtifactLocation | undefined {
  if (file === '' || /^<[^>]*>$/.test(file)) return undefined;
  let relative = file;
  if (path.isAbsolute(file)) {
    const fromBase = baseDirectory === undefined ? undefined : path.relative(baseDirectory, file);
    if (fromBase === undefined || fromBase === '' || fromBase === '..' || fromBase.startsWith(`..${path.sep}`) || path.isAbsolute(fromBase)) {
      return { uri: pathToFileURL(file).href };
    }
    relative = fromBase;
  }
  const segments = path.normalize(relative).split(path.sep).filter((segment) => segment !== '' && segment !== '.');
  return { uri: segments.map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT_ID };
}

function directoryUri(directory: string): string {
  const href = pathToFileURL(path.resolve(directory)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * What makes a finding the same finding in the next run: the check, the file,
 * the object and the field, but not the line, so editing elsewhere in the file
 * keeps the fingerprint.
 */
function findingIdentity(finding: Finding, file: string): string {
  return JSON.stringify([
    finding.checkId,
    file,
    finding.object.kind,
    finding.object.namespace ?? '',
    finding.object.name,
    finding.container ?? '',
    finding.path === undefined ? '' : formatPath(finding.path),
  ]);
}

/** Equal identities (the same field reported twice) are told apart by their order, which the engine keeps stable. */
class FingerprintCounter {
  private readonly seen = new Map<string, number>();

  next(identity: string): string {
    const occurrence = (this.seen.get(identity) ?? 0) + 1;
    this.seen.set(identity, occurrence);
    const hash = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    return occurrence === 1 ? hash : `${hash}:${occurrence}`;
  }
}
