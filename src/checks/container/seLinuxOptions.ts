/** Custom SELinux user/role, or a type outside the container types, can lift SELinux confinement. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

const CONTAINER_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export const seLinuxOptions = containerCheck(
  {
    id: 'container-selinux-custom',
    title: 'Custom SELinux user, role or type',
    category: 'container',
    description:
      'The container’s effective seLinuxOptions (its own or the pod’s) set a user or role, or a type other than the container types (container_t, container_init_t, container_kvm_t, container_engine_t). A type such as spc_t runs the container unconfined by SELinux.',
    remediation: 'Remove seLinuxOptions.user, .role and any non-container type; keep only level (MCS labels) where needed.',
    severity: { gain: 'control', effort: 'chained', reason: 'Disables a mandatory access control layer; needs another weakness to reach the node.' },
    cis: ['5.7.3'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.impairDefenses],
    equivalents: [],
  },
  (container) => {
    const setting = container.effective.seLinuxOptions;
    if (setting === undefined) return undefined;
    const { user, role, type } = setting.value;
    const problems: string[] = [];
    if (typeof user === 'string' && user !== '') problems.push(`user=${JSON.stringify(user)}`);
    if (typeof role === 'string' && role !== '') problems.push(`role=${JSON.stringify(role)}`);
    if (typeof type === 'string' && !CONTAINER_TYPES.has(type)) problems.push(`type=${JSON.stringify(type)}`);
    if (problems.length === 0) return undefined;
    return { predicate: `must not set seLinuxOptions ${problems.join(', ')}${setting.level === 'pod' ? ' (inherited from the pod)' : ''}`, path: setting.path };
  },
);
