/** `allowPrivilegeEscalation` defaults to true: only an explicit false sets no_new_privs. */
import { containerCheck, contextPath } from '../common/define.js';
import { capabilityName, isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const privilegeEscalationNotDisabled = containerCheck(
  {
    id: 'container-privilege-escalation-not-disabled',
    title: 'Privilege escalation is not disabled',
    category: 'container',
    description:
      'The container does not set securityContext.allowPrivilegeEscalation=false. The default is true, so setuid binaries and file capabilities in the image can raise a process’s privileges (no_new_privs is not set). There is no pod-level field; Windows pods are exempt.',
    remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    severity: { gain: 'control', effort: 'chained', reason: 'Escalation inside the container needs a setuid binary or similar in the image, and node control needs a further weakness.' },
    cis: ['5.2.6'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.abuseElevation, MITRE.escapeToHost],
    fixable: true,
    equivalents: ['kubescape:C-0016', 'trivy:KSV001', 'polaris:privilegeEscalationAllowed', 'kubeaudit:AllowPrivilegeEscalationNil', 'kubeaudit:AllowPrivilegeEscalationTrue'],
  },
  (container, pod) => {
    if (isWindows(pod)) return undefined;
    const setting = container.effective.allowPrivilegeEscalation;
    if (setting?.value === false) return undefined;
    const path = setting?.path ?? [...contextPath(container), 'allowPrivilegeEscalation'];
    // The API rejects allowPrivilegeEscalation=false next to privileged or CAP_SYS_ADMIN: no fix until those go.
    const forcedOn = container.effective.privileged?.value === true || container.effective.capabilitiesAdd.some((setting) => capabilityName(setting.value) === 'SYS_ADMIN');
    return { predicate: 'must set securityContext.allowPrivilegeEscalation=false', path, ...(forcedOn ? {} : { fix: [{ op: 'set', path, value: false }] }) };
  },

);
