/**
 * `rampart scan --images DIR` and `rampart scan --registry`: the images the
 * scanned workloads reference, read from a directory of image archives and
 * OCI layouts or pulled from registries, judged with how each container runs
 * them (`scanWorkloadImages`), as scan findings that name the workload's file
 * and line. Each finding's image and vulnerability IDs travel beside it
 * (`facts`) so exceptions can match on them.
 */
import { existsSync } from 'node:fs';
import type { ImageFacts } from '../exceptions/exceptions.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { locate, objectRef, type Diagnostic, type Finding, type KubeObject } from '../model/types.js';
import { hostPlatform } from './model.js';
import type { ImageScanResult } from './scan.js';
import type { RegistryOptions } from './sources/registry.js';
import { defaultDatabasePath, VulnerabilityDatabase } from './vulndb/store.js';
import { localImageDirectory, registryResolver, scanWorkloadImages, type ImageResolver } from './workloadScan.js';
import type { WorkloadImageFinding } from './workloads.js';

const TITLES: Record<WorkloadImageFinding['id'], string> = {
  'IMG-WL-RUNS-AS-ROOT': 'Image runs as root and the pod does not prevent it',
  'IMG-WL-CRITICAL-PRIVILEGED': 'Critical vulnerability in an image that runs privileged',
  'IMG-WL-CRITICAL-ROOT': 'Critical vulnerability in an image that runs as root',
};

/** Where the workloads' images come from. */
export type ImageSource =
  | { readonly kind: 'directory'; readonly directory: string }
  /** `mirror`: pull every image from this registry (host[:port]) instead of the one its reference names. */
  | { readonly kind: 'registry'; readonly options: RegistryOptions; readonly mirror?: string };

export interface ImageJoin {
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
  readonly facts: ReadonlyMap<Finding, ImageFacts>;
  /** Scan results by image reference as the workloads wrote it (for the image cache). */
  readonly images: ReadonlyMap<string, ImageScanResult>;
  /** How many images were opened and scanned. */
  readonly opened: number;
}

/** `database`: a vulnerability database file; without one the default is used when it exists. */
export async function workloadImageFindings(objects: readonly KubeObject[], finder: PodTemplateFinder, source: ImageSource, database?: string): Promise<ImageJoin> {
  const diagnostics: Diagnostic[] = [];
  let resolver: ImageResolver;
  if (source.kind === 'directory') {
    const directory = await localImageDirectory(source.directory, hostPlatform());
    for (const problem of directory.problems) diagnostics.push({ severity: 'warning', code: 'image-unreadable', message: problem, file: source.directory });
    resolver = directory;
  } else {
    resolver = registryResolver(source.options, source.mirror);
  }
  const file = database ?? defaultDatabasePath();
  const opened = existsSync(file) ? await VulnerabilityDatabase.open(file, { readonly: true }) : undefined;
  if (opened === undefined) {
    diagnostics.push({ severity: database === undefined ? 'warning' : 'error', code: 'image-database-missing', message: `no vulnerability database at ${file}: images are judged on their configuration only (import data with rampart db import)`, file });
  }
  try {
    const scan = await scanWorkloadImages(objects, finder, resolver, { ...(opened === undefined ? {} : { database: opened }), vex: [] });
    for (const [image, reason] of scan.unavailable) {
      const user = scan.firstUse.get(image);
      const at = user === undefined ? undefined : locate(user);
      // A directory that lacks an image is expected (warning); a registry that refuses or lacks one leaves a workload unjudged (error, exit 2).
      diagnostics.push({
        severity: source.kind === 'registry' ? 'error' : 'warning',
        code: 'image-unavailable',
        message: `image ${image} was not scanned: ${reason}`,
        file: at?.file ?? (source.kind === 'directory' ? source.directory : '<registry>'),
        ...(at === undefined ? {} : { documentIndex: at.documentIndex, line: at.line, column: at.column }),
      });
    }
    const facts = new Map<Finding, ImageFacts>();
    const findings = scan.findings.map(({ object, finding }): Finding => {
      const converted: Finding = {
        checkId: finding.id,
        severity: finding.severity,
        title: TITLES[finding.id],
        message: finding.message,
        object: objectRef(object),
        location: locate(object),
        frameworks: [],
        container: finding.container,
      };
      facts.set(converted, { image: finding.image, vulnerabilities: finding.vulnerabilities });
      return converted;
    });
    return { findings, diagnostics, facts, images: scan.images, opened: scan.opened };
  } finally {
    opened?.close();
  }
}
