/** Baseline: a privileged container has every capability and the host's devices; it is root on the node. */
import { containerSubject } from './messages.js';
import type { PssCheck } from './types.js';

export const privileged: PssCheck = {
  id: 'privileged',
  level: 'baseline',
  reason: 'privileged',
  title: 'Privileged container',
  severity: 'critical',
  severityReason: 'A privileged container can mount the host’s disks and load kernel modules: it is equivalent to root on the node.',
  description:
    'A container sets securityContext.privileged=true. Privileged containers run with all capabilities, see every host device and bypass the seccomp and AppArmor confinement, so escaping to the node is trivial.',
  remediation: 'Remove securityContext.privileged or set it to false. If the workload needs one specific kernel feature, grant only that capability (and run it in a namespace that allows it).',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) =>
        pod.containers.flatMap((container) => {
          const setting = container.effective.privileged;
          return setting?.value === true ? [{ subject: containerSubject(container.name), predicate: 'must not set securityContext.privileged=true', path: setting.path }] : [];
        }),
    },
  ],
};
