/**
 * Restricted: only volume types that cannot reach outside the pod's own
 * data are allowed. Replaces hostPathVolumes at the restricted level.
 * `image` volumes count as safe at every version, as in PSA, where they were
 * added to the v1.0 list rather than to a new version.
 */
import { quote } from './messages.js';
import type { PssCheck } from './types.js';

export const RESTRICTED_VOLUME_TYPES: readonly string[] = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/** Every volume source the Pod API knows; other keys are not sources (the API server drops unknown fields). */
const VOLUME_SOURCES: ReadonlySet<string> = new Set([
  ...RESTRICTED_VOLUME_TYPES,
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
]);

const ALLOWED: ReadonlySet<string> = new Set(RESTRICTED_VOLUME_TYPES);

export const restrictedVolumes: PssCheck = {
  id: 'restrictedVolumes',
  level: 'restricted',
  reason: 'restricted volume types',
  title: 'Volume type not allowed at restricted',
  severity: 'medium',
  severityReason: 'Network and host-backed volume types reach storage outside the pod’s control (node paths, storage servers with node credentials); hostPath itself is also reported as critical by the baseline check.',
  description:
    'The pod declares a volume whose type is not one of configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret (for example hostPath, nfs, iscsi, rbd or gitRepo). A volume without any source defaults to emptyDir and is allowed.',
  remediation: 'Use a PersistentVolumeClaim (bound to a PersistentVolume the cluster administrator defines) instead of an inline network or host volume, or one of the allowed ephemeral types.',
  versions: [
    {
      minimumVersion: 'v1.0',
      overrides: ['hostPathVolumes'],
      check: (pod) =>
        pod.volumes.flatMap((volume) => {
          const known = volume.sources.filter((source) => VOLUME_SOURCES.has(source));
          const forbidden = known.find((source) => !ALLOWED.has(source));
          if (forbidden === undefined || known.some((source) => ALLOWED.has(source))) return [];
          return [{ subject: { kind: 'volume' as const, name: volume.name }, predicate: `must not use volume type ${quote(forbidden)}`, path: [...volume.path, forbidden] }];
        }),
    },
  ],
};
