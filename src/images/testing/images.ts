/**
 * Test images, built at test time: a Debian bookworm root filesystem from
 * mmdebstrap (the Debian mirror in /etc/apt), turned into every on-disk
 * format with umoci and skopeo, cached for the test run under the system
 * temporary directory; and small hand-made OCI layouts for precise cases.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export const IMAGE_CACHE = process.env.RAMPART_IMAGE_CACHE ?? path.join(os.tmpdir(), 'rampart-image-cache');

function available(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** Why the Debian image tools cannot run here, or undefined when they can. */
export function debianToolsMissing(): string | undefined {
  const missing = ['mmdebstrap', 'umoci', 'skopeo'].filter((command) => !available(command));
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')}`;
}

async function buildOnce(target: string, build: (temporary: string) => void): Promise<string> {
  if (existsSync(target)) return target;
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    build(temporary);
    await rename(temporary, target).catch(async (error: unknown) => {
      // Another test process built it first.
      if (!existsSync(target)) throw error;
      await rm(temporary, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** A minbase Debian bookworm root filesystem as a tar (about 170 MB, about 40 s to build once). */
export async function debianRootfsTar(extraPackages: readonly string[] = []): Promise<string> {
  const name = `debian-bookworm-minbase${extraPackages.length === 0 ? '' : `-${createHash('sha256').update(extraPackages.join(',')).digest('hex').slice(0, 8)}`}.tar`;
  return await buildOnce(path.join(IMAGE_CACHE, name), (temporary) => {
    const include = extraPackages.length === 0 ? [] : [`--include=${extraPackages.join(',')}`];
    execFileSync('mmdebstrap', ['--quiet', '--variant=minbase', ...include, '--format=tar', 'bookworm', temporary], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
}

export interface DebianImageFormats {
  readonly rootfsTar: string;
  readonly ociLayout: string;
  readonly dockerArchive: string;
  readonly ociArchive: string;
  /** A `docker save` tarball in the layout Docker 25+ writes: manifest.json plus an OCI layout. */
  readonly dockerOciArchive: string;
}

/** The Debian root filesystem as an image in every on-disk format. */
export async function debianImageFormats(): Promise<DebianImageFormats> {
  const rootfsTar = await debianRootfsTar();
  const ociLayout = await buildOnce(path.join(IMAGE_CACHE, 'debian-oci'), (temporary) => {
    execFileSync('umoci', ['init', '--layout', temporary]);
    execFileSync('umoci', ['new', '--image', `${temporary}:bookworm`]);
    execFileSync('umoci', ['config', '--image', `${temporary}:bookworm`, '--config.user', '1000:1000', '--config.env', 'API_TOKEN=c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZy1lbm91Z2g0Mg', '--config.exposedports', '22/tcp']);
    execFileSync('umoci', ['raw', 'add-layer', '--image', `${temporary}:bookworm`, rootfsTar]);
  });
  const dockerArchive = await buildOnce(path.join(IMAGE_CACHE, 'debian-docker.tar'), (temporary) => {
    execFileSync('skopeo', ['copy', '--quiet', `oci:${ociLayout}:bookworm`, `docker-archive:${temporary}:rampart/debian:bookworm`]);
  });
  const ociArchive = await buildOnce(path.join(IMAGE_CACHE, 'debian-oci.tar'), (temporary) => {
    execFileSync('skopeo', ['copy', '--quiet', `oci:${ociLayout}:bookworm`, `oci-archive:${temporary}:bookworm`]);
  });
  const dockerOciArchive = path.join(IMAGE_CACHE, 'debian-docker-oci.tar');
  if (!existsSync(dockerOciArchive)) await writeDockerOciArchive(ociLayout, dockerOciArchive, 'rampart/debian:bookworm');
  return { rootfsTar, ociLayout, dockerArchive, ociArchive, dockerOciArchive };
}

/** Packages dpkg itself reports as installed in a root filesystem tar: "name version" lines, sorted. */
export async function dpkgQueryInstalled(rootfsTar: string): Promise<string[]> {
  const root = path.join(IMAGE_CACHE, `dpkg-root-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(root, { recursive: true });
  try {
    execFileSync('tar', ['-xf', rootfsTar, '-C', root, './var/lib/dpkg']);
    const output = execFileSync('dpkg-query', [`--admindir=${path.join(root, 'var/lib/dpkg')}`, '-W', '-f', '${db:Status-Status} ${Package} ${Version}\n'], { encoding: 'utf8' });
    return output
      .split('\n')
      .filter((line) => line.startsWith('installed '))
      .map((line) => line.slice('installed '.length))
      .sort();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export interface FileSpec {
  readonly name: string;
  readonly content?: string | Buffer;
  readonly type?: 'file' | 'directory' | 'symlink';
  readonly mode?: number;
  readonly linkname?: string;
}

export async function tarBytes(files: readonly FileSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const file of files) {
    const type = file.type ?? 'file';
    const header = { name: file.name, type, mode: file.mode ?? (type === 'directory' ? 0o755 : 0o644), ...(file.linkname === undefined ? {} : { linkname: file.linkname }) };
    if (type === 'file') pack.entry(header, Buffer.from(file.content ?? ''));
    else pack.entry(header);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface LayoutSpec {
  readonly layers: readonly (readonly FileSpec[])[];
  readonly config?: Record<string, unknown>;
  /** When set, an index with one manifest per platform (same layers). */
  readonly platforms?: readonly { os: string; architecture: string; variant?: string }[];
  readonly compress?: boolean;
}

export interface WrittenLayout {
  readonly directory: string;
  readonly layerDigests: string[];
  readonly configDigest: string;
  readonly manifestDigests: string[];
}

/** Writes an OCI image layout directory from file lists, one list per layer. */
export async function writeOciLayout(directory: string, spec: LayoutSpec): Promise<WrittenLayout> {
  const blobs = path.join(directory, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer): Promise<string> => {
    const digest = digestOf(bytes);
    await writeFile(path.join(blobs, digest.slice(7)), bytes);
    return digest;
  };
  const layerDescriptors = [];
  const diffIds = [];
  const layerDigests = [];
  for (const files of spec.layers) {
    const raw = await tarBytes(files);
    const stored = spec.compress === false ? raw : gzipSync(raw);
    const digest = await put(stored);
    layerDigests.push(digest);
    diffIds.push(digestOf(raw));
    layerDescriptors.push({ mediaType: `application/vnd.oci.image.layer.v1.tar${spec.compress === false ? '' : '+gzip'}`, digest, size: stored.length });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, ...spec.config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configDigest = await put(config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: layerDescriptors }));
  const manifestDigest = await put(manifest);
  const platforms = spec.platforms ?? [undefined];
  const manifests = platforms.map((platform) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, ...(platform === undefined ? {} : { platform }) }));
  await writeFile(path.join(directory, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  await writeFile(path.join(directory, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { directory, layerDigests, configDigest, manifestDigests: [manifestDigest] };
}

/** Packs an OCI layout directory plus a Docker manifest.json into one tar, as Docker 25+ `docker save` does. */
export async function writeDockerOciArchive(layout: string, target: string, repoTag: string): Promise<void> {
  const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifestDigest = index.manifests[0]!.digest;
  const manifest = JSON.parse(await readFile(path.join(layout, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const blobName = (digest: string): string => `blobs/sha256/${digest.slice(7)}`;
  const files: FileSpec[] = [
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', content: JSON.stringify(index) },
    { name: 'manifest.json', content: JSON.stringify([{ Config: blobName(manifest.config.digest), RepoTags: [repoTag], Layers: manifest.layers.map((layer) => blobName(layer.digest)) }]) },
  ];
  for (const digest of [manifestDigest, manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]) {
    files.push({ name: blobName(digest), content: await readFile(path.join(layout, blobName(digest))) });
  }
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, await tarBytes(files));
  await rename(temporary, target);
}

/** A zip archive with stored (uncompressed) entries: enough for a test jar. */
export function zipBytes(entries: readonly { name: string; content: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

/** Bytes that look like a Go 1.18+ executable's build info (inline strings). */
export function goBinaryBytes(goVersion: string, modules: string): Buffer {
  const uvarint = (value: number): Buffer => {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    return Buffer.from(bytes);
  };
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header, 0);
  header[14] = 8;
  header[15] = 2;
  const sentinelStart = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const sentinelEnd = Buffer.from('f932433186182072008242104116d8f2', 'hex');
  const info = Buffer.concat([sentinelStart, Buffer.from(modules), sentinelEnd]);
  const elf = Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(300 * 1024)]);
  return Buffer.concat([elf, header, uvarint(goVersion.length), Buffer.from(goVersion), uvarint(info.length), info, Buffer.alloc(4096)]);
}

/** An RPM header blob as rpmdb.sqlite stores it, from string and int32 tags. */
export function rpmHeaderBlob(strings: Record<number, string | string[]>, numbers: Record<number, number[]> = {}): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let length = 0;
  const add = (tag: number, type: number, count: number, bytes: Buffer, align: number): void => {
    const padding = (align - (length % align)) % align;
    if (padding > 0) {
      data.push(Buffer.alloc(padding));
      length += padding;
    }
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(type, 4);
    entry.writeUInt32BE(length, 8);
    entry.writeUInt32BE(count, 12);
    entries.push(entry);
    data.push(bytes);
    length += bytes.length;
  };
  for (const [tag, value] of Object.entries(strings)) {
    const values = Array.isArray(value) ? value : [value];
    add(Number(tag), Array.isArray(value) ? 8 : 6, values.length, Buffer.concat(values.map((item) => Buffer.from(`${item}\0`))), 1);
  }
  for (const [tag, values] of Object.entries(numbers)) {
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((value, index) => bytes.writeInt32BE(value, index * 4));
    add(Number(tag), 4, values.length, bytes, 4);
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(length, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

/** A 64-bit little-endian ELF file with a cargo-auditable `.dep-v0` section holding `dependencies` (zlib JSON). */
export function auditableBinaryBytes(dependencies: unknown, padding = 300 * 1024): Buffer {
  const section = deflateSync(Buffer.from(JSON.stringify(dependencies)));
  const names = Buffer.from('\0.dep-v0\0.shstrtab\0');
  const sectionOffset = 64 + padding;
  const namesOffset = sectionOffset + section.length;
  const headersOffset = namesOffset + names.length;
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeUInt16LE(2, 16); // executable
  header.writeUInt16LE(62, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(BigInt(headersOffset), 40);
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(64, 58);
  header.writeUInt16LE(3, 60);
  header.writeUInt16LE(2, 62);
  const sectionHeader = (name: number, type: number, offset: number, size: number): Buffer => {
    const entry = Buffer.alloc(64);
    entry.writeUInt32LE(name, 0);
    entry.writeUInt32LE(type, 4);
    entry.writeBigUInt64LE(BigInt(offset), 24);
    entry.writeBigUInt64LE(BigInt(size), 32);
    return entry;
  };
  return Buffer.concat([header, Buffer.alloc(padding), section, names, sectionHeader(0, 0, 0, 0), sectionHeader(1, 1, sectionOffset, section.length), sectionHeader(9, 3, namesOffset, names.length)]);
}
