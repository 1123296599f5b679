/**
 * Privilege escalation explicitly on: `allowPrivilegeEscalation: true`, or
 * implied by `privileged: true` or CAP_SYS_ADMIN (the API forbids false with
 * either, so the runtime always allows escalation then).
 */
import { containerCheck } from '../common/define.js';
import { capabilityName } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const privilegeEscalationAllowed = containerCheck(
  {
    id: 'container-privilege-escalation-allowed',
    title: 'Privilege escalation explicitly allowed',
    category: 'container',
    description:
      'The container sets securityContext.allowPrivilegeEscalation=true, or is privileged or adds CAP_SYS_ADMIN, both of which force escalation on. This is a deliberate opt-out of no_new_privs, stronger evidence than the unset default.',
    remediation: 'Set allowPrivilegeEscalation: false and remove privileged: true and SYS_ADMIN from the container.',
    severity: { gain: 'control', effort: 'foothold', reason: 'A foothold can use setuid helpers to become root in the container; with privileged or SYS_ADMIN that root reaches the node.' },
    cis: ['5.2.6'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.abuseElevation],
    fixable: true,
    equivalents: ['kubesec:AllowPrivilegeEscalation', 'kube-linter:privilege-escalation-container'],
  },
  (container) => {
    const { allowPrivilegeEscalation, privileged, capabilitiesAdd } = container.effective;
    if (allowPrivilegeEscalation?.value === true) {
      const forcedOn = privileged?.value === true || capabilitiesAdd.some((setting) => capabilityName(setting.value) === 'SYS_ADMIN');
      const path = allowPrivilegeEscalation.path;
      return { predicate: 'must not set securityContext.allowPrivilegeEscalation=true', path, ...(forcedOn ? {} : { fix: [{ op: 'set', path, value: false }] }) };
    }
    if (privileged?.value === true) return { predicate: 'allows privilege escalation through securityContext.privileged=true', path: privileged.path };
    const sysAdmin = capabilitiesAdd.find((setting) => capabilityName(setting.value) === 'SYS_ADMIN');
    if (sysAdmin !== undefined) return { predicate: 'allows privilege escalation through capability SYS_ADMIN', path: sysAdmin.path };
    return undefined;
  },

);
