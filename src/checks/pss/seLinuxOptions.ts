/**
 * Baseline: SELinux options may not pick a custom user or role, and the type
 * must be one of the container types. v1.31 added container_engine_t.
 */
import type { Setting } from '../../model/podView.js';
import type { JsonObject } from '../../model/types.js';
import { containerSubject, POD, quote } from './messages.js';
import { stringField } from './podFields.js';
import type { PssCheck, PssCheckFunction, PssOffense, Subject } from './types.js';

const TYPES_V1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const TYPES_V1_31: ReadonlySet<string> = new Set([...TYPES_V1_0, 'container_engine_t']);

function seLinuxOptionsAllowing(allowedTypes: ReadonlySet<string>): PssCheckFunction {
  const judge = (subject: Subject, setting: Setting<JsonObject> | undefined): PssOffense[] => {
    if (setting === undefined) return [];
    const type = stringField(setting.value, 'type');
    const problems: Array<{ text: string; field: string }> = [];
    if (!allowedTypes.has(type)) problems.push({ text: `type=${quote(type)}`, field: 'type' });
    if (stringField(setting.value, 'user') !== '') problems.push({ text: 'user', field: 'user' });
    if (stringField(setting.value, 'role') !== '') problems.push({ text: 'role', field: 'role' });
    const first = problems[0];
    if (first === undefined) return [];
    return [{ subject, predicate: `must not set securityContext.seLinuxOptions ${problems.map((problem) => problem.text).join(', ')}`, path: [...setting.path, first.field] }];
  };
  return (pod) => [
    ...judge(POD, pod.podLevel.seLinuxOptions),
    ...pod.containers.flatMap((container) => {
      const setting = container.effective.seLinuxOptions;
      return setting?.level === 'container' ? judge(containerSubject(container.name), setting) : [];
    }),
  ];
}

export const seLinuxOptions: PssCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  reason: 'seLinuxOptions',
  title: 'Custom SELinux user, role or type',
  severity: 'high',
  severityReason: 'A custom SELinux type such as spc_t runs the container unconfined by SELinux, and a custom user or role can grant host-level labels.',
  description:
    'The pod or a container sets securityContext.seLinuxOptions with a user, a role, or a type outside container_t, container_init_t and container_kvm_t (and container_engine_t from policy v1.31).',
  remediation: 'Remove seLinuxOptions.user and .role, and leave .type unset or set it to container_t (or another allowed container type). The level (MCS categories) may still be set.',
  versions: [
    { minimumVersion: 'v1.0', check: seLinuxOptionsAllowing(TYPES_V1_0) },
    { minimumVersion: 'v1.31', check: seLinuxOptionsAllowing(TYPES_V1_31) },
  ],
};
