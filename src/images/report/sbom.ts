/**
 * SBOMs of a scanned image: CycloneDX 1.6 through @cyclonedx/cyclonedx-library
 * (with the matched vulnerabilities and VEX analyses), and SPDX 2.3 JSON.
 */
import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Package } from '../model.js';
import type { ImageScanResult } from '../scan.js';

export interface SbomContext {
  readonly tool: { readonly name: string; readonly version: string };
  /** Fixed for reproducible output in tests; defaults to now. */
  readonly now?: Date;
}

function imageName(result: ImageScanResult): string {
  return result.inventory.image.repoTags[0] ?? result.inventory.image.source;
}

function imageVersion(result: ImageScanResult): string | undefined {
  return result.inventory.image.manifestDigest ?? result.inventory.image.configDigest;
}

/** A purl string where the library expects a PackageURL object (it only calls toString). */
function purlObject(purl: string): NonNullable<Models.Component['purl']> {
  return { toString: () => purl } as unknown as NonNullable<Models.Component['purl']>;
}

function bomRef(found: Package, purl: string): string {
  return `${purl}#${found.location}`;
}

export function renderCycloneDx(result: ImageScanResult, context: SbomContext): string {
  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${uuidFrom(`${imageName(result)}${imageVersion(result) ?? ''}`)}`;
  bom.metadata.timestamp = context.now ?? new Date();
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, context.tool.name, { version: context.tool.version }));
  const version = imageVersion(result);
  bom.metadata.component = new Models.Component(Enums.ComponentType.Container, imageName(result), { ...(version === undefined ? {} : { version }), bomRef: 'image' });
  const components = new Map<Package, Models.Component>();
  for (const found of result.inventory.packages) {
    const purl = result.purls.get(found)!;
    const component = new Models.Component(Enums.ComponentType.Library, found.name, {
      version: found.version,
      ...(found.namespace === undefined ? {} : { group: found.namespace }),
      purl: purlObject(purl),
      bomRef: bomRef(found, purl),
    });
    for (const license of found.licenses ?? []) component.licenses.add(new Models.NamedLicense(license));
    component.properties.add(new Models.Property('rampart:location', found.location));
    component.properties.add(new Models.Property('rampart:layer', String(found.layer)));
    if (found.source !== undefined && found.source.name !== found.name) component.properties.add(new Models.Property('rampart:sourcePackage', `${found.source.name} ${found.source.version}`));
    bom.components.add(component);
    components.set(found, component);
  }
  const addVulnerability = (match: ImageScanResult['vulnerabilities'][number], analysis?: { state: Enums.Vulnerability.AnalysisState; justification?: string; detail?: string }): void => {
    const component = components.get(match.package);
    if (component === undefined) return;
    const vulnerability = new Models.Vulnerability.Vulnerability({
      id: match.id,
      ...(match.summary === undefined ? {} : { description: match.summary }),
      ...(analysis === undefined ? {} : { analysis: new Models.Vulnerability.Analysis({ state: analysis.state, ...(analysis.detail === undefined ? {} : { detail: analysis.detail }), ...(justificationOf(analysis.justification) === undefined ? {} : { justification: justificationOf(analysis.justification)! }) }) }),
    });
    vulnerability.affects.add(new Models.Vulnerability.Affect(component.bomRef));
    if (match.severity !== 'unknown') vulnerability.ratings.add(new Models.Vulnerability.Rating({ severity: match.severity as Enums.Vulnerability.Severity, ...(match.cvss === undefined ? {} : { score: match.cvss, method: Enums.Vulnerability.RatingMethod.CVSSv31 }) }));
    if (match.fixedVersion !== undefined) vulnerability.recommendation = `upgrade ${match.package.name} to ${match.fixedVersion}`;
    bom.vulnerabilities.add(vulnerability);
  };
  for (const match of result.vulnerabilities) addVulnerability(match);
  for (const { match, statement } of result.suppressed) addVulnerability(match, { state: Enums.Vulnerability.AnalysisState.NotAffected, ...(statement.justification === undefined ? {} : { justification: statement.justification }), ...(statement.detail === undefined ? {} : { detail: statement.detail }) });
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** OpenVEX justifications → CycloneDX's. */
function justificationOf(justification: string | undefined): Enums.Vulnerability.AnalysisJustification | undefined {
  const table: Record<string, Enums.Vulnerability.AnalysisJustification> = {
    component_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_present: Enums.Vulnerability.AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_in_execute_path: Enums.Vulnerability.AnalysisJustification.CodeNotReachable,
    vulnerable_code_cannot_be_controlled_by_adversary: Enums.Vulnerability.AnalysisJustification.RequiresEnvironment,
    inline_mitigations_already_exist: Enums.Vulnerability.AnalysisJustification.ProtectedAtRuntime,
  };
  if (justification === undefined) return undefined;
  const known = Object.values(Enums.Vulnerability.AnalysisJustification) as string[];
  return table[justification] ?? (known.includes(justification) ? (justification as Enums.Vulnerability.AnalysisJustification) : undefined);
}

function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function spdxId(text: string): string {
  return `SPDXRef-${text.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

export function renderSpdx(result: ImageScanResult, context: SbomContext): string {
  const name = imageName(result);
  const created = (context.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const imageId = 'SPDXRef-image';
  const used = new Set<string>([imageId, 'SPDXRef-DOCUMENT']);
  const packages = [
    {
      SPDXID: imageId,
      name,
      ...(imageVersion(result) === undefined ? {} : { versionInfo: imageVersion(result) }),
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
    },
  ];
  const relationships = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId }];
  for (const found of result.inventory.packages) {
    let id = spdxId(`Package-${found.type}-${found.name}-${found.version}`);
    for (let suffix = 2; used.has(id); suffix++) id = spdxId(`Package-${found.type}-${found.name}-${found.version}-${suffix}`);
    used.add(id);
    const license = found.licenses !== undefined && found.licenses.length === 1 && /^[A-Za-z0-9.+-]+$/.test(found.licenses[0]!) ? found.licenses[0]! : 'NOASSERTION';
    packages.push({
      SPDXID: id,
      name: found.namespace === undefined ? found.name : `${found.namespace}:${found.name}`,
      versionInfo: found.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: license,
      copyrightText: 'NOASSERTION',
      sourceInfo: `found at ${found.location} (layer ${found.layer})`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: result.purls.get(found)! }],
    } as unknown as (typeof packages)[number]);
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${name} image SBOM`,
    documentNamespace: `https://rampart.dev/spdx/${encodeURIComponent(name)}-${uuidFrom(`${name}${imageVersion(result) ?? ''}${created}`)}`,
    creationInfo: { created, creators: [`Tool: ${context.tool.name}-${context.tool.version}`] },
    packages,
    relationships,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
