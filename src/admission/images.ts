/**
 * The webhook's image gate: a Pod (or workload) whose images have
 * vulnerabilities at or above `admission.images.denyAtOrAbove` in the image
 * result cache is denied, with the image and its worst vulnerability IDs
 * named. The cache is written by earlier scans (`rampart image scan --cache`,
 * `rampart scan --images … --image-cache`); nothing is pulled or scanned
 * while a request waits. An image the cache does not know is a warning,
 * never a denial. Pure: a lookup function and the object in, findings and
 * warnings out.
 */
import type { ImageFacts } from '../exceptions/exceptions.js';
import type { CacheLookup } from '../images/cache.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { locate, objectRef, severityRank, type Finding, type KubeObject, type Severity } from '../model/types.js';

export const IMAGE_CHECK_ID = 'IMG-ADM-VULNERABLE';
/** Vulnerability IDs named in one message; the rest are counted. */
const NAMED = 5;

export interface ImageLookup {
  lookup(reference: string): CacheLookup | undefined;
  /** Where the cache lives, for messages. */
  readonly directory: string;
}

export interface ImageVerdict {
  readonly findings: readonly Finding[];
  readonly facts: ReadonlyMap<Finding, ImageFacts>;
  /** Images the cache does not know, one warning each. */
  readonly misses: readonly string[];
  /** The same images, as the pod names them. */
  readonly missedImages: readonly string[];
}

export function judgeImages(object: KubeObject, templates: PodTemplateFinder, cache: ImageLookup, threshold: Severity): ImageVerdict {
  const template = templates.find(object);
  const findings: Finding[] = [];
  const facts = new Map<Finding, ImageFacts>();
  const misses: string[] = [];
  if (template.kind !== 'template') return { findings, facts, misses, missedImages: [] };
  const missed = new Set<string>();
  for (const container of buildPodView(template.template).containers) {
    const image = container.raw.image;
    if (typeof image !== 'string' || image === '') continue;
    const found = cache.lookup(image);
    if (found === undefined) {
      if (!missed.has(image)) misses.push(`image ${image} is not in the image scan cache: it was not checked for vulnerabilities (scan it with rampart image scan --cache)`);
      missed.add(image);
      continue;
    }
    const over = found.entry.vulnerabilities.filter((vulnerability) => vulnerability.severity !== 'unknown' && severityRank(vulnerability.severity) >= severityRank(threshold));
    if (over.length === 0) continue;
    const ids = [...new Set(over.map((vulnerability) => vulnerability.id))];
    const named = over.slice(0, NAMED).map((vulnerability) => `${vulnerability.id} (${vulnerability.severity}, ${vulnerability.package} ${vulnerability.version}${vulnerability.fixedVersion === undefined ? '' : `, fixed in ${vulnerability.fixedVersion}`})`);
    const worst = over[0]!.severity as Severity;
    const finding: Finding = {
      checkId: IMAGE_CHECK_ID,
      severity: worst,
      title: 'Image with vulnerabilities at or above the admission threshold',
      message: `container ${JSON.stringify(container.name)} runs ${image}, which has ${over.length} ${over.length === 1 ? 'vulnerability' : 'vulnerabilities'} at or above ${threshold}: ${named.join(', ')}${over.length > NAMED ? `, and ${over.length - NAMED} more` : ''} (image scan of ${found.entry.scannedAt.slice(0, 10)}, found by ${found.by})`,
      object: objectRef(object),
      location: locate(object),
      container: container.name,
      path: [...container.path, 'image'],
      frameworks: [],
    };
    findings.push(finding);
    facts.set(finding, { image, vulnerabilities: ids });
  }
  return { findings, facts, misses, missedImages: [...missed] };
}
