/** OS packages: /etc/os-release, dpkg (status and distroless status.d), apk. Pure parsers over file bytes. */
import type { OsRelease, Package } from '../model.js';

export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    let value = match[2]!;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    fields.set(match[1]!, value);
  }
  const id = fields.get('ID');
  if (id === undefined) return undefined;
  return {
    id,
    ...(fields.has('VERSION_ID') ? { versionId: fields.get('VERSION_ID')! } : {}),
    ...(fields.has('VERSION_CODENAME') ? { versionCodename: fields.get('VERSION_CODENAME')! } : {}),
    ...(fields.has('PRETTY_NAME') ? { prettyName: fields.get('PRETTY_NAME')! } : {}),
  };
}

/** Splits a Debian control file into stanzas of fields; continuation lines join their field. */
export function controlStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastField: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      lastField = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastField !== undefined) {
      current.set(lastField, `${current.get(lastField)!}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastField = line.slice(0, colon);
    current.set(lastField, line.slice(colon + 1).trim());
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

/**
 * Packages of a dpkg status file (or one status.d file). Only installed
 * packages count ("install ok installed"); status.d files have no Status
 * field and are all installed. `Source: name (version)` gives the source
 * package when its version differs from the binary's.
 */
export function parseDpkgStatus(text: string, location: string, layer: number): Package[] {
  const packages: Package[] = [];
  for (const stanza of controlStanzas(text)) {
    const name = stanza.get('Package');
    const version = stanza.get('Version');
    if (name === undefined || version === undefined) continue;
    const status = stanza.get('Status');
    if (status !== undefined && !/\binstalled$/.test(status.trim())) continue;
    if (status !== undefined && status.split(/\s+/)[2] !== 'installed') continue;
    const sourceField = stanza.get('Source');
    const sourceMatch = sourceField === undefined ? null : /^(\S+)(?:\s+\((\S+)\))?/.exec(sourceField);
    const arch = stanza.get('Architecture');
    packages.push({
      name,
      version,
      type: 'deb',
      source: { name: sourceMatch?.[1] ?? name, version: sourceMatch?.[2] ?? version },
      ...(arch === undefined ? {} : { arch }),
      location,
      layer,
    });
  }
  return packages;
}

export interface ApkDatabase {
  readonly packages: Package[];
  /** Files each package installed, as absolute paths. */
  readonly files: Map<string, string[]>;
}

/** Packages and their files from /lib/apk/db/installed. */
export function parseApkInstalled(text: string, location: string, layer: number): ApkDatabase {
  const packages: Package[] = [];
  const files = new Map<string, string[]>();
  const flush = (fields: Map<string, string>, owned: string[]): void => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || version === undefined) return;
    const origin = fields.get('o') ?? name;
    const license = fields.get('L');
    const arch = fields.get('A');
    packages.push({
      name,
      version,
      type: 'apk',
      source: { name: origin, version },
      ...(arch === undefined ? {} : { arch }),
      ...(license === undefined ? {} : { licenses: [license] }),
      location,
      layer,
    });
    files.set(name, owned);
  };
  let fields = new Map<string, string>();
  let owned: string[] = [];
  let directory = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush(fields, owned);
      fields = new Map();
      owned = [];
      directory = '';
      continue;
    }
    const key = line.slice(0, 1);
    const value = line.slice(2);
    if (line[1] !== ':') continue;
    if (key === 'F') {
      directory = value;
      owned.push(`/${value}`);
    } else if (key === 'R') owned.push(`/${directory === '' ? '' : `${directory}/`}${value}`);
    else if (!fields.has(key)) fields.set(key, value);
  }
  flush(fields, owned);
  return { packages, files };
}
