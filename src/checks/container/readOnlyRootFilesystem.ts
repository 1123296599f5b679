/** A writable root filesystem lets an intruder drop tools and persist changes inside the container. */
import { containerCheck, contextPath } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const readOnlyRootFilesystem = containerCheck(
  {
    id: 'container-read-only-root-filesystem',
    title: 'Root filesystem is writable',
    category: 'container',
    description:
      'The container does not set securityContext.readOnlyRootFilesystem=true, so a process in it can write anywhere in the image’s filesystem: download tools, modify binaries and configuration, and keep state that survives in the container until it restarts. Only the container field counts: there is no pod-level setting.',
    remediation: 'Set securityContext.readOnlyRootFilesystem: true on the container and mount an emptyDir at each path the application must write (for example /tmp).',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Only helps an attacker who already runs code in the container; it removes a hurdle to tooling and persistence rather than granting access.' },
    cis: ['5.7.3'],
    nsa: [NSA.immutable],
    mitre: [MITRE.implantImage, MITRE.lateralToolTransfer],
    fixable: true,
    equivalents: [
      'kubescape:C-0017',
      'trivy:KSV014',
      'polaris:notReadOnlyRootFilesystem',
      'kube-score:container-security-context-readonlyrootfilesystem',
      'kubesec:ReadOnlyRootFilesystem',
      'kube-linter:no-read-only-root-fs',
      'kubeaudit:ReadOnlyRootFilesystemFalse',
      'kubeaudit:ReadOnlyRootFilesystemNil',
    ],
  },
  (container, pod) => {
    // Windows pods run without Linux user IDs and read-only root filesystems (the API rejects them with os.name windows).
    if (isWindows(pod)) return undefined;
    const setting = container.effective.readOnlyRootFilesystem;
    if (setting?.value === true) return undefined;
    const path = setting?.path ?? [...contextPath(container), 'readOnlyRootFilesystem'];
    return { predicate: 'must set securityContext.readOnlyRootFilesystem=true', path, fix: [{ op: 'set', path, value: true }] };
  },

);
