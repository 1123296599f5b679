/** Capabilities beyond the runtime defaults, added on purpose. */
import { containerCheck } from '../common/define.js';
import { capabilityName } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { DEFAULT_CAPABILITIES } from './capabilitiesNotDroppedAll.js';

const DEFAULTS = new Set(DEFAULT_CAPABILITIES);

export const dangerousCapabilities = containerCheck(
  {
    fixable: true,
    id: 'container-capabilities-added',
    title: 'Capabilities beyond the default set are added',
    category: 'container',
    description:
      'The container adds a capability outside the runtime’s default set (for example NET_ADMIN, SYS_PTRACE, SYS_MODULE, BPF, DAC_READ_SEARCH or ALL). Each of these grants kernel-level powers that escape or spy on other processes; several lead directly to the host. SYS_ADMIN has its own check as well.',
    remediation: 'Remove the capability from capabilities.add. If it is genuinely needed, isolate the workload on dedicated nodes and document the exception.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Capabilities such as SYS_MODULE, SYS_PTRACE or DAC_READ_SEARCH give a foothold a direct path to the node or to other processes.' },
    cis: ['5.2.9'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.privilegeEscalationExploit],
    equivalents: ['polaris:dangerousCapabilities', 'kubescape:C-0046', 'kubeaudit:CapabilityAdded', 'trivy:KSV022'],
  },
  (container) =>
    container.effective.capabilitiesAdd.length === 0
      ? undefined
      : container.effective.capabilitiesAdd
      .filter((setting) => !DEFAULTS.has(capabilityName(setting.value)))
      .map((setting) => ({ predicate: `must not add capability ${setting.value}`, path: setting.path, fix: [{ op: 'removeItem' as const, path: setting.path.slice(0, -1), value: setting.value }] })),
);
