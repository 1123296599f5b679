/** No AppArmor profile named: the runtime default applies on AppArmor nodes, nothing is pinned. */
import { containerCheck, contextPath, WORKLOAD_CONTAINERS } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const appArmorMissing = containerCheck(
  {
    fixable: true,
    id: 'container-apparmor-missing',
    title: 'No AppArmor profile set',
    category: 'container',
    description:
      'Neither the container (field or beta annotation) nor the pod names an AppArmor profile. On AppArmor nodes the runtime default usually applies, but nothing in the manifest guarantees it, and a custom profile cannot be enforced. Windows pods are exempt.',
    remediation: 'Set spec.securityContext.appArmorProfile.type: RuntimeDefault (Kubernetes 1.30 and later), or the container.apparmor.security.beta.kubernetes.io/<container> annotation on older clusters.',
    severity: { gain: 'weakening', effort: 'chained', reason: 'Only documents and pins a defence that usually applies by default.' },
    cis: ['5.7.3'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.impairDefenses],
    equivalents: ['kubesec:ApparmorAny', 'kubeaudit:AppArmorAnnotationMissing'],
  },
  (container, pod) => {
    if (isWindows(pod) || container.effective.appArmorProfileType !== undefined) return undefined;
    // The fix sets the pod-level field, which every container without a profile of its own inherits.
    const fix = [{ op: 'set' as const, path: [...pod.specPath, 'securityContext', 'appArmorProfile', 'type'], value: 'RuntimeDefault' }];
    return { predicate: 'must set securityContext.appArmorProfile.type (or inherit it from the pod)', path: [...contextPath(container), 'appArmorProfile'], fix };
  },
  WORKLOAD_CONTAINERS,
);
