/**
 * Scans the images that workloads reference and joins the results to how
 * each container runs them (`workloads.ts`). Images come from a directory of
 * image archives and layouts (matched by the names they carry: `docker save`
 * RepoTags, OCI `io.containerd.image.name`) or from their registries. Each
 * distinct image is scanned once. This is the core of `rampart scan
 * --images`; `rampart image workloads` runs it on its own.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../model/types.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { ImageError } from './errors.js';
import type { OpenedImage, Platform } from './model.js';
import { scanOpenedImage, type ImageScanResult, type ScanOptions } from './scan.js';
import { openLocalImage } from './sources/local.js';
import { canonicalReference, onRegistry } from './reference.js';
import { openRegistryImage, type RegistryOptions } from './sources/registry.js';
import { combineImageAndWorkload, containerImages, type WorkloadImageFinding } from './workloads.js';

/** Finds the image a workload names; undefined when this resolver has none. */
export interface ImageResolver {
  readonly description: string;
  resolve(reference: string): Promise<OpenedImage | undefined>;
}

export { canonicalReference } from './reference.js';

/** Every archive and layout in a directory (not recursive), indexed by the names it carries. */
export async function localImageDirectory(directory: string, platform: Platform): Promise<ImageResolver & { readonly problems: readonly string[] }> {
  const byName = new Map<string, string>();
  const problems: string[] = [];
  const entries = await readdir(directory).catch(() => {
    throw new ImageError(`${directory}: cannot read the image directory`);
  });
  for (const entry of entries.sort()) {
    const location = path.join(directory, entry);
    const info = await stat(location);
    if (!info.isDirectory() && !/\.(tar|oci)$/.test(entry)) continue;
    try {
      const image = await openLocalImage(location, platform);
      for (const tag of image.repoTags) {
        const name = canonicalReference(tag);
        if (name !== undefined && !byName.has(name)) byName.set(name, location);
      }
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      problems.push(error.message);
    }
  }
  return {
    description: `image directory ${directory}`,
    problems,
    async resolve(reference) {
      const name = canonicalReference(reference);
      const location = name === undefined ? undefined : byName.get(name);
      return location === undefined ? undefined : await openLocalImage(location, platform);
    },
  };
}

/**
 * Images from the registries their references name, or, with `mirror`
 * (host[:port]), every image from that one registry under the same
 * repository, tag and digest ("nginx:1" is pulled as MIRROR/library/nginx:1).
 */
export function registryResolver(options: RegistryOptions, mirror?: string): ImageResolver {
  if (mirror === undefined) return { description: 'registries', resolve: (reference) => openRegistryImage(reference, options) };
  return {
    description: `registry mirror ${mirror}`,
    async resolve(reference) {
      const mirrored = onRegistry(reference, mirror);
      if (mirrored === undefined) throw new ImageError(`${JSON.stringify(reference)} is not an image reference`);
      return await openRegistryImage(mirrored, options);
    },
  };
}

export interface WorkloadImageResult {
  readonly object: KubeObject;
  readonly finding: WorkloadImageFinding;
}

export interface WorkloadScan {
  readonly findings: readonly WorkloadImageResult[];
  /** Scan results by image reference as the workloads wrote it. */
  readonly images: ReadonlyMap<string, ImageScanResult>;
  /** Images that could not be scanned, and why. */
  readonly unavailable: ReadonlyMap<string, string>;
  /** The first workload that references each image, to name in diagnostics. */
  readonly firstUse: ReadonlyMap<string, KubeObject>;
  /** How many images were opened and scanned (each distinct image once). */
  readonly opened: number;
}

export async function scanWorkloadImages(objects: readonly KubeObject[], finder: PodTemplateFinder, resolver: ImageResolver, options: ScanOptions = {}): Promise<WorkloadScan> {
  const images = new Map<string, ImageScanResult>();
  const unavailable = new Map<string, string>();
  const findings: WorkloadImageResult[] = [];
  const firstUse = new Map<string, KubeObject>();
  let opened = 0;
  // "nginx" and "docker.io/library/nginx:latest" are scanned once.
  const byCanonical = new Map<string, ImageScanResult | string>();
  for (const object of objects) {
    const template = finder.find(object);
    if (template.kind !== 'template') continue;
    const pod = buildPodView(template.template);
    for (const { container, image } of containerImages(pod)) {
      if (!firstUse.has(image)) firstUse.set(image, object);
      const key = canonicalReference(image) ?? image;
      if (!byCanonical.has(key)) {
        try {
          const found = await resolver.resolve(image);
          if (found !== undefined) opened++;
          byCanonical.set(key, found === undefined ? `not found in ${resolver.description}` : await scanOpenedImage(found, options));
        } catch (error) {
          if (!(error instanceof ImageError)) throw error;
          byCanonical.set(key, error.message);
        }
      }
      const result = byCanonical.get(key)!;
      if (typeof result === 'string') {
        unavailable.set(image, result);
        continue;
      }
      images.set(image, result);
      for (const finding of combineImageAndWorkload(container, image, result)) findings.push({ object, finding });
    }
  }
  return { findings, images, unavailable, firstUse, opened };
}
