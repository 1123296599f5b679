/**
 * VEX statements (OpenVEX and CycloneDX VEX): a vendor or the user saying a
 * vulnerability does not affect a product, with the reason. A statement
 * names products by purl; one without products covers the whole image.
 */
import { purlMatches } from './purl.js';

export class VexError extends Error {}

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  /** Package purls the statement covers; empty for "everything in the image". */
  readonly products: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly detail?: string;
  readonly file: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CYCLONEDX_STATE: Readonly<Record<string, VexStatus>> = { not_affected: 'not_affected', false_positive: 'not_affected', resolved: 'fixed', resolved_with_pedigree: 'fixed', exploitable: 'affected', in_triage: 'under_investigation' };

function productIds(product: unknown): string[] {
  if (typeof product === 'string') return [product];
  if (!isObject(product)) return [];
  const subcomponents = Array.isArray(product.subcomponents) ? product.subcomponents.flatMap(productIds) : [];
  if (subcomponents.length > 0) return subcomponents;
  const ids: string[] = [];
  if (typeof product['@id'] === 'string') ids.push(product['@id']);
  if (isObject(product.identifiers) && typeof product.identifiers.purl === 'string') ids.push(product.identifiers.purl);
  return ids;
}

/** Parses an OpenVEX document or a CycloneDX BOM with vulnerabilities. */
export function parseVex(text: string, file: string): VexStatement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new VexError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(document)) throw new VexError(`${file}: a VEX document must be a JSON object`);
  if (Array.isArray(document.statements)) {
    return document.statements.map((statement, index): VexStatement => {
      const where = `${file}: statements[${index}]`;
      if (!isObject(statement)) throw new VexError(`${where}: must be an object`);
      const vulnerability = typeof statement.vulnerability === 'string' ? { name: statement.vulnerability } : statement.vulnerability;
      if (!isObject(vulnerability) || typeof vulnerability.name !== 'string') throw new VexError(`${where}: needs vulnerability.name`);
      const status = statement.status;
      if (status !== 'not_affected' && status !== 'affected' && status !== 'fixed' && status !== 'under_investigation') throw new VexError(`${where}: status must be not_affected, affected, fixed or under_investigation`);
      const products = Array.isArray(statement.products) ? statement.products.flatMap(productIds) : [];
      const aliases = Array.isArray(vulnerability.aliases) ? vulnerability.aliases.filter((alias): alias is string => typeof alias === 'string') : [];
      const detail = typeof statement.impact_statement === 'string' ? statement.impact_statement : typeof statement.status_notes === 'string' ? statement.status_notes : undefined;
      return {
        vulnerability: vulnerability.name,
        aliases,
        products: products.filter((product) => product.startsWith('pkg:') && !product.startsWith('pkg:oci/') && !product.startsWith('pkg:docker/')),
        status,
        ...(typeof statement.justification === 'string' ? { justification: statement.justification } : {}),
        ...(detail === undefined ? {} : { detail }),
        file,
      };
    });
  }
  if (document.bomFormat === 'CycloneDX' && Array.isArray(document.vulnerabilities)) {
    const refs = new Map<string, string>();
    for (const component of Array.isArray(document.components) ? document.components : []) {
      if (isObject(component) && typeof component['bom-ref'] === 'string' && typeof component.purl === 'string') refs.set(component['bom-ref'], component.purl);
    }
    return document.vulnerabilities.flatMap((vulnerability, index): VexStatement[] => {
      const where = `${file}: vulnerabilities[${index}]`;
      if (!isObject(vulnerability) || typeof vulnerability.id !== 'string') throw new VexError(`${where}: needs an id`);
      const analysis = isObject(vulnerability.analysis) ? vulnerability.analysis : undefined;
      const state = typeof analysis?.state === 'string' ? CYCLONEDX_STATE[analysis.state] : undefined;
      if (state === undefined) return [];
      const products = (Array.isArray(vulnerability.affects) ? vulnerability.affects : []).flatMap((affect) => (isObject(affect) && typeof affect.ref === 'string' ? [refs.get(affect.ref) ?? affect.ref] : []));
      return [
        {
          vulnerability: vulnerability.id,
          aliases: [],
          products: products.filter((product) => product.startsWith('pkg:')),
          status: state,
          ...(typeof analysis?.justification === 'string' ? { justification: analysis.justification } : {}),
          ...(typeof analysis?.detail === 'string' ? { detail: analysis.detail } : {}),
          file,
        },
      ];
    });
  }
  throw new VexError(`${file}: neither an OpenVEX document (statements) nor a CycloneDX BOM with vulnerabilities`);
}

/** The statement that decides a vulnerability of a package: the last one that names it. */
export function vexFor(statements: readonly VexStatement[], ids: readonly string[], packagePurl: string): VexStatement | undefined {
  let decision: VexStatement | undefined;
  for (const statement of statements) {
    const names = [statement.vulnerability, ...statement.aliases];
    if (!names.some((name) => ids.includes(name))) continue;
    if (statement.products.length > 0 && !statement.products.some((product) => purlMatches(product, packagePurl))) continue;
    decision = statement;
  }
  return decision;
}
