/**
 * The runtime’s default capability set (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID…)
 * stays unless the container drops it. Dropping ALL, or every capability of
 * the default set one by one, passes.
 */
import { containerCheck, contextPath } from '../common/define.js';
import { capabilityName, dropsAll, isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

/** The capabilities containerd and CRI-O grant by default. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

export const capabilitiesNotDroppedAll = containerCheck(
  {
    id: 'container-capabilities-not-dropped',
    title: 'Default capabilities are not dropped',
    category: 'container',
    description:
      'The container does not drop ALL capabilities (nor each of the runtime’s default set), so it keeps capabilities such as NET_RAW, CHOWN, DAC_OVERRIDE and SETUID that most applications never need and that many kernel exploits and spoofing attacks rely on. Windows pods are exempt.',
    remediation: 'Add capabilities.drop: ["ALL"] to the container’s securityContext and add back only what the application needs (typically nothing, or NET_BIND_SERVICE).',
    severity: { gain: 'control', effort: 'chained', reason: 'The default set is not an escape by itself; it widens the kernel attack surface a second weakness would use.' },
    cis: ['5.2.9', '5.2.10'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.privilegeEscalationExploit],
    fixable: true,
    equivalents: ['trivy:KSV003', 'polaris:insecureCapabilities', 'kubesec:CapDropAll', 'kubeaudit:CapabilityShouldDropAll', 'kubeaudit:CapabilityOrSecurityContextMissing'],
  },
  (container, pod) => {
    if (isWindows(pod) || dropsAll(container)) return undefined;
    const dropped = new Set(container.effective.capabilitiesDrop.map((setting) => capabilityName(setting.value)));
    if (DEFAULT_CAPABILITIES.every((capability) => dropped.has(capability))) return undefined;
    const path = [...contextPath(container), 'capabilities', 'drop'];
    return { predicate: 'must drop ALL capabilities (securityContext.capabilities.drop: ["ALL"])', path, fix: [{ op: 'append', path, value: 'ALL' }] };
  },

);
