/** Reading Secrets reads every credential of the scope, ServiceAccount tokens included. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

export const readsSecrets = ruleCheck(
  {
    id: 'role-reads-secrets',
    title: 'Role can read Secrets',
    category: 'cluster',
    description: 'A rule grants get, list or watch on secrets (directly or through wildcards). list and watch return every Secret’s data; in a ClusterRole bound cluster-wide that includes other ServiceAccounts’ tokens and so their permissions.',
    remediation: 'Remove secrets from the rule, or restrict it with resourceNames to the specific Secrets the subject must read; mount Secrets into pods instead of reading them through the API.',
    severity: { gain: 'access', effort: 'foothold', reason: 'The subject’s holder reads every credential in scope.' },
    cis: ['5.1.2'],
    nsa: [NSA.rbac],
    mitre: [MITRE.containerApiCredentials],
    equivalents: ['kube-linter:access-to-secrets', 'kubescape:C-0015'],
  },
  (rule) => (grants(rule, '', 'secrets', ['get', 'list', 'watch']) ? 'grants read access to secrets' : undefined),
);
