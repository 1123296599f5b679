/** ConfigMaps are not Secrets: no encryption at rest option, readable with plain `get configmaps`. */
import { objectCheck } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { isLiteralSecretValue, isSecretLikeName, secretContentKind } from './secretLike.js';

export const configMapSecret = objectCheck(
  {
    id: 'configmap-secret-literal',
    title: 'Secret-looking value in a ConfigMap',
    category: 'secrets',
    description:
      'A ConfigMap key has a credential-like name (password, token, secret, API or access key…) with a non-empty value, or a value that looks like a private key, a known token format or a high-entropy string. ConfigMaps are readable by many roles and are not covered by Secret encryption at rest. Findings name the key, never the value.',
    remediation: 'Move the value into a Secret (and into an external secret store where possible), reference it from there, and rotate it.',
    severity: { gain: 'access', effort: 'none', reason: 'Anyone who can read ConfigMaps in the namespace, or the manifest repository, holds the credential.' },
    cis: ['5.4.1'],
    nsa: [NSA.secrets],
    mitre: [MITRE.credentialsInFiles],
    equivalents: ['polaris:sensitiveConfigmapContent', 'kubescape:rule-credentials-configmap'],
  },
  ['ConfigMap'],
  (object) => {
    const data = mapping(object.raw.data) ?? {};
    return Object.entries(data).flatMap(([key, value]) => {
      if (!isLiteralSecretValue(value)) return [];
      const content = typeof value === 'string' ? secretContentKind(value) : undefined;
      if (isSecretLikeName(key)) return [{ message: `ConfigMap key ${key} looks like a credential and holds a literal value`, path: ['data', key] }];
      if (content !== undefined) return [{ message: `ConfigMap key ${key} holds ${content}`, path: ['data', key] }];
      return [];
    });
  },
  { group: '' },
);
