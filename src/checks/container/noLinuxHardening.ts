/**
 * No Linux security module or capability restriction at all: the container
 * relies on the runtime’s defaults alone. Any one of seccomp, AppArmor,
 * SELinux options or a capability drop (set on the container or inherited
 * from the pod) counts as hardening.
 */
import { containerCheck, contextPath } from '../common/define.js';
import { capabilityName, isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const noLinuxHardening = containerCheck(
  {
    id: 'container-no-linux-hardening',
    title: 'No Linux hardening at all',
    category: 'container',
    description:
      'The container has none of: a seccomp profile other than Unconfined, an AppArmor profile other than Unconfined, SELinux options, or a capability drop (without adding ALL back), neither on itself nor inherited from the pod. Each of these alone narrows what a compromised process can ask of the kernel; with none of them the container has only the runtime’s defaults between it and the node. Windows pods are exempt.',
    remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod and capabilities.drop: ["ALL"] on each container.',
    severity: { gain: 'control', effort: 'chained', reason: 'Turning a foothold into node control still needs a kernel or runtime weakness, but nothing in the manifest stands in its way.' },
    cis: ['5.7.2', '5.7.3'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.escapeToHost],
    equivalents: ['polaris:linuxHardening', 'kubescape:C-0055'],
  },
  (container, pod) => {
    if (isWindows(pod)) return undefined;
    const { seccompProfileType, appArmorProfileType, seLinuxOptions, capabilitiesDrop, capabilitiesAdd } = container.effective;
    if (seccompProfileType !== undefined && seccompProfileType.value !== '' && seccompProfileType.value !== 'Unconfined') return undefined;
    if (appArmorProfileType !== undefined && appArmorProfileType.value !== '' && appArmorProfileType.value !== 'Unconfined') return undefined;
    if (seLinuxOptions !== undefined && Object.keys(seLinuxOptions.value).length > 0) return undefined;
    if (capabilitiesDrop.length > 0 && !capabilitiesAdd.some((setting) => capabilityName(setting.value) === 'ALL')) return undefined;
    return { predicate: 'must use at least one of seccomp, AppArmor, SELinux options or a capability drop', path: contextPath(container) };
  },
);
