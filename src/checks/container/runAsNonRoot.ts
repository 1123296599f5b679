/**
 * The container may run as root: neither it nor the pod requires a non-root
 * user, and no non-zero UID is set. A non-zero runAsUser (container or pod)
 * is as good as runAsNonRoot=true: the kubelet runs the process with it.
 */
import { containerCheck, contextPath } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const runAsNonRoot = containerCheck(
  {
    id: 'container-run-as-non-root',
    title: 'Container may run as root',
    category: 'container',
    description:
      'Neither the container nor the pod sets runAsNonRoot=true or a non-zero runAsUser, or runAsNonRoot is false where it takes effect, so the process runs as whatever user the image names, often root. An explicit runAsUser: 0 is reported by container-run-as-root-user instead. Root in a container shares UID 0 with the node’s kernel unless the pod runs in a user namespace (spec.hostUsers=false), which this check accepts. Settings inherited from the pod count.',
    remediation: 'Set spec.securityContext.runAsNonRoot: true (containers inherit it) and, when the image’s user is root, runAsUser to a non-zero UID. Alternatively run the pod with spec.hostUsers: false.',
    severity: { gain: 'control', effort: 'chained', reason: 'Root only turns into node control together with another weakness (a kernel bug, a writable host mount, a capability), but then it is what makes the escape complete.' },
    cis: ['5.2.7', '5.7.3'],
    nsa: [NSA.nonRoot],
    mitre: [MITRE.escapeToHost, MITRE.privilegeEscalationExploit],
    fixable: true,
    equivalents: [
      'kubescape:C-0013',
      'trivy:KSV012',
      'polaris:runAsRootAllowed',
      'kube-linter:run-as-non-root',
      'kubesec:RunAsNonRoot',
      'kubeaudit:RunAsNonRootPSCNilCSCNil',
      'kubeaudit:RunAsNonRootCSCFalse',
      'kubeaudit:RunAsNonRootPSCFalseCSCNil',
    ],
  },
  (container, pod) => {
    if (pod.hostUsers?.value === false || isWindows(pod)) return undefined;
    const { runAsNonRoot: nonRoot, runAsUser: user } = container.effective;
    // An explicit UID 0 is container-run-as-root-user's finding; one weakness, one report.
    if (user !== undefined) return undefined;
    if (nonRoot?.value === true) return undefined;
    if (nonRoot?.value === false) {
      const fix = [{ op: 'set' as const, path: nonRoot.path, value: true }];
      return { predicate: `must not set securityContext.runAsNonRoot=false${nonRoot.level === 'pod' ? ' (inherited from the pod)' : ''}`, path: nonRoot.path, fix };
    }
    // The pod level covers every container at once, unless a container sets UID 0 itself: the kubelet would refuse to start it.
    const explicitRoot = pod.containers.some((other) => other.securityContext?.runAsUser === 0);
    const fixPath = explicitRoot ? [...contextPath(container), 'runAsNonRoot'] : [...pod.specPath, 'securityContext', 'runAsNonRoot'];
    return {
      predicate: 'must set securityContext.runAsNonRoot=true or a non-zero runAsUser (or inherit one from the pod)',
      path: [...contextPath(container), 'runAsNonRoot'],
      fix: [{ op: 'set', path: fixPath, value: true }],
    };
  },

);
