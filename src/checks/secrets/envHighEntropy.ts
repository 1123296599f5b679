/** Random-looking literals under innocent names: by entropy, not by name. */
import { containerCheck } from '../common/define.js';
import { envOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { isSecretLikeName, secretContentKind } from './secretLike.js';

export const envHighEntropy = containerCheck(
  {
    id: 'env-high-entropy-literal',
    title: 'High-entropy literal in an environment variable',
    category: 'secrets',
    description:
      'A container environment variable whose name does not look secret holds a literal that looks random (20 or more characters of a token alphabet, letters and digits mixed, at least 4.2 bits of entropy per character): the shape of generated keys and tokens. The value is never printed.',
    remediation: 'If the value is a credential, move it into a Secret and rotate it; if it is not (a hash, an ID), rename the variable or disable the check for it.',
    severity: { gain: 'access', effort: 'chained', reason: 'Content heuristics are uncertain: the value may not be a credential, and if it is, reading the manifest is enough.' },
    cis: ['5.4.1'],
    nsa: [NSA.secrets],
    mitre: [MITRE.credentialsInFiles],
    equivalents: [],
  },
  (container) =>
    envOf(container).flatMap((env) =>
      env.valueFrom === undefined && typeof env.value === 'string' && !isSecretLikeName(env.name) && secretContentKind(env.value) === 'a high-entropy string'
        ? [{ predicate: `sets variable ${env.name} to a high-entropy literal that may be a credential`, path: [...env.path, 'value'] }]
        : [],
    ),
);
