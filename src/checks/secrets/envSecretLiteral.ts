/** A credential written into the manifest as an env value lands in git, in the API and in `kubectl describe`. */
import { containerCheck } from '../common/define.js';
import { envOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { isLiteralSecretValue, isSecretLikeName, secretContentKind } from './secretLike.js';

export const envSecretLiteral = containerCheck(
  {
    id: 'env-secret-literal',
    title: 'Secret-looking value in an environment variable',
    category: 'secrets',
    description:
      'A container environment variable with a credential-like name (password, token, secret, API or access key, credential…) or a credential-like value (a private key, a known token format) is set as a literal value. The value is then stored in the manifest repository and readable by anyone who can read the workload object. Findings name the variable, never the value.',
    remediation: 'Move the value into a Secret and reference it with valueFrom.secretKeyRef, or better mount the Secret as a file; rotate the exposed credential.',
    severity: { gain: 'access', effort: 'none', reason: 'Whoever reads the manifest or the object holds the credential; no foothold needed.' },
    cis: ['5.4.1'],
    nsa: [NSA.secrets],
    mitre: [MITRE.credentialsInFiles],
    equivalents: ['polaris:sensitiveContainerEnvVar', 'kube-linter:env-var-secret'],
  },
  (container) =>
    envOf(container).flatMap((env) => {
      if (env.valueFrom !== undefined || !isLiteralSecretValue(env.value)) return [];
      const value = String(env.value);
      const content = secretContentKind(value);
      if (isSecretLikeName(env.name)) return [{ predicate: `must not set secret-looking variable ${env.name} as a literal value`, path: [...env.path, 'value'] }];
      if (content !== undefined && content !== 'a high-entropy string') return [{ predicate: `must not set variable ${env.name} to ${content} literally`, path: [...env.path, 'value'] }];
      return [];
    }),
);
