/**
 * Restricted (v1.8+): containers must turn privilege escalation off
 * explicitly; unset means allowed. Windows pods are exempt from v1.25.
 */
import { containerContextPath, isWindowsPod } from './podFields.js';
import { containerSubject } from './messages.js';
import type { PssCheck, PssCheckFunction } from './types.js';

const requireNoEscalationV1Dot8: PssCheckFunction = (pod) =>
  pod.containers.flatMap((container) => {
    const setting = container.effective.allowPrivilegeEscalation;
    if (setting?.value === false) return [];
    return [{ subject: containerSubject(container.name), predicate: 'must set securityContext.allowPrivilegeEscalation=false', path: setting?.path ?? [...containerContextPath(container), 'allowPrivilegeEscalation'] }];
  });

const requireNoEscalationV1Dot25: PssCheckFunction = (pod) => (isWindowsPod(pod) ? [] : requireNoEscalationV1Dot8(pod));

export const allowPrivilegeEscalation: PssCheck = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  reason: 'allowPrivilegeEscalation != false',
  title: 'Privilege escalation not disabled',
  severity: 'medium',
  severityReason: 'Without no_new_privs, setuid binaries and file capabilities inside the image can raise the process’s privileges; it needs a suitable binary to be exploited.',
  description:
    'A container does not set securityContext.allowPrivilegeEscalation=false, so the no_new_privs flag is off and a process can gain more privileges than its parent (through setuid binaries or file capabilities). Applies from policy v1.8; pods with spec.os.name=windows are exempt from v1.25.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container.',
  versions: [
    { minimumVersion: 'v1.8', check: requireNoEscalationV1Dot8 },
    { minimumVersion: 'v1.25', check: requireNoEscalationV1Dot25 },
  ],
};
