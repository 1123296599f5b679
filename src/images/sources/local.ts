/**
 * Images on disk, no Docker engine: a `docker save` tarball (the legacy
 * manifest.json layout and the OCI layout newer Docker writes), an OCI image
 * layout directory, and an OCI archive (a tar of such a directory).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ImageError } from '../errors.js';
import type { ImageConfig, LayerRef, OpenedImage, Platform } from '../model.js';
import { indexTar, type TarMember } from '../tarIndex.js';
import { DIGEST, parseJson, resolveImage, verifyDigest, type BlobStore } from './oci.js';

const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Opens an image from a path: a directory is an OCI layout, a file a tar archive. */
export async function openLocalImage(location: string, platform: Platform): Promise<OpenedImage> {
  const info = await stat(location).catch(() => {
    throw new ImageError(`${location}: no such file or directory`);
  });
  if (info.isDirectory()) return await openLayoutDirectory(location, platform);
  return await openArchive(location, platform);
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

async function openLayoutDirectory(directory: string, platform: Platform): Promise<OpenedImage> {
  const name = `OCI layout ${directory}`;
  const indexFile = path.join(directory, 'index.json');
  const indexBytes = await readFile(indexFile).catch(() => {
    throw new ImageError(`${directory}: a directory without index.json is not an OCI image layout`);
  });
  const store: BlobStore = {
    name,
    async readBlob(digest) {
      if (!DIGEST.test(digest)) throw new ImageError(`${name}: unsupported or malformed digest ${JSON.stringify(digest)}`);
      const bytes = await readFile(path.join(directory, blobPath(digest))).catch(() => {
        throw new ImageError(`${name}: blob ${digest} is missing`);
      });
      verifyDigest(bytes, digest, name);
      return bytes;
    },
    blobRange(digest) {
      return DIGEST.test(digest) ? { file: path.join(directory, blobPath(digest)), start: 0 } : undefined;
    },
    async openBlob(digest) {
      const file = path.join(directory, blobPath(digest));
      await stat(file).catch(() => {
        throw new ImageError(`${name}: blob ${digest} is missing`);
      });
      return createReadStream(file, { highWaterMark: 1024 * 1024 });
    },
  };
  const index = parseJson(indexBytes, `${name}: index.json`);
  const resolved = await resolveImage(store, { document: index, digest: 'index.json' }, platform);
  return { source: directory, kind: 'oci-layout', repoTags: referenceNames(index), ...resolved };
}

/**
 * Full image names an OCI index gives its manifests: containerd's
 * `io.containerd.image.name`, or `org.opencontainers.image.ref.name` when it
 * is a whole reference (it is often only a tag).
 */
function referenceNames(index: unknown): string[] {
  const manifests = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) return [];
  const names = new Set<string>();
  for (const entry of manifests) {
    const annotations = (entry as { annotations?: Record<string, unknown> } | null)?.annotations ?? {};
    for (const key of ['io.containerd.image.name', 'org.opencontainers.image.ref.name']) {
      const value = annotations[key];
      if (typeof value === 'string' && value.includes('/') && value.includes(':')) names.add(value);
    }
  }
  return [...names];
}

class TarStore implements BlobStore {
  readonly name: string;
  private readonly members = new Map<string, TarMember>();
  constructor(
    private readonly file: string,
    members: readonly TarMember[],
    label: string,
  ) {
    this.name = `${label} ${file}`;
    for (const member of members) if (member.type === '0' || member.type === '\0' || member.type === '') this.members.set(path.posix.normalize(member.name), member);
  }

  has(name: string): boolean {
    return this.members.has(path.posix.normalize(name));
  }

  member(name: string): TarMember {
    const member = this.members.get(path.posix.normalize(name));
    if (member === undefined) throw new ImageError(`${this.name}: ${name} is missing from the archive`);
    return member;
  }

  async readMember(name: string): Promise<Buffer> {
    const member = this.member(name);
    if (member.size > MAX_DOCUMENT_BYTES) throw new ImageError(`${this.name}: ${name} is too large for a manifest or config (${member.size} bytes)`);
    if (member.size === 0) return Buffer.alloc(0);
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      createReadStream(this.file, { start: member.offset, end: member.offset + member.size - 1 })
        .on('data', (chunk) => chunks.push(chunk as Buffer))
        .on('error', () => reject(new ImageError(`${this.name}: cannot read ${name}`)))
        .on('end', () => resolve(Buffer.concat(chunks)));
    });
  }

  openMember(name: string): Readable {
    const member = this.member(name);
    if (member.size === 0) return createReadStream(this.file, { start: 1, end: 0 });
    return createReadStream(this.file, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1024 * 1024 });
  }

  async readBlob(digest: string): Promise<Buffer> {
    if (!DIGEST.test(digest)) throw new ImageError(`${this.name}: unsupported or malformed digest ${JSON.stringify(digest)}`);
    const bytes = await this.readMember(blobPath(digest));
    verifyDigest(bytes, digest, this.name);
    return bytes;
  }

  async openBlob(digest: string): Promise<Readable> {
    return this.openMember(blobPath(digest));
  }

  blobRange(digest: string): { file: string; start: number; length: number } | undefined {
    return DIGEST.test(digest) && this.has(blobPath(digest)) ? this.memberRange(blobPath(digest)) : undefined;
  }

  memberRange(name: string): { file: string; start: number; length: number } {
    const member = this.member(name);
    return { file: this.file, start: member.offset, length: member.size };
  }
}

interface DockerManifestEntry {
  readonly Config: string;
  readonly RepoTags?: readonly string[] | null;
  readonly Layers: readonly string[];
}

async function openArchive(file: string, platform: Platform): Promise<OpenedImage> {
  const members = await indexTar(file);
  const names = new Set(members.map((member) => path.posix.normalize(member.name)));
  if (names.has('manifest.json')) return await openDockerArchive(file, members);
  if (names.has('index.json')) {
    const store = new TarStore(file, members, 'OCI archive');
    const index = parseJson(await store.readMember('index.json'), `${store.name}: index.json`);
    const resolved = await resolveImage(store, { document: index, digest: 'index.json' }, platform);
    return { source: file, kind: 'oci-archive', repoTags: referenceNames(index), ...resolved };
  }
  throw new ImageError(`${file}: a tar archive with neither manifest.json (docker save) nor index.json (OCI archive)`);
}

async function openDockerArchive(file: string, members: readonly TarMember[]): Promise<OpenedImage> {
  const store = new TarStore(file, members, 'docker archive');
  const manifest = parseJson(await store.readMember('manifest.json'), `${store.name}: manifest.json`);
  if (!Array.isArray(manifest) || manifest.length === 0) throw new ImageError(`${store.name}: manifest.json lists no images`);
  const entry = manifest[0] as DockerManifestEntry;
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || entry.Layers.some((layer) => typeof layer !== 'string')) {
    throw new ImageError(`${store.name}: manifest.json entry 0 lacks Config or Layers`);
  }
  const configBytes = await store.readMember(entry.Config);
  // Config names are "<hex>.json" (legacy) or "blobs/sha256/<hex>" (OCI layout inside): both are the digest.
  const configHex = /([a-f0-9]{64})(\.json)?$/.exec(entry.Config)?.[1];
  if (configHex !== undefined) verifyDigest(configBytes, `sha256:${configHex}`, store.name);
  const config = parseJson(configBytes, `${store.name}: ${entry.Config}`) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length) throw new ImageError(`${store.name}: ${entry.Layers.length} layers but the config lists ${diffIds.length} diff_ids`);
  const layers = entry.Layers.map((name, index): LayerRef => {
    const member = store.member(name);
    const blobHex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path.posix.normalize(name))?.[1];
    return {
      index,
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
      ...(blobHex === undefined ? {} : { digest: `sha256:${blobHex}` }),
      ...(diffIds[index] === undefined ? {} : { diffId: diffIds[index] }),
      size: member.size,
      fileRange: store.memberRange(name),
      open: async () => store.openMember(name),
    };
  });
  const repoTags = Array.isArray(entry.RepoTags) ? entry.RepoTags.filter((tag): tag is string => typeof tag === 'string') : [];
  return { source: file, kind: 'docker-archive', repoTags, ...(configHex === undefined ? {} : { configDigest: `sha256:${configHex}` }), config, layers };
}
