/** Package URLs (purl) for inventory packages, and the comparison VEX uses. */
import type { OsRelease, Package } from './model.js';

function encode(part: string): string {
  return encodeURIComponent(part).replace(/%2F/g, '/');
}

export function packageUrl(found: Package, os?: OsRelease): string {
  const qualifiers: string[] = [];
  if (found.arch !== undefined) qualifiers.push(`arch=${encodeURIComponent(found.arch)}`);
  if ((found.type === 'deb' || found.type === 'apk' || found.type === 'rpm') && os !== undefined) qualifiers.push(`distro=${encodeURIComponent(`${os.id}-${os.versionId ?? ''}`)}`);
  if (found.source !== undefined && found.source.name !== found.name && (found.type === 'deb' || found.type === 'rpm')) qualifiers.push(`upstream=${encodeURIComponent(found.source.name)}`);
  const query = qualifiers.length === 0 ? '' : `?${qualifiers.join('&')}`;
  const version = `@${encodeURIComponent(found.version)}`;
  switch (found.type) {
    case 'deb':
    case 'apk':
    case 'rpm':
      return `pkg:${found.type}/${encodeURIComponent(os?.id ?? 'unknown')}/${encodeURIComponent(found.name)}${version}${query}`;
    case 'npm': {
      const scoped = /^@([^/]+)\/(.+)$/.exec(found.name);
      return scoped === null ? `pkg:npm/${encodeURIComponent(found.name)}${version}` : `pkg:npm/%40${encodeURIComponent(scoped[1]!)}/${encodeURIComponent(scoped[2]!)}${version}`;
    }
    case 'pypi':
      return `pkg:pypi/${encodeURIComponent(normalisePythonName(found.name))}${version}`;
    case 'golang':
      return `pkg:golang/${encode(found.name)}${version}`;
    case 'cargo':
      return `pkg:cargo/${encodeURIComponent(found.name)}${version}`;
    case 'maven':
      return `pkg:maven/${encodeURIComponent(found.namespace ?? 'unknown')}/${encodeURIComponent(found.name)}${version}`;
  }
}

/** PEP 503 name normalisation. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

interface ParsedPurl {
  readonly base: string;
  readonly version?: string;
}

function parsePurl(purl: string): ParsedPurl | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  const withoutQualifiers = purl.split(/[?#]/)[0]!;
  const at = withoutQualifiers.lastIndexOf('@');
  const base = decodeURIComponent(at > 0 ? withoutQualifiers.slice(0, at) : withoutQualifiers).toLowerCase();
  return at > 0 ? { base, version: decodeURIComponent(withoutQualifiers.slice(at + 1)) } : { base };
}

/** True when a VEX product purl names this package: same type, namespace and name; same version when it gives one. */
export function purlMatches(statementPurl: string, packagePurl: string): boolean {
  const statement = parsePurl(statementPurl);
  const target = parsePurl(packagePurl);
  if (statement === undefined || target === undefined) return false;
  return statement.base === target.base && (statement.version === undefined || statement.version === target.version);
}
