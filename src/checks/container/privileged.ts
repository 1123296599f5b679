/** A privileged container has every capability and the host’s devices: root in it is root on the node. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const privileged = containerCheck(
  {
    id: 'container-privileged',
    title: 'Privileged container',
    category: 'container',
    description:
      'The container sets securityContext.privileged=true: it gets every Linux capability, access to all host devices, and no seccomp or AppArmor confinement. Any process in it can mount the node’s disks or load kernel modules.',
    remediation: 'Remove privileged: true. Grant only the specific capabilities the workload needs, or move node administration out of pods.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Any code execution in the container is a one-step escape to the node.' },
    cis: ['5.2.2'],
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost, MITRE.privilegeEscalationExploit],
    fixable: true,
    equivalents: [
      'kubescape:C-0057',
      'kubescape:rule-privileged-container',
      'trivy:KSV017',
      'polaris:runAsPrivileged',
      'kube-score:container-security-context-privileged',
      'kubesec:Privileged',
      'kube-linter:privileged-container',
      'kubeaudit:PrivilegedTrue',
    ],
  },
  (container) => {
    const setting = container.effective.privileged;
    // privileged defaults to false: the fix removes the field rather than spelling out the default.
    return setting?.value === true ? { predicate: 'must not set securityContext.privileged=true', path: setting.path, fix: [{ op: 'delete', path: setting.path }] } : undefined;
  },
);
