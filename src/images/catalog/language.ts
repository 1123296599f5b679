/** Language packages: npm package.json, Python METADATA / PKG-INFO, Java archives. Pure parsers. */
import { inflateRawSync } from 'node:zlib';
import type { Package } from '../model.js';

/** `.../node_modules/NAME/package.json` or `.../node_modules/@SCOPE/NAME/package.json`. */
export const NPM_MANIFEST = /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;
export const PYTHON_METADATA = /\/[^/]+\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
export const JAVA_ARCHIVE = /\.(?:jar|war|ear|jpi|hpi)$/;

export function parseNpmPackage(bytes: Buffer, location: string, layer: number): Package | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const { name, version, license } = manifest as { name?: unknown; version?: unknown; license?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') return undefined;
  return { name, version, type: 'npm', ...(typeof license === 'string' ? { licenses: [license] } : {}), location, layer };
}

/** Core metadata (RFC 822 style headers) of a Python distribution. */
export function parsePythonMetadata(text: string, location: string, layer: number): Package | undefined {
  let name: string | undefined;
  let version: string | undefined;
  let license: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') break; // the body (description) follows the first blank line
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match === null) continue;
    const key = match[1]!.toLowerCase();
    if (key === 'name') name ??= match[2]!.trim();
    else if (key === 'version') version ??= match[2]!.trim();
    else if (key === 'license') license ??= match[2]!.trim();
  }
  if (name === undefined || version === undefined) return undefined;
  return { name, version, type: 'pypi', ...(license === undefined || license === '' ? {} : { licenses: [license] }), location, layer };
}

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly localOffset: number;
}

function zipEntries(zip: Buffer): ZipEntry[] {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  const from = Math.max(0, zip.length - 65557);
  let end = -1;
  for (let index = zip.length - 22; index >= from; index--) {
    if (zip.readUInt32LE(index) === 0x06054b50) {
      end = index;
      break;
    }
  }
  if (end < 0) return [];
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count && offset + 46 <= zip.length; index++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) break;
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      localOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function zipRead(zip: Buffer, entry: ZipEntry): Buffer | undefined {
  const local = entry.localOffset;
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) return undefined;
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  try {
    if (entry.method === 0) return data;
    if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: 4 * 1024 * 1024 });
  } catch {
    return undefined;
  }
  return undefined;
}

function properties(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (match !== null) values.set(match[1]!, match[2]!.trim());
  }
  return values;
}

function manifestAttributes(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // main section only
    if (line.startsWith(' ') && last !== undefined) {
      values.set(last, values.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    values.set(last, line.slice(colon + 1).trim());
  }
  return values;
}

/**
 * Maven packages in a Java archive: every META-INF/maven/GROUP/ARTIFACT/pom.properties
 * (shaded jars carry several); without one, the manifest's Implementation or
 * Bundle fields name the archive's own package.
 */
export function parseJavaArchive(zip: Buffer, location: string, layer: number): Package[] {
  const entries = zipEntries(zip);
  const packages: Package[] = [];
  for (const entry of entries) {
    if (!/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(entry.name)) continue;
    const bytes = zipRead(zip, entry);
    if (bytes === undefined) continue;
    const values = properties(bytes.toString('utf8'));
    const groupId = values.get('groupId');
    const artifactId = values.get('artifactId');
    const version = values.get('version');
    if (groupId === undefined || artifactId === undefined || version === undefined) continue;
    packages.push({ name: artifactId, namespace: groupId, version, type: 'maven', location, layer });
  }
  if (packages.length > 0) return packages;
  const manifest = entries.find((entry) => entry.name === 'META-INF/MANIFEST.MF');
  const bytes = manifest === undefined ? undefined : zipRead(zip, manifest);
  if (bytes === undefined) return [];
  const attributes = manifestAttributes(bytes.toString('utf8'));
  const version = attributes.get('Implementation-Version') ?? attributes.get('Bundle-Version');
  const name = attributes.get('Implementation-Title') ?? attributes.get('Bundle-SymbolicName')?.split(';')[0];
  if (name === undefined || version === undefined) return [];
  const vendor = attributes.get('Implementation-Vendor-Id') ?? attributes.get('Implementation-Vendor');
  return [{ name, version, type: 'maven', ...(vendor === undefined ? {} : { namespace: vendor }), location, layer }];
}
