/** Baseline: Windows HostProcess containers run directly on the node with host-level access. */
import { containerSubject, POD } from './messages.js';
import type { PssCheck, PssOffense } from './types.js';

const PREDICATE = 'must not set securityContext.windowsOptions.hostProcess=true';

export const windowsHostProcess: PssCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  reason: 'hostProcess',
  title: 'Windows HostProcess container',
  severity: 'critical',
  severityReason: 'A HostProcess container is a process on the Windows node with the node’s network and filesystem: the Windows equivalent of a privileged container.',
  description: 'The pod or a container sets securityContext.windowsOptions.hostProcess=true, which runs the container as a process on the Windows host instead of in an isolated container.',
  remediation: 'Remove windowsOptions.hostProcess (or set it to false). Node management tasks belong in a dedicated, privileged namespace.',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) => {
        const offenses: PssOffense[] = [];
        const podSetting = pod.podLevel.windowsHostProcess;
        if (podSetting?.value === true) offenses.push({ subject: POD, predicate: PREDICATE, path: podSetting.path });
        for (const container of pod.containers) {
          const setting = container.effective.windowsHostProcess;
          if (setting?.level === 'container' && setting.value) offenses.push({ subject: containerSubject(container.name), predicate: PREDICATE, path: setting.path });
        }
        return offenses;
      },
    },
  ],
};
