/** CAP_SYS_ADMIN is “the new root”: mount, namespaces, BPF, and many known escapes. */
import { containerCheck } from '../common/define.js';
import { capabilityName } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const capabilitySysAdmin = containerCheck(
  {
    fixable: true,
    id: 'container-capability-sys-admin',
    title: 'Container adds CAP_SYS_ADMIN',
    category: 'container',
    description: 'The container adds SYS_ADMIN (or ALL) to its capabilities. SYS_ADMIN permits mounting filesystems, creating namespaces and a long list of administrative operations; several container escapes need nothing more.',
    remediation: 'Remove SYS_ADMIN and ALL from capabilities.add; find the narrower capability or the node-level component the workload really needs.',
    severity: { gain: 'control', effort: 'foothold', reason: 'With SYS_ADMIN a foothold has known one-step paths to the host (cgroup release_agent, mounting host devices).' },
    cis: ['5.2.9'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kubesec:CapSysAdmin', 'trivy:KSV005', 'kubescape:rule-privileged-container', 'kubescape:C-0057'],
  },
  (container) => {
    const added = container.effective.capabilitiesAdd.find((setting) => ['SYS_ADMIN', 'ALL'].includes(capabilityName(setting.value)));
    return added === undefined ? undefined : { predicate: `must not add capability ${added.value}`, path: added.path, fix: [{ op: 'removeItem', path: added.path.slice(0, -1), value: added.value }] };
  },
);
