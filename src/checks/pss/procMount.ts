/**
 * Baseline: /proc must keep the runtime's masks. From v1.35 a pod in its own
 * user namespace (`hostUsers: false`) may unmask it at baseline;
 * procMount_restricted keeps the unconditional rule for restricted.
 */
import { containerSubject, quote } from './messages.js';
import { runsInUserNamespace } from './podFields.js';
import type { PssCheck, PssCheckFunction } from './types.js';

/** Any procMount other than Default is forbidden, whatever the pod's user namespace. */
export const forbidUnmaskedProcMount: PssCheckFunction = (pod) =>
  pod.containers.flatMap((container) => {
    const setting = container.effective.procMount;
    if (setting === undefined || setting.value === 'Default') return [];
    return [{ subject: containerSubject(container.name), predicate: `must not set securityContext.procMount=${quote(setting.value)}`, path: setting.path }];
  });

const forbidUnmaskedProcMountOutsideUserNamespace: PssCheckFunction = (pod) => (runsInUserNamespace(pod) ? [] : forbidUnmaskedProcMount(pod));

export const procMount: PssCheck = {
  id: 'procMount',
  level: 'baseline',
  reason: 'procMount',
  title: 'Container unmasks /proc',
  severity: 'high',
  severityReason: 'An unmasked /proc exposes kernel interfaces (such as /proc/sysrq-trigger and /proc/sys) that the runtime hides to prevent host interference.',
  description:
    'A container sets securityContext.procMount to a value other than Default (Unmasked). From policy v1.35 the baseline level allows this for pods with spec.hostUsers=false, whose /proc belongs to their own user namespace; the restricted level never does.',
  remediation: 'Remove securityContext.procMount or set it to Default. Nested-container workloads that need an unmasked /proc should run with spec.hostUsers: false in a baseline namespace.',
  versions: [
    { minimumVersion: 'v1.0', check: forbidUnmaskedProcMount },
    { minimumVersion: 'v1.35', check: forbidUnmaskedProcMountOutsideUserNamespace },
  ],
};
