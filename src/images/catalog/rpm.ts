/**
 * RPM's SQLite database (rpmdb.sqlite, Fedora 33+/RHEL 9+): each row of the
 * Packages table is an RPM header blob (index entries, then a data store)
 * from which the name, version, release, epoch, arch, source RPM, license and
 * file list are read.
 */
import type { Package } from '../model.js';

const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, license: 1014, arch: 1022, sourceRpm: 1044, dirIndexes: 1116, baseNames: 1117, dirNames: 1118 } as const;
const TYPE = { int32: 4, string: 6, stringArray: 8, i18nString: 9 } as const;

export interface RpmHeader {
  readonly strings: Map<number, string[]>;
  readonly numbers: Map<number, number[]>;
}

/** Parses one header blob; undefined when it is malformed. */
export function parseRpmHeader(blob: Buffer): RpmHeader | undefined {
  if (blob.length < 8) return undefined;
  const indexCount = blob.readUInt32BE(0);
  const dataLength = blob.readUInt32BE(4);
  const dataStart = 8 + indexCount * 16;
  if (indexCount > 100000 || dataStart + dataLength > blob.length) return undefined;
  const strings = new Map<number, string[]>();
  const numbers = new Map<number, number[]>();
  for (let entry = 0; entry < indexCount; entry++) {
    const at = 8 + entry * 16;
    const tag = blob.readUInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readUInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    let position = dataStart + offset;
    if (position > dataStart + dataLength) return undefined;
    if (type === TYPE.string || type === TYPE.stringArray || type === TYPE.i18nString) {
      const values: string[] = [];
      const wanted = type === TYPE.string ? 1 : count;
      for (let index = 0; index < wanted; index++) {
        const end = blob.indexOf(0, position);
        if (end < 0 || end > dataStart + dataLength) return undefined;
        values.push(blob.toString('utf8', position, end));
        position = end + 1;
      }
      strings.set(tag, values);
    } else if (type === TYPE.int32) {
      if (position + count * 4 > dataStart + dataLength) return undefined;
      numbers.set(tag, Array.from({ length: count }, (_, index) => blob.readInt32BE(position + index * 4)));
    }
  }
  return { strings, numbers };
}

/** "openssl-3.0.7-27.el9.src.rpm" → name and version-release. */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match === null ? undefined : { name: match[1]!, version: `${match[2]!}-${match[3]!}` };
}

export interface RpmPackageWithFiles {
  readonly package: Package;
  readonly files: string[];
}

export function rpmPackage(header: RpmHeader, location: string, layer: number): RpmPackageWithFiles | undefined {
  const name = header.strings.get(TAG.name)?.[0];
  const version = header.strings.get(TAG.version)?.[0];
  const release = header.strings.get(TAG.release)?.[0];
  if (name === undefined || version === undefined || name === 'gpg-pubkey') return undefined;
  const epoch = header.numbers.get(TAG.epoch)?.[0];
  const full = `${epoch === undefined || epoch === 0 ? '' : `${epoch}:`}${version}${release === undefined ? '' : `-${release}`}`;
  const arch = header.strings.get(TAG.arch)?.[0];
  const license = header.strings.get(TAG.license)?.[0];
  const sourceRpm = header.strings.get(TAG.sourceRpm)?.[0];
  const source = sourceRpm === undefined ? undefined : parseSourceRpm(sourceRpm);
  const baseNames = header.strings.get(TAG.baseNames) ?? [];
  const dirNames = header.strings.get(TAG.dirNames) ?? [];
  const dirIndexes = header.numbers.get(TAG.dirIndexes) ?? [];
  const files = baseNames.map((base, index) => `${dirNames[dirIndexes[index] ?? -1] ?? ''}${base}`);
  return {
    package: {
      name,
      version: full,
      type: 'rpm',
      source: source === undefined ? { name, version: full } : { name: source.name, version: `${epoch === undefined || epoch === 0 ? '' : `${epoch}:`}${source.version}` },
      ...(arch === undefined ? {} : { arch }),
      ...(license === undefined ? {} : { licenses: [license] }),
      location,
      layer,
    },
    files,
  };
}

/** Reads every package of an rpmdb.sqlite held in memory. */
export async function parseRpmSqlite(bytes: Buffer, location: string, layer: number): Promise<RpmPackageWithFiles[]> {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(bytes, { readonly: true });
  try {
    const rows = database.prepare('SELECT blob FROM Packages').all() as { blob: Buffer }[];
    return rows.flatMap((row) => {
      const header = parseRpmHeader(row.blob);
      const parsed = header === undefined ? undefined : rpmPackage(header, location, layer);
      return parsed === undefined ? [] : [parsed];
    });
  } finally {
    database.close();
  }
}
