/**
 * OCI and Docker manifests, indexes and manifest lists: choosing a platform
 * and turning a manifest into the image's config and ordered layers. Shared
 * by every source (archives, layout directories, registries).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImageError } from '../errors.js';
import { formatPlatform, type ImageConfig, type LayerRef, type Platform } from '../model.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const MANIFEST_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
const LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

export interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Where manifests and blobs come from. */
export interface BlobStore {
  /** Names the store in messages ("oci layout /tmp/x"). */
  readonly name: string;
  /** The bytes of a small blob (a manifest or config), digest verified. */
  readBlob(digest: string): Promise<Buffer>;
  /** A blob as a stream; the reader verifies the digest as the bytes pass. */
  openBlob(digest: string): Promise<Readable>;
  /** Where a blob lies in a local file, for stores on disk. */
  blobRange?(digest: string): { file: string; start: number; length?: number } | undefined;
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function verifyDigest(bytes: Buffer, digest: string, where: string): void {
  if (!DIGEST.test(digest)) throw new ImageError(`${where}: unsupported or malformed digest ${JSON.stringify(digest)}`);
  const actual = sha256(bytes);
  if (actual !== digest) throw new ImageError(`${where}: digest mismatch for ${digest} (content hashes to ${actual})`);
}

export function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ImageError(`${where}: not valid JSON`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value) || typeof value.digest !== 'string') throw new ImageError(`${where}: a descriptor without a digest`);
  if (!DIGEST.test(value.digest)) throw new ImageError(`${where}: unsupported or malformed digest ${JSON.stringify(value.digest)}`);
  return value as unknown as Descriptor;
}

/** The media type of a manifest document: its own field, else guessed from its shape (old Docker lists omit it). */
export function documentMediaType(document: Record<string, unknown>, fallback?: string): string | undefined {
  if (typeof document.mediaType === 'string') return document.mediaType;
  if (fallback !== undefined) return fallback;
  if (Array.isArray(document.manifests)) return MEDIA_TYPES.ociIndex;
  if (Array.isArray(document.layers)) return MEDIA_TYPES.ociManifest;
  return undefined;
}

function platformMatches(candidate: Descriptor['platform'], wanted: Platform): boolean {
  if (candidate === undefined) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || candidate.variant === wanted.variant;
}

/** Picks the manifest for a platform from an index; attestation manifests ("unknown/unknown") are never picked. */
export function choosePlatform(manifests: readonly Descriptor[], wanted: Platform, where: string): Descriptor {
  const usable = manifests.filter((entry) => entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
  const match = usable.find((entry) => platformMatches(entry.platform, wanted));
  if (match !== undefined) return match;
  // An index of one image without platform fields (oci layouts written by umoci, skopeo) names that image.
  const withoutPlatform = usable.filter((entry) => entry.platform === undefined);
  if (withoutPlatform.length === 1 && usable.length === 1) return withoutPlatform[0]!;
  const offered = usable.map((entry) => (entry.platform === undefined ? '(no platform)' : formatPlatform({ os: entry.platform.os ?? '?', architecture: entry.platform.architecture ?? '?', ...(entry.platform.variant === undefined ? {} : { variant: entry.platform.variant }) })));
  throw new ImageError(`${where}: no image for platform ${formatPlatform(wanted)} (offered: ${offered.join(', ') || 'none'}); choose one with --platform`);
}

export interface ResolvedManifest {
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly config: ImageConfig;
  readonly layers: readonly LayerRef[];
}

/**
 * Follows an index (possibly nested) down to one image manifest, then reads
 * its config. `top` is the document already fetched (an index.json of a
 * layout, or a registry's answer), with its digest when known.
 */
export async function resolveImage(store: BlobStore, top: { document: unknown; digest: string; mediaType?: string }, platform: Platform): Promise<ResolvedManifest> {
  let document = top.document;
  let digest = top.digest;
  let mediaType = top.mediaType;
  for (let depth = 0; depth < 4; depth++) {
    if (!isObject(document)) throw new ImageError(`${store.name}: manifest ${digest} is not a JSON object`);
    const type = documentMediaType(document, mediaType);
    if (type !== undefined && INDEX_TYPES.has(type)) {
      if (!Array.isArray(document.manifests)) throw new ImageError(`${store.name}: index ${digest} has no manifests list`);
      const manifests = document.manifests.map((entry, index) => descriptor(entry, `${store.name}: index ${digest} manifests[${index}]`));
      const chosen = choosePlatform(manifests, platform, `${store.name}: index ${digest}`);
      const bytes = await store.readBlob(chosen.digest);
      document = parseJson(bytes, `${store.name}: manifest ${chosen.digest}`);
      digest = chosen.digest;
      mediaType = chosen.mediaType;
      continue;
    }
    if (type === undefined || !MANIFEST_TYPES.has(type)) throw new ImageError(`${store.name}: manifest ${digest} has unknown media type ${JSON.stringify(type ?? null)}`);
    return await readManifest(store, document, digest);
  }
  throw new ImageError(`${store.name}: indexes nested too deeply at ${digest}`);
}

async function readManifest(store: BlobStore, manifest: Record<string, unknown>, digest: string): Promise<ResolvedManifest> {
  const where = `${store.name}: manifest ${digest}`;
  const config = descriptor(manifest.config, `${where} config`);
  if (config.mediaType !== undefined && !CONFIG_TYPES.has(config.mediaType)) throw new ImageError(`${where}: config has unknown media type ${JSON.stringify(config.mediaType)} (not a container image?)`);
  if (!Array.isArray(manifest.layers)) throw new ImageError(`${where}: no layers list`);
  const configJson = parseJson(await store.readBlob(config.digest), `${store.name}: config ${config.digest}`);
  if (!isObject(configJson)) throw new ImageError(`${store.name}: config ${config.digest} is not a JSON object`);
  const imageConfig = configJson as ImageConfig;
  const diffIds = imageConfig.rootfs?.diff_ids ?? [];
  const layers = manifest.layers.map((entry, index): LayerRef => {
    const layer = descriptor(entry, `${where} layers[${index}]`);
    const layerType = layer.mediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip';
    if (!LAYER_TYPES.has(layerType)) throw new ImageError(`${where}: layer ${index} has unknown media type ${JSON.stringify(layerType)}`);
    return {
      index,
      mediaType: layerType,
      digest: layer.digest,
      ...(diffIds[index] === undefined ? {} : { diffId: diffIds[index] }),
      ...(layer.size === undefined ? {} : { size: layer.size }),
      ...(store.blobRange?.(layer.digest) === undefined ? {} : { fileRange: store.blobRange(layer.digest)! }),
      open: () => store.openBlob(layer.digest),
    };
  });
  return { manifestDigest: digest, configDigest: config.digest, config: imageConfig, layers };
}
