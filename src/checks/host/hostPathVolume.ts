/** Any hostPath volume ties the pod to one node’s filesystem. */
import { podCheck } from '../common/define.js';
import { hostPathOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const hostPathVolume = podCheck(
  {
    id: 'pod-host-path-volume',
    title: 'Pod mounts a hostPath volume',
    category: 'host',
    description: 'The pod declares a hostPath volume: part of the node’s filesystem is mounted into the pod. Depending on the path and the mount mode, that gives access to node files, other pods’ data, or credentials. The sensitive-path, runtime-socket and writable checks judge the path and the mode.',
    remediation: 'Replace the hostPath volume with an emptyDir, a ConfigMap/Secret or a PersistentVolume; when a node agent needs it, mount the narrowest path read-only.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold reads (or writes) node files outside the container.' },
    cis: ['5.2.12'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.credentialsInFiles],
    equivalents: ['kubescape:C-0048', 'polaris:hostPathSet', 'trivy:KSV023'],
  },
  (pod) =>
    pod.volumes
      .filter((volume) => volume.sources.includes('hostPath'))
      .map((volume) => ({ message: `volume ${JSON.stringify(volume.name)} must not use hostPath${hostPathOf(pod, volume) !== undefined ? ` (${hostPathOf(pod, volume)})` : ''}`, path: [...volume.path, 'hostPath'] })),
);
