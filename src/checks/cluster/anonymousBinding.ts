/** Anything bound to the anonymous user or the unauthenticated group is granted to the internet-facing API. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { BINDING_KINDS, RBAC_GROUP, roleRefOf, subjectsOf } from './rbacRules.js';

/** The discovery roles Kubernetes itself grants to unauthenticated users. */
const DEFAULT_PUBLIC_ROLES = new Set(['system:public-info-viewer']);

export const anonymousBinding = objectCheck(
  {
    id: 'binding-anonymous',
    title: 'Binding grants permissions to anonymous users',
    category: 'cluster',
    description: 'A binding names the user system:anonymous or the group system:unauthenticated as a subject. Every request without credentials gets the role’s permissions; with anonymous auth enabled (the default) that includes anyone who reaches the API server. The default binding to system:public-info-viewer is exempt.',
    remediation: 'Remove system:anonymous and system:unauthenticated from the binding’s subjects.',
    severity: { gain: 'control', effort: 'none', reason: 'Needs no credentials at all; what is granted can reach cluster control.' },
    cis: ['5.1.1'],
    nsa: [NSA.authentication],
    mitre: [MITRE.validAccounts],
    equivalents: ['kubesec:BindingsToSystemAnonymous'],
  },
  BINDING_KINDS,
  (object) => {
    if (DEFAULT_PUBLIC_ROLES.has(roleRefOf(object)?.name ?? '')) return [];
    return subjectsOf(object)
      .filter((subject) => (subject.kind === 'User' && subject.name === 'system:anonymous') || (subject.kind === 'Group' && subject.name === 'system:unauthenticated'))
      .map((subject) => ({ message: `${object.kind} ${object.name} grants ${roleRefOf(object)?.name ?? 'a role'} to ${subject.name}`, path: ['subjects', subject.index, 'name'] }));
  },
  { group: RBAC_GROUP },
);
