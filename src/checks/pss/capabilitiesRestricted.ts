/**
 * Restricted (v1.22+): containers must drop ALL capabilities and may add
 * back only NET_BIND_SERVICE. Replaces capabilities_baseline at the
 * restricted level. Windows pods are exempt from v1.25.
 */
import { containerSubject, quoteList } from './messages.js';
import { containerContextPath, isWindowsPod } from './podFields.js';
import type { PssCheck, PssCheckFunction, PssOffense } from './types.js';

const restrictCapabilitiesV1Dot22: PssCheckFunction = (pod) => {
  const missingDrop: PssOffense[] = [];
  const forbiddenAdds: PssOffense[] = [];
  for (const container of pod.containers) {
    const { capabilitiesDrop, capabilitiesAdd } = container.effective;
    if (!capabilitiesDrop.some((capability) => capability.value === 'ALL')) {
      missingDrop.push({
        subject: containerSubject(container.name),
        predicate: 'must set securityContext.capabilities.drop=["ALL"]',
        path: capabilitiesDrop[0]?.path.slice(0, -1) ?? [...containerContextPath(container), 'capabilities', 'drop'],
      });
    }
    const added = capabilitiesAdd.filter((capability) => capability.value !== 'NET_BIND_SERVICE');
    const first = added[0];
    if (first !== undefined) {
      forbiddenAdds.push({
        subject: containerSubject(container.name),
        predicate: `must not add ${quoteList([...new Set(added.map((capability) => capability.value))])} to securityContext.capabilities.add (only "NET_BIND_SERVICE" may be added)`,
        path: first.path,
      });
    }
  }
  return [...missingDrop, ...forbiddenAdds];
};

const restrictCapabilitiesV1Dot25: PssCheckFunction = (pod) => (isWindowsPod(pod) ? [] : restrictCapabilitiesV1Dot22(pod));

export const capabilitiesRestricted: PssCheck = {
  id: 'capabilities_restricted',
  level: 'restricted',
  reason: 'unrestricted capabilities',
  title: 'Capabilities not dropped',
  severity: 'medium',
  severityReason: 'The runtime’s default capabilities (NET_RAW, SETUID, DAC_OVERRIDE, …) enable ARP/DNS spoofing and ease privilege escalation inside the container.',
  description:
    'A container does not drop ALL capabilities in securityContext.capabilities.drop, or adds a capability other than NET_BIND_SERVICE. Applies from policy v1.22 (replacing capabilities_baseline at the restricted level); pods with spec.os.name=windows are exempt from v1.25.',
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container and add back only NET_BIND_SERVICE when the process binds a port below 1024.',
  versions: [
    { minimumVersion: 'v1.22', check: restrictCapabilitiesV1Dot22, overrides: ['capabilities_baseline'] },
    { minimumVersion: 'v1.25', check: restrictCapabilitiesV1Dot25, overrides: ['capabilities_baseline'] },
  ],
};
