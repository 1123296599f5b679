/** Baseline: containers may add only capabilities from the container runtime's traditional default set. */
import { containerSubject, quoteList } from './messages.js';
import type { PssCheck } from './types.js';

/** Unchanged since v1.0; NET_RAW is deliberately absent. */
export const BASELINE_ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const capabilitiesBaseline: PssCheck = {
  id: 'capabilities_baseline',
  level: 'baseline',
  reason: 'non-default capabilities',
  title: 'Container adds capabilities beyond the default set',
  severity: 'high',
  severityReason: 'Capabilities such as SYS_ADMIN, SYS_PTRACE, NET_ADMIN or SYS_MODULE are common first steps of a container escape or of tampering with node networking.',
  description:
    'A container lists a capability in securityContext.capabilities.add that is not in the runtime’s default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT). Extra capabilities hand the process root powers over parts of the kernel.',
  remediation: 'Remove the extra capabilities from securityContext.capabilities.add. If the process needs one, find a design without it (for example a sidecar or a node-level daemon run by administrators in a privileged namespace).',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) =>
        pod.containers.flatMap((container) => {
          const forbidden = container.effective.capabilitiesAdd.filter((capability) => !BASELINE_ADDABLE_CAPABILITIES.has(capability.value));
          const first = forbidden[0];
          if (first === undefined) return [];
          const names = [...new Set(forbidden.map((capability) => capability.value))];
          return [{ subject: containerSubject(container.name), predicate: `must not add ${quoteList(names)} to securityContext.capabilities.add`, path: first.path }];
        }),
    },
  ],
};
