/** Baseline: hostPath volumes give the pod the node's filesystem. */
import type { PssCheck } from './types.js';

export const hostPathVolumes: PssCheck = {
  id: 'hostPathVolumes',
  level: 'baseline',
  reason: 'hostPath volumes',
  title: 'Pod mounts a hostPath volume',
  severity: 'critical',
  severityReason: 'A hostPath volume can expose the node’s root filesystem, the container runtime socket or kubelet credentials: read or write access there is node takeover.',
  description: 'The pod declares a volume of type hostPath, which mounts a directory of the node into the container. Writable host paths allow planting binaries or reading other pods’ secrets; even read-only ones leak credentials.',
  remediation: 'Replace the hostPath volume with an emptyDir, a configMap or secret, or a PersistentVolumeClaim. Node agents that truly need host files belong in a dedicated, privileged namespace.',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) =>
        pod.volumes.flatMap((volume) =>
          volume.sources.includes('hostPath') ? [{ subject: { kind: 'volume' as const, name: volume.name }, predicate: 'must not use hostPath', path: [...volume.path, 'hostPath'] }] : [],
        ),
    },
  ],
};
