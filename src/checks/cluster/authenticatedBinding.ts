/** system:authenticated is every identity the cluster accepts, including every pod’s ServiceAccount. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { BINDING_KINDS, RBAC_GROUP, roleRefOf, subjectsOf } from './rbacRules.js';

const DEFAULT_AUTHENTICATED_ROLES = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:service-account-issuer-discovery']);

export const authenticatedBinding = objectCheck(
  {
    id: 'binding-all-authenticated',
    title: 'Binding grants permissions to every authenticated identity',
    category: 'cluster',
    description: 'A binding names the group system:authenticated, which every user and every ServiceAccount belongs to; on managed clusters it can include any account of the cloud provider. The default discovery bindings are exempt.',
    remediation: 'Bind the role to the specific users, groups or ServiceAccounts that need it.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Any credential (a pod’s token from any foothold) obtains the role.' },
    cis: ['5.1.1'],
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts],
    equivalents: ['kubescape:system-authenticated-allowed-to-take-over-cluster'],
  },
  BINDING_KINDS,
  (object) => {
    // `system:` names are reserved for Kubernetes’ own bindings.
    if (object.name.startsWith('system:') || DEFAULT_AUTHENTICATED_ROLES.has(roleRefOf(object)?.name ?? '')) return [];
    return subjectsOf(object)
      .filter((subject) => subject.kind === 'Group' && subject.name === 'system:authenticated')
      .map((subject) => ({ message: `${object.kind} ${object.name} grants ${roleRefOf(object)?.name ?? 'a role'} to every authenticated identity`, path: ['subjects', subject.index, 'name'] }));
  },
  { group: RBAC_GROUP },
);
