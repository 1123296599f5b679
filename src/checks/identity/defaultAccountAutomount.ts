/** The namespace’s default ServiceAccount should not hand tokens to every pod that forgets to opt out. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const defaultAccountAutomount = objectCheck(
  {
    fixable: true,
    id: 'service-account-default-automount',
    title: 'Default ServiceAccount mounts tokens',
    category: 'identity',
    description: 'A ServiceAccount named default does not set automountServiceAccountToken: false. Every pod of the namespace that names no account, and does not opt out itself, then receives an API token it rarely needs.',
    remediation: 'Set automountServiceAccountToken: false on each namespace’s default ServiceAccount.',
    severity: { gain: 'access', effort: 'chained', reason: 'Needs a compromised pod in the namespace that did not opt out, and a default account with permissions.' },
    cis: ['5.1.5'],
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.defaultAccounts, MITRE.containerApiCredentials],
    equivalents: ['kubescape:automount-default-service-account'],
  },
  ['ServiceAccount'],
  (object) =>
    object.name === 'default' && object.raw.automountServiceAccountToken !== false
      ? [{ message: 'ServiceAccount default must set automountServiceAccountToken=false', path: ['automountServiceAccountToken'], fix: [{ op: 'set', path: ['automountServiceAccountToken'], value: false }] }]
      : [],
  { group: '' },
);
