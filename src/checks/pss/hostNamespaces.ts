/** Baseline: sharing the node's network, PID or IPC namespace removes the pod's isolation from the host. */
import type { PssCheck, PssOffense } from './types.js';
import { POD } from './messages.js';

export const hostNamespaces: PssCheck = {
  id: 'hostNamespaces',
  level: 'baseline',
  reason: 'host namespaces',
  title: 'Pod shares a host namespace',
  severity: 'critical',
  severityReason: 'hostPID and hostIPC expose every process and shared memory segment on the node; hostNetwork exposes node-local services and lets the pod sniff or spoof node traffic.',
  description:
    'The pod sets hostNetwork, hostPID or hostIPC. It then sees and can reach the node’s processes, inter-process communication or network stack, which defeats the isolation every other control builds on.',
  remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC (or set them to false). Expose network services through a Service instead of the node’s network, and use kubectl debug or a node-level agent for host inspection.',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) => {
        const offenses: PssOffense[] = [];
        for (const setting of [pod.hostNetwork, pod.hostPID, pod.hostIPC]) {
          if (setting?.value !== true) continue;
          const field = setting.path[setting.path.length - 1] as string;
          offenses.push({ subject: POD, predicate: `must not set ${field}=true`, path: setting.path });
        }
        return offenses;
      },
    },
  ],
  detail: (offenses) => `pod must not set ${offenses.map((offense) => `${String(offense.path[offense.path.length - 1])}=true`).join(', ')}`,
};
