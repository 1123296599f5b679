/** hostPath volumes of system directories that hold node credentials or control the node. */
import { podCheck } from '../common/define.js';
import { hostPathOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

/** Exact sensitive directories; any path under them counts too. `/` counts only on its own. */
export const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/etc', '/proc', '/sys', '/boot', '/dev', '/root', '/home', '/var/run', '/run', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/var/lib/etcd', '/etc/kubernetes', '/var/log', '/usr', '/bin', '/sbin', '/lib', '/opt/cni',
];

export function isSensitiveHostPath(path: string): boolean {
  if (path === '/') return true;
  return SENSITIVE_HOST_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

export const sensitiveHostPath = podCheck(
  {
    id: 'pod-sensitive-host-path',
    title: 'Pod mounts a sensitive host directory',
    category: 'host',
    description: `A hostPath volume points at the node’s root or a system directory (${SENSITIVE_HOST_PATHS.join(', ')}, or below them). These hold kubelet and runtime credentials, kernel interfaces, logs of other pods and the binaries the node runs.`,
    remediation: 'Remove the volume. A node agent that needs one file should mount that file read-only, not the directory.',
    severity: { gain: 'control', effort: 'foothold', reason: 'A foothold reads node credentials or (when writable) changes what the node runs.' },
    cis: ['5.2.12'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.credentialsInFiles],
    equivalents: ['kube-linter:sensitive-host-mounts', 'kubesec:ProcMount', 'kubeaudit:SensitivePathsMounted', 'kubescape:C-0020'],
  },
  (pod) =>
    pod.volumes.flatMap((volume) => {
      const path = hostPathOf(pod, volume);
      return path !== undefined && isSensitiveHostPath(path) ? [{ message: `volume ${JSON.stringify(volume.name)} must not mount host path ${path}`, path: [...volume.path, 'hostPath', 'path'] }] : [];
    }),
);
