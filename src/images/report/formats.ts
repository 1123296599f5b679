/** Table, JSON and SARIF renderings of an image scan, and of an image diff. */
import type { ImageSeverity } from '../configChecks.js';
import type { Package } from '../model.js';
import type { ImageScanResult } from '../scan.js';
import type { VulnerabilityMatch } from '../vulndb/match.js';

// The same values as src/report/sarif.ts, which is not imported: it loads every check's metadata.
const SARIF_VERSION = '2.1.0';
const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SECURITY_SEVERITY: Record<ImageSeverity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export const IMAGE_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'spdx'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

function packageLabel(found: Package): string {
  return found.namespace === undefined ? found.name : `${found.namespace}:${found.name}`;
}

function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  ')).join('\n');
}

export function renderTable(result: ImageScanResult): string {
  const { inventory } = result;
  const image = inventory.image;
  const lines: string[] = [];
  lines.push(`Image ${image.repoTags[0] ?? image.source} (${image.kind}${image.manifestDigest === undefined ? '' : `, ${image.manifestDigest}`})`);
  lines.push(`  OS: ${inventory.os?.prettyName ?? inventory.os?.id ?? 'unknown'}; ${inventory.stats.layers} layers, ${inventory.stats.entries} files; ${inventory.packages.length} packages${inventory.attributed.length > 0 ? ` (${inventory.attributed.length} language packages attributed to OS packages)` : ''}`);
  if (result.database !== undefined) {
    const age = result.database.oldestAgeDays;
    lines.push(`  Vulnerability data: ${result.database.sources.map((source) => source.name).join(', ') || 'none'}${age === undefined ? '' : `; oldest is ${age.toFixed(1)} days old`}`);
  } else lines.push('  Vulnerability data: none (no database; run `rampart db import`)');
  for (const warning of [...inventory.warnings, ...(result.database?.warnings ?? [])]) lines.push(`  warning: ${warning}`);
  lines.push('');
  if (result.configFindings.length > 0) {
    lines.push('Configuration');
    lines.push(columns(result.configFindings.map((finding) => [`  ${finding.severity.toUpperCase()}`, finding.id, finding.message])));
    lines.push('');
  }
  if (result.vulnerabilities.length > 0) {
    lines.push(`Vulnerabilities (${result.vulnerabilities.length})`);
    lines.push(columns([['  SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED IN'], ...result.vulnerabilities.map((match) => [`  ${match.severity.toUpperCase()}`, match.id, packageLabel(match.package), match.package.version, match.fixedVersion ?? '(no fix)'])]));
    lines.push('');
  } else if (result.database !== undefined) {
    lines.push('No known vulnerabilities in the imported data.', '');
  }
  if (result.suppressed.length > 0) lines.push(`${result.suppressed.length} vulnerabilities marked not affected by VEX (${[...new Set(result.suppressed.map((entry) => entry.statement.file))].join(', ')})`, '');
  return `${lines.join('\n')}\n`;
}

export function scanToJson(result: ImageScanResult): unknown {
  const { inventory } = result;
  return {
    image: { source: inventory.image.source, kind: inventory.image.kind, repoTags: inventory.image.repoTags, manifestDigest: inventory.image.manifestDigest, configDigest: inventory.image.configDigest, layers: inventory.stats.layers },
    os: inventory.os,
    packages: inventory.packages.map((found) => ({ ...found, purl: result.purls.get(found) })),
    attributed: inventory.attributed.map((entry) => ({ name: entry.package.name, version: entry.package.version, type: entry.package.type, location: entry.package.location, owner: entry.owner })),
    setuidFiles: inventory.setuidFiles,
    configFindings: result.configFindings,
    vulnerabilities: result.vulnerabilities.map(vulnerabilityJson(result)),
    suppressed: result.suppressed.map((entry) => ({ ...(vulnerabilityJson(result)(entry.match) as object), vex: { status: entry.statement.status, justification: entry.statement.justification, detail: entry.statement.detail, file: entry.statement.file } })),
    unmatched: result.unmatched.map((entry) => ({ name: entry.package.name, type: entry.package.type, reason: entry.reason })),
    database: result.database,
    warnings: inventory.warnings,
  };
}

function vulnerabilityJson(result: ImageScanResult): (match: VulnerabilityMatch) => unknown {
  return (match) => ({
    id: match.id,
    advisories: match.advisoryIds,
    sources: match.sources,
    severity: match.severity,
    cvss: match.cvss,
    package: { name: match.package.name, namespace: match.package.namespace, version: match.package.version, type: match.package.type, purl: result.purls.get(match.package), location: match.package.location },
    fixedVersion: match.fixedVersion,
    summary: match.summary,
    reason: match.reason,
  });
}

const LEVEL: Record<ImageSeverity | 'unknown', 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note', unknown: 'warning' };

export function renderSarif(result: ImageScanResult, tool: { name: string; version: string }): string {
  const rules = new Map<string, { id: string; name: string; shortDescription: { text: string }; properties: Record<string, unknown> }>();
  const results: unknown[] = [];
  const imageName = result.inventory.image.repoTags[0] ?? result.inventory.image.source;
  for (const finding of result.configFindings) {
    if (!rules.has(finding.id)) rules.set(finding.id, { id: finding.id, name: finding.title, shortDescription: { text: finding.title }, properties: { tags: ['security', 'container-image'], 'security-severity': SECURITY_SEVERITY[finding.severity] } });
    results.push({ ruleId: finding.id, level: LEVEL[finding.severity], message: { text: finding.message }, locations: [{ logicalLocations: [{ name: imageName, fullyQualifiedName: imageName, kind: 'image' }] }] });
  }
  for (const match of result.vulnerabilities) {
    if (!rules.has(match.id)) rules.set(match.id, { id: match.id, name: match.id, shortDescription: { text: match.summary ?? match.id }, properties: { tags: ['security', 'vulnerability'], 'security-severity': match.cvss === undefined ? SECURITY_SEVERITY[match.severity === 'unknown' ? 'medium' : match.severity] : match.cvss.toFixed(1) } });
    const purl = result.purls.get(match.package)!;
    results.push({
      ruleId: match.id,
      level: LEVEL[match.severity],
      message: { text: `${packageLabel(match.package)} ${match.package.version} is affected by ${match.id}${match.fixedVersion === undefined ? ' (no fixed version)' : `; fixed in ${match.fixedVersion}`}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: match.package.location.replace(/^\//, '') } }, logicalLocations: [{ name: purl, fullyQualifiedName: `${imageName}/${purl}`, kind: 'package' }] }],
      partialFingerprints: { 'rampartImageVulnerability/v1': `${match.id}:${purl}` },
    });
  }
  const ruleList = [...rules.values()];
  const indexed = results.map((entry) => ({ ...(entry as { ruleId: string }), ruleIndex: ruleList.findIndex((rule) => rule.id === (entry as { ruleId: string }).ruleId) }));
  return `${JSON.stringify({ $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [{ tool: { driver: { name: tool.name, version: tool.version, rules: ruleList } }, results: indexed }] }, null, 2)}\n`;
}

export interface ImageDiff {
  readonly packagesAdded: readonly Package[];
  readonly packagesRemoved: readonly Package[];
  readonly packagesChanged: readonly { readonly from: Package; readonly to: Package }[];
  readonly vulnerabilitiesAdded: readonly VulnerabilityMatch[];
  readonly vulnerabilitiesRemoved: readonly VulnerabilityMatch[];
}

function packageKey(found: Package): string {
  return `${found.type}\0${found.namespace ?? ''}\0${found.name}\0${found.type === 'deb' || found.type === 'apk' || found.type === 'rpm' ? '' : found.location}`;
}

export function diffScans(before: ImageScanResult, after: ImageScanResult): ImageDiff {
  const beforePackages = new Map(before.inventory.packages.map((found) => [packageKey(found), found]));
  const afterPackages = new Map(after.inventory.packages.map((found) => [packageKey(found), found]));
  const packagesAdded = [...afterPackages].filter(([key]) => !beforePackages.has(key)).map(([, found]) => found);
  const packagesRemoved = [...beforePackages].filter(([key]) => !afterPackages.has(key)).map(([, found]) => found);
  const packagesChanged = [...afterPackages].flatMap(([key, to]) => {
    const from = beforePackages.get(key);
    return from !== undefined && from.version !== to.version ? [{ from, to }] : [];
  });
  const vulnerabilityKey = (match: VulnerabilityMatch): string => `${match.id}\0${packageKey(match.package)}`;
  const beforeVulnerabilities = new Set(before.vulnerabilities.map(vulnerabilityKey));
  const afterVulnerabilities = new Set(after.vulnerabilities.map(vulnerabilityKey));
  return {
    packagesAdded,
    packagesRemoved,
    packagesChanged,
    vulnerabilitiesAdded: after.vulnerabilities.filter((match) => !beforeVulnerabilities.has(vulnerabilityKey(match))),
    vulnerabilitiesRemoved: before.vulnerabilities.filter((match) => !afterVulnerabilities.has(vulnerabilityKey(match))),
  };
}

export function renderDiffTable(diff: ImageDiff, before: string, after: string): string {
  const lines = [`Changes from ${before} to ${after}`];
  const section = (title: string, rows: string[][]): void => {
    lines.push('', `${title} (${rows.length})`);
    if (rows.length > 0) lines.push(columns(rows.map((row) => ['', ...row])));
  };
  section('Packages added', diff.packagesAdded.map((found) => ['+', found.type, packageLabel(found), found.version]));
  section('Packages removed', diff.packagesRemoved.map((found) => ['-', found.type, packageLabel(found), found.version]));
  section('Packages changed', diff.packagesChanged.map((entry) => ['~', entry.to.type, packageLabel(entry.to), `${entry.from.version} -> ${entry.to.version}`]));
  section('Vulnerabilities added', diff.vulnerabilitiesAdded.map((match) => ['+', match.severity.toUpperCase(), match.id, `${packageLabel(match.package)} ${match.package.version}`]));
  section('Vulnerabilities removed', diff.vulnerabilitiesRemoved.map((match) => ['-', match.severity.toUpperCase(), match.id, `${packageLabel(match.package)} ${match.package.version}`]));
  return `${lines.join('\n')}\n`;
}

export function diffToJson(diff: ImageDiff): unknown {
  const pkg = (found: Package): unknown => ({ type: found.type, namespace: found.namespace, name: found.name, version: found.version, location: found.location });
  const vulnerability = (match: VulnerabilityMatch): unknown => ({ id: match.id, severity: match.severity, package: pkg(match.package), fixedVersion: match.fixedVersion });
  return {
    packages: { added: diff.packagesAdded.map(pkg), removed: diff.packagesRemoved.map(pkg), changed: diff.packagesChanged.map((entry) => ({ from: pkg(entry.from), to: pkg(entry.to) })) },
    vulnerabilities: { added: diff.vulnerabilitiesAdded.map(vulnerability), removed: diff.vulnerabilitiesRemoved.map(vulnerability) },
  };
}
