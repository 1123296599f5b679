/** The data the image scanner passes between its parts. */
import type { Readable } from 'node:stream';

/** The parts of an image configuration (OCI image config / Docker container config) Rampart reads. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly ExposedPorts?: Readonly<Record<string, unknown>>;
    readonly Healthcheck?: { readonly Test?: readonly string[] };
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Labels?: Readonly<Record<string, string>> | null;
  };
  readonly rootfs?: { readonly type?: string; readonly diff_ids?: readonly string[] };
  readonly history?: readonly { readonly created_by?: string; readonly empty_layer?: boolean; readonly comment?: string }[];
}

export interface LayerRef {
  readonly index: number;
  readonly mediaType: string;
  /** Digest of the blob as stored (compressed), verified while it streams. */
  readonly digest?: string;
  /** Digest of the uncompressed tar; verified when no blob digest is known (legacy `docker save`). */
  readonly diffId?: string;
  readonly size?: number;
  /** Where the stored blob lies in a local file, so its digest can be computed beside the parsing. */
  readonly fileRange?: { readonly file: string; readonly start: number; readonly length?: number };
  open(): Promise<Readable>;
}

export type SourceKind = 'docker-archive' | 'oci-layout' | 'oci-archive' | 'registry';

export interface OpenedImage {
  /** What the user named: a path or a registry reference. */
  readonly source: string;
  readonly kind: SourceKind;
  readonly repoTags: readonly string[];
  readonly manifestDigest?: string;
  /** A registry image named through a manifest list or OCI index: that index's digest (what `image@sha256:` pins). */
  readonly indexDigest?: string;
  readonly configDigest?: string;
  readonly config: ImageConfig;
  readonly layers: readonly LayerRef[];
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export function hostPlatform(): Platform {
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture };
}

export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) return undefined;
  return parts[2] === undefined ? { os: parts[0]!, architecture: parts[1]! } : { os: parts[0]!, architecture: parts[1]!, variant: parts[2] };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, ...(platform.variant === undefined ? [] : [platform.variant])].join('/');
}

/** A package found in the image. */
export interface Package {
  readonly name: string;
  readonly version: string;
  /** deb, apk, rpm, npm, pypi, golang, maven, cargo: the purl type. */
  readonly type: 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven' | 'cargo';
  /** The OS source package, for OS packages (vulnerability feeds are keyed by it). */
  readonly source?: { readonly name: string; readonly version: string };
  readonly arch?: string;
  readonly licenses?: readonly string[];
  /** Where it was found, as an absolute path inside the image. */
  readonly location: string;
  /** Index of the layer that last wrote that file. */
  readonly layer: number;
  /** For Maven: the group id. */
  readonly namespace?: string;
}

export interface OsRelease {
  readonly id: string;
  readonly versionId?: string;
  readonly versionCodename?: string;
  readonly prettyName?: string;
}

export interface SetuidFile {
  readonly path: string;
  readonly mode: number;
  readonly layer: number;
  /** The OS package that installed it, when one did. */
  readonly ownedBy?: string;
}

export interface ImageInventory {
  readonly image: OpenedImage;
  readonly os?: OsRelease;
  readonly packages: readonly Package[];
  readonly setuidFiles: readonly SetuidFile[];
  /** Problems that did not stop the scan (a package database that could not be read). */
  readonly warnings: readonly string[];
  readonly stats: { readonly layers: number; readonly entries: number; readonly bytes: number };
}
