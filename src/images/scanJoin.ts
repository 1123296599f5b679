/**
 * `rampart scan --images DIR`: the images the scanned workloads reference,
 * read from a directory of image archives and OCI layouts, judged with how
 * each container runs them (`scanWorkloadImages`), as scan findings that name
 * the workload's file and line.
 */
import { existsSync } from 'node:fs';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { locate, objectRef, type Diagnostic, type Finding, type KubeObject } from '../model/types.js';
import { hostPlatform } from './model.js';
import { defaultDatabasePath, VulnerabilityDatabase } from './vulndb/store.js';
import { localImageDirectory, scanWorkloadImages } from './workloadScan.js';
import type { WorkloadImageFinding } from './workloads.js';

const TITLES: Record<WorkloadImageFinding['id'], string> = {
  'IMG-WL-RUNS-AS-ROOT': 'Image runs as root and the pod does not prevent it',
  'IMG-WL-CRITICAL-PRIVILEGED': 'Critical vulnerability in an image that runs privileged',
  'IMG-WL-CRITICAL-ROOT': 'Critical vulnerability in an image that runs as root',
};

export interface ImageJoin {
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
}

/** `database`: a vulnerability database file; without one the default is used when it exists. */
export async function workloadImageFindings(objects: readonly KubeObject[], finder: PodTemplateFinder, directory: string, database?: string): Promise<ImageJoin> {
  const diagnostics: Diagnostic[] = [];
  const resolver = await localImageDirectory(directory, hostPlatform());
  for (const problem of resolver.problems) diagnostics.push({ severity: 'warning', code: 'image-unreadable', message: problem, file: directory });
  const file = database ?? defaultDatabasePath();
  const opened = existsSync(file) ? await VulnerabilityDatabase.open(file, { readonly: true }) : undefined;
  if (opened === undefined) {
    diagnostics.push({ severity: database === undefined ? 'warning' : 'error', code: 'image-database-missing', message: `no vulnerability database at ${file}: images are judged on their configuration only (import data with rampart db import)`, file });
  }
  try {
    const scan = await scanWorkloadImages(objects, finder, resolver, { ...(opened === undefined ? {} : { database: opened }), vex: [] });
    for (const [image, reason] of scan.unavailable) diagnostics.push({ severity: 'warning', code: 'image-unavailable', message: `image ${image} was not scanned: ${reason}`, file: directory });
    const findings = scan.findings.map(({ object, finding }): Finding => ({
      checkId: finding.id,
      severity: finding.severity,
      title: TITLES[finding.id],
      message: finding.message,
      object: objectRef(object),
      location: locate(object),
      frameworks: [],
      container: finding.container,
    }));
    return { findings, diagnostics };
  } finally {
    opened?.close();
  }
}
