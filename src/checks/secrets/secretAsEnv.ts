/** Environment variables leak: child processes, crash dumps, debug endpoints and logs all see them. */
import { containerCheck } from '../common/define.js';
import { envOf, list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const secretAsEnv = containerCheck(
  {
    id: 'env-from-secret',
    title: 'Secret passed as environment variable',
    category: 'secrets',
    description: 'The container reads a Secret into environment variables (env[].valueFrom.secretKeyRef or envFrom[].secretRef). Environment variables are inherited by every child process, appear in crash reports and debug output, and are not updated when the Secret changes; mounted files avoid all three.',
    remediation: 'Mount the Secret as a volume (readOnly) and have the application read the file.',
    severity: { gain: 'access', effort: 'chained', reason: 'The secret is already the workload’s; exposure needs a leak channel (logs, dumps) or a foothold.' },
    cis: ['5.4.1'],
    nsa: [NSA.secrets],
    mitre: [MITRE.credentialsInFiles],
    equivalents: ['kubesec:SecretsAsEnvironmentVariables', 'kube-linter:read-secret-from-env-var', 'kubescape:rule-secrets-in-env-var'],
  },
  (container) => [
    ...envOf(container)
      .filter((env) => mapping(env.valueFrom?.secretKeyRef) !== undefined)
      .map((env) => ({ predicate: `should mount Secret data as a file instead of variable ${env.name}`, path: [...env.path, 'valueFrom', 'secretKeyRef'] })),
    ...list(container.raw.envFrom).flatMap((entry, index) =>
      mapping(mapping(entry)?.secretRef) !== undefined ? [{ predicate: 'should mount the Secret as a file instead of envFrom.secretRef', path: [...container.path, 'envFrom', index, 'secretRef'] }] : [],
    ),
  ],
);
