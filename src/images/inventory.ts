/**
 * Builds an image's inventory in one pass over its layers: OS release, OS
 * packages, language packages, setuid files. Only parsed results are kept,
 * keyed by the path they came from, so a later layer's copy, a whiteout or
 * an opaque directory replaces or removes them exactly as the merged
 * filesystem would. Language packages whose files an OS package installed
 * are attributed to that OS package instead of being listed twice.
 */
import { parseApkInstalled, parseDpkgStatus, parseOsRelease } from './catalog/os.js';
import { AUDITABLE_SECTION, parseAuditableBinary } from './catalog/cargo.js';
import { goPackages, scanExecutable } from './catalog/gobinary.js';
import { JAVA_ARCHIVE, NPM_MANIFEST, parseJavaArchive, parseNpmPackage, parsePythonMetadata, PYTHON_METADATA } from './catalog/language.js';
import { parseRpmSqlite } from './catalog/rpm.js';
import { readLimited, streamLayer, type EntryInfo, type FileBody, type FilesystemVisitor, type StreamStats } from './layers.js';
import type { ImageInventory, OpenedImage, OsRelease, Package, SetuidFile } from './model.js';

const MAX_DATABASE_BYTES = 256 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;
const MIN_GO_BINARY_BYTES = 256 * 1024;
/** Executables held whole to look for a cargo-auditable section: up to this size. */
const MAX_AUDITABLE_BYTES = 32 * 1024 * 1024;
const AUDITABLE_MARKER = Buffer.from(AUDITABLE_SECTION);

const OS_RELEASE = new Set(['/etc/os-release', '/usr/lib/os-release']);
const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_STATUS_D = /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/;
const DPKG_LIST = /^\/var\/lib\/dpkg\/info\/([^/]+)\.list$/;
const APK_INSTALLED = '/lib/apk/db/installed';
const RPM_SQLITE = new Set(['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite']);

/** 52-bit hash of a path: ownership is kept as numbers, not as the strings of every file. */
export function pathKey(path: string): number {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let index = 0; index < path.length; index++) {
    const code = path.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193) >>> 0;
    second = Math.imul(second ^ code, 0x5bd1e995) >>> 0;
  }
  return first * 0x100000 + (second & 0xfffff);
}

interface Record<T> {
  readonly layer: number;
  readonly value: T;
}

export interface AttributedPackage {
  readonly package: Package;
  readonly owner: string;
}

export interface DetailedInventory extends ImageInventory {
  /** Language packages left out because an OS package owns their files. */
  readonly attributed: readonly AttributedPackage[];
}

class InventoryBuilder implements FilesystemVisitor {
  readonly osRelease = new Map<string, Record<OsRelease>>();
  readonly packages = new Map<string, Record<Package[]>>();
  /** Per database or .list file: path key → owning OS package. */
  readonly ownership = new Map<string, Record<Map<number, string>>>();
  readonly setuid = new Map<string, SetuidFile>();
  readonly warnings: string[] = [];

  entry(info: EntryInfo): ((body: FileBody) => Promise<void>) | undefined {
    const { path, layer } = info;
    if (info.type === 'file' && (info.mode & 0o6000) !== 0) this.setuid.set(path, { path, mode: info.mode, layer });
    else if (this.setuid.has(path)) this.setuid.delete(path);
    if (info.type !== 'file') {
      // A directory or link replacing a file: whatever was parsed from it is gone.
      this.forget(path);
      return undefined;
    }
    if (OS_RELEASE.has(path)) {
      return this.read(info, MAX_MANIFEST_BYTES, (bytes) => {
        const release = parseOsRelease(bytes.toString('utf8'));
        if (release !== undefined) this.osRelease.set(path, { layer, value: release });
      });
    }
    if (path === DPKG_STATUS || DPKG_STATUS_D.test(path)) {
      if (path.endsWith('.md5sums')) return undefined;
      return this.read(info, MAX_DATABASE_BYTES, (bytes) => this.packages.set(path, { layer, value: parseDpkgStatus(bytes.toString('utf8'), path, layer) }));
    }
    const list = DPKG_LIST.exec(path);
    if (list !== null) {
      const owner = list[1]!.split(':')[0]!;
      return this.read(info, MAX_DATABASE_BYTES, (bytes) => {
        const owned = new Map<number, string>();
        for (const line of bytes.toString('utf8').split('\n')) if (line !== '' && line !== '/.') owned.set(pathKey(line), owner);
        this.ownership.set(path, { layer, value: owned });
      });
    }
    if (path === APK_INSTALLED) {
      return this.read(info, MAX_DATABASE_BYTES, (bytes) => {
        const database = parseApkInstalled(bytes.toString('utf8'), path, layer);
        this.packages.set(path, { layer, value: database.packages });
        const owned = new Map<number, string>();
        for (const [owner, files] of database.files) for (const file of files) owned.set(pathKey(file), owner);
        this.ownership.set(path, { layer, value: owned });
      });
    }
    if (RPM_SQLITE.has(path)) {
      return async (body) => {
        const bytes = await readLimited(body, MAX_DATABASE_BYTES);
        if (bytes === undefined) {
          this.warnings.push(`${path}: larger than ${MAX_DATABASE_BYTES} bytes, not read`);
          return;
        }
        try {
          const parsed = await parseRpmSqlite(bytes, path, layer);
          this.packages.set(path, { layer, value: parsed.map((entry) => entry.package) });
          const owned = new Map<number, string>();
          for (const entry of parsed) for (const file of entry.files) owned.set(pathKey(file), entry.package.name);
          this.ownership.set(path, { layer, value: owned });
        } catch (error) {
          this.warnings.push(`${path}: not a readable RPM database (${(error as Error).message})`);
        }
      };
    }
    if (NPM_MANIFEST.test(path)) {
      return this.read(info, MAX_MANIFEST_BYTES, (bytes) => {
        const found = parseNpmPackage(bytes, path, layer);
        this.packages.set(path, { layer, value: found === undefined ? [] : [found] });
      });
    }
    if (PYTHON_METADATA.test(path)) {
      return this.read(info, MAX_MANIFEST_BYTES, (bytes) => {
        const found = parsePythonMetadata(bytes.toString('utf8'), path, layer);
        this.packages.set(path, { layer, value: found === undefined ? [] : [found] });
      });
    }
    if (JAVA_ARCHIVE.test(path)) {
      return this.read(info, MAX_ARCHIVE_BYTES, (bytes) => this.packages.set(path, { layer, value: parseJavaArchive(bytes, path, layer) }));
    }
    if ((info.mode & 0o111) !== 0 && info.size >= MIN_GO_BINARY_BYTES) {
      return async (body) => {
        const scanned = await scanExecutable(body, MAX_AUDITABLE_BYTES, AUDITABLE_MARKER);
        const crates = scanned.elf === undefined ? undefined : parseAuditableBinary(scanned.elf, path, layer);
        if (scanned.go !== undefined) this.packages.set(path, { layer, value: goPackages(scanned.go, path, layer) });
        else if (crates !== undefined) this.packages.set(path, { layer, value: crates });
        else this.forget(path);
      };
    }
    this.forget(path);
    return undefined;
  }

  private read(info: EntryInfo, limit: number, use: (bytes: Buffer) => void): (body: FileBody) => Promise<void> {
    return async (body) => {
      const bytes = await readLimited(body, limit);
      if (bytes === undefined) {
        this.warnings.push(`${info.path}: larger than ${limit} bytes, not read`);
        this.forget(info.path);
        return;
      }
      use(bytes);
    };
  }

  /** A path overwritten by something Rampart does not parse. */
  private forget(path: string): void {
    this.osRelease.delete(path);
    this.packages.delete(path);
    this.ownership.delete(path);
  }

  /** Whiteouts and opaque markers hide only what lower layers wrote (OCI image spec, "Whiteouts"). */
  remove(path: string, layer: number): void {
    this.dropUnder(path, true, layer);
  }

  opaque(path: string, layer: number): void {
    this.dropUnder(path, false, layer);
  }

  /** Drops records at `path` (when `self`) and below it that came from layers before `beforeLayer`. */
  private dropUnder(path: string, self: boolean, beforeLayer: number): void {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const map of [this.osRelease, this.packages, this.ownership, this.setuid] as Map<string, { layer: number }>[]) {
      for (const [key, record] of map) {
        if (record.layer >= beforeLayer) continue;
        if ((self && key === path) || key.startsWith(prefix)) map.delete(key);
      }
    }
  }
}

const MERGED_USR = /^\/(?:usr\/)?(bin|sbin|lib|lib32|lib64|libx32)\//;

/**
 * The same path under merged /usr: dpkg records "/bin/su" for a file the
 * image holds at /usr/bin/su (and the other way round).
 */
function aliases(path: string): string[] {
  const match = MERGED_USR.exec(path);
  if (match === null) return [path];
  const rest = path.slice(match[0].length);
  return [path, path.startsWith('/usr/') ? `/${match[1]!}/${rest}` : `/usr/${match[1]!}/${rest}`];
}

/** The OS package owning a path, under either merged-/usr spelling. */
function ownerOfPath(owned: Map<number, string>, path: string): string | undefined {
  for (const candidate of aliases(path)) {
    const owner = owned.get(pathKey(candidate));
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** The owning OS package of a language package, by its manifest path or the directory holding it. */
function ownerOf(owned: Map<number, string>, location: string): string | undefined {
  const parent = location.slice(0, location.lastIndexOf('/'));
  return ownerOfPath(owned, location) ?? (parent === '' ? undefined : ownerOfPath(owned, parent));
}

export async function inventoryImage(image: OpenedImage): Promise<DetailedInventory> {
  const builder = new InventoryBuilder();
  const stats: StreamStats = { entries: 0, bytes: 0 };
  for (const layer of image.layers) await streamLayer(layer, builder, stats, image.source);
  const owned = new Map<number, string>();
  for (const record of builder.ownership.values()) for (const [key, owner] of record.value) owned.set(key, owner);
  const packages: Package[] = [];
  const attributed: AttributedPackage[] = [];
  const osTypes = new Set(['deb', 'apk', 'rpm']);
  for (const record of [...builder.packages.values()].sort((a, b) => a.layer - b.layer)) {
    for (const found of record.value) {
      const owner = osTypes.has(found.type) ? undefined : ownerOf(owned, found.location);
      if (owner === undefined) packages.push(found);
      else attributed.push({ package: found, owner });
    }
  }
  packages.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version) || a.location.localeCompare(b.location));
  const setuidFiles = [...builder.setuid.values()]
    .map((file) => {
      const owner = ownerOfPath(owned, file.path);
      return owner === undefined ? file : { ...file, ownedBy: owner };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  const os = builder.osRelease.get('/etc/os-release')?.value ?? builder.osRelease.get('/usr/lib/os-release')?.value;
  return {
    image,
    ...(os === undefined ? {} : { os }),
    packages,
    attributed,
    setuidFiles,
    warnings: builder.warnings,
    stats: { layers: image.layers.length, entries: stats.entries, bytes: stats.bytes },
  };
}
