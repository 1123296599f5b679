/** An explicit `runAsUser: 0`, on the container or inherited from the pod: root by design, not by default. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const runAsRootUser = containerCheck(
  {
    id: 'container-run-as-root-user',
    title: 'Container explicitly runs as UID 0',
    category: 'container',
    description:
      'The container’s effective securityContext.runAsUser is 0, set on the container or inherited from the pod. Unlike an unset user this is a deliberate choice of root that no image change can undo. Pods with spec.hostUsers=false are exempt: their UID 0 is unprivileged on the node.',
    remediation: 'Set runAsUser to a non-zero UID (10000 or above avoids clashing with node accounts) on the container or the pod, and fix file ownership in the image if the application needs it.',
    severity: { gain: 'control', effort: 'chained', reason: 'Like any root container it needs a second weakness to reach the node, but it guarantees root is there when that weakness appears.' },
    cis: ['5.2.7'],
    nsa: [NSA.nonRoot],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kubeaudit:RunAsUserCSCRoot', 'kubeaudit:RunAsUserPSCRoot', 'trivy:KSV105', 'polaris:runAsRootAllowed', 'kube-linter:run-as-non-root', 'kubescape:C-0013'],
  },
  (container, pod) => {
    const user = container.effective.runAsUser;
    if (user?.value !== 0 || pod.hostUsers?.value === false) return undefined;
    return { predicate: `must not set securityContext.runAsUser=0${user.level === 'pod' ? ' (inherited from the pod)' : ''}`, path: user.path };
  },

);
