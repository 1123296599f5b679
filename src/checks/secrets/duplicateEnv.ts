/** With a duplicated name the last entry wins silently; the first one reads as if it applied. */
import { containerCheck } from '../common/define.js';
import { envOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const duplicateEnv = containerCheck(
  {
    id: 'env-duplicate-name',
    title: 'Environment variable defined twice',
    category: 'secrets',
    description: 'A container’s env list defines the same name twice. Only the last definition takes effect, so a reviewer reading the first one (a safe default, a secret reference) is misled.',
    remediation: 'Remove the duplicate entry.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'A configuration mistake with no direct security effect.' },
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.dataManipulation],
    equivalents: ['kube-score:environment-variable-key-duplication', 'kube-linter:duplicate-env-var', 'kubescape:C-0295'],
  },
  (container) => {
    const seen = new Set<string>();
    return envOf(container).flatMap((env) => {
      if (!seen.has(env.name)) {
        seen.add(env.name);
        return [];
      }
      return [{ predicate: `defines environment variable ${env.name} more than once`, path: [...env.path, 'name'] }];
    });
  },
);
