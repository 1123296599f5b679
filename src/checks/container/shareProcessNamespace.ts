/** Containers of the pod see each other’s processes, environment and root filesystems via /proc. */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const shareProcessNamespace = podCheck(
  {
    fixable: true,
    id: 'pod-share-process-namespace',
    title: 'Containers share one process namespace',
    category: 'container',
    description: 'spec.shareProcessNamespace is true: every container of the pod sees the others’ processes and, through /proc/<pid>/root and /proc/<pid>/environ, their filesystems and environment variables, secrets included.',
    remediation: 'Remove shareProcessNamespace unless a sidecar really needs to signal or inspect the main process.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold in any container of the pod reads the others’ secrets.' },
    nsa: [NSA.podSecurity],
    mitre: [MITRE.processDiscovery, MITRE.credentialsInFiles],
    equivalents: [],
  },
  (pod) => {
    const value = pod.spec.shareProcessNamespace;
    const path = [...pod.specPath, 'shareProcessNamespace'];
    return value === true ? [{ message: 'pod must not set spec.shareProcessNamespace=true', path, fix: [{ op: 'delete', path }] }] : [];
  },
);
