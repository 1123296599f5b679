/**
 * Image results joined to the workloads that run them: how a pod runs an
 * image changes its risk. A root image in a pod that forces a non-root user
 * is not running as root; a critical vulnerability in a privileged or root
 * container is worse than the same one in a locked-down container. Pure: pod
 * views and scan results in, combined findings out. `rampart scan --images`
 * calls it through `workloadScan.ts`.
 */
import type { ContainerView, PodView } from '../model/podView.js';
import type { ImageSeverity } from './configChecks.js';
import type { ImageScanResult } from './scan.js';

export interface WorkloadImageFinding {
  readonly id: 'IMG-WL-RUNS-AS-ROOT' | 'IMG-WL-CRITICAL-PRIVILEGED' | 'IMG-WL-CRITICAL-ROOT';
  readonly severity: ImageSeverity;
  readonly container: string;
  readonly image: string;
  readonly message: string;
  /** The vulnerability IDs the finding is about (its critical ones), for exceptions that name them. */
  readonly vulnerabilities: readonly string[];
}

/** The images a pod's containers run (init and ephemeral containers too), by container. */
export function containerImages(pod: PodView): { container: ContainerView; image: string }[] {
  return pod.containers.flatMap((container) => (typeof container.raw.image === 'string' && container.raw.image !== '' ? [{ container, image: container.raw.image }] : []));
}

/**
 * Whether the container's process runs as UID 0: the pod's effective
 * runAsUser decides when set; runAsNonRoot makes the kubelet refuse UID 0;
 * otherwise the image's USER does.
 */
export function runsAsRoot(container: ContainerView, result: ImageScanResult): { root: boolean; why: string } {
  const user = container.effective.runAsUser;
  if (user !== undefined) return user.value === 0 ? { root: true, why: `runAsUser is 0 (${user.level} level)` } : { root: false, why: `runAsUser is ${user.value}` };
  if (container.effective.runAsNonRoot?.value === true) return { root: false, why: 'runAsNonRoot is true, so the kubelet refuses to start it as root' };
  const imageRoot = result.configFindings.some((finding) => finding.id === 'IMG-ROOT-USER');
  return imageRoot ? { root: true, why: "the image's USER is root and the pod does not override it" } : { root: false, why: `the image's USER is ${result.inventory.image.config.config?.User ?? 'not root'}` };
}

export function combineImageAndWorkload(container: ContainerView, image: string, result: ImageScanResult): WorkloadImageFinding[] {
  const findings: WorkloadImageFinding[] = [];
  const root = runsAsRoot(container, result);
  const privileged = container.effective.privileged?.value === true;
  const critical = result.vulnerabilities.filter((match) => match.severity === 'critical');
  const ids = [...new Set(critical.map((match) => match.id))];
  const list = critical.slice(0, 5).map((match) => `${match.id} in ${match.package.name} ${match.package.version}`).join(', ') + (critical.length > 5 ? `, and ${critical.length - 5} more` : '');
  if (root.root) findings.push({ id: 'IMG-WL-RUNS-AS-ROOT', severity: 'medium', container: container.name, image, vulnerabilities: [], message: `container ${JSON.stringify(container.name)} runs ${image} as root: ${root.why}` });
  if (critical.length > 0 && privileged) {
    findings.push({ id: 'IMG-WL-CRITICAL-PRIVILEGED', severity: 'critical', container: container.name, image, vulnerabilities: ids, message: `container ${JSON.stringify(container.name)} is privileged and its image ${image} has ${critical.length} critical vulnerabilities (${list}): a compromise is a compromise of the node` });
  } else if (critical.length > 0 && root.root) {
    findings.push({ id: 'IMG-WL-CRITICAL-ROOT', severity: 'high', container: container.name, image, vulnerabilities: ids, message: `container ${JSON.stringify(container.name)} runs as root (${root.why}) and its image ${image} has ${critical.length} critical vulnerabilities (${list})` });
  }
  return findings;
}
